/**
 * The repository stands on its own: the code, README.md and docs/ refer to nothing outside it, every
 * relative Markdown link in the docs resolves, and every `docs/<file>.md "<Section>"` citation in a
 * code comment names a heading that exists in that file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Tracked files, plus new ones not ignored (so that docs not committed yet are checked too), that exist on disk. */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const files = [...new Set(out.split('\0').filter(Boolean))];
  return files.filter((f) => !/(^|\/)(node_modules|dist)\//.test(f) && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
}

const FILES = repoFiles();
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const BINARY = /\.(png|jpe?g|gif|ico|woff2?|ttf|gz|tgz|zip|pdf)$/i;

/** Files a user gets: packages/, services/, docs/ and README.md, without tests. */
const SHIPPED = FILES.filter((f) => (f === 'README.md' || /^(packages|services|docs)\//.test(f)) && !f.includes('/test/') && !BINARY.test(f));
const MARKDOWN = FILES.filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f));

/** Markdown without fenced code blocks and inline code spans, where links are not links. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The headings of a Markdown file outside code blocks, any level, with code markers removed. */
function headings(text: string): string[] {
  const withoutCode = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
  return [...withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)].map((m) => m[1].replace(/`/g, '').trim());
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2... */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(text)) {
    const base = h
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('the repository stands on its own', () => {
  test('there are files to check', () => {
    expect(SHIPPED.length).toBeGreaterThan(50);
    expect(MARKDOWN).toEqual(expect.arrayContaining(['README.md', 'docs/semantics.md', 'docs/architecture.md']));
  });

  test('nothing shipped refers to a folder or document outside the repository', () => {
    const offenders: string[] = [];
    for (const file of SHIPPED) {
      const text = read(file);
      text.split('\n').forEach((line, i) => {
        for (const needle of ['../shared', 'SPEC §', 'ARCHITECTURE.md']) {
          if (line.includes(needle)) offenders.push(`${file}:${i + 1}: ${needle}`);
        }
      });
    }
    expect(offenders).toEqual([]);
  });

  test('every relative link in README.md and docs/*.md points to an existing file (and heading)', () => {
    const broken: string[] = [];
    for (const file of MARKDOWN) {
      const text = prose(read(file));
      for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#', 2);
        const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        if (resolved.startsWith('..') || !existsSync(join(ROOT, resolved))) {
          broken.push(`${file}: (${target}) → ${resolved} does not exist`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor.toLowerCase())) {
          broken.push(`${file}: (${target}) → no heading with the anchor #${anchor} in ${resolved}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('every docs/<file>.md "<Section>" cited in a code comment is a heading of that file', () => {
    const code = FILES.filter((f) => /^(packages|services)\/[^/]+\/(src|lua)\//.test(f) && /\.(ts|tsx|js|lua)$/.test(f));
    const missing: string[] = [];
    let citations = 0;
    for (const file of code) {
      const text = read(file);
      // `docs/x.md "A"`, also `docs/x.md "A" and "B"`
      for (const m of text.matchAll(/docs\/([a-z-]+\.md) ("[^"\n]+"(?:(?: and |, )"[^"\n]+")*)/g)) {
        const doc = `docs/${m[1]}`;
        const line = text.slice(0, m.index).split('\n').length;
        if (!existsSync(join(ROOT, doc))) {
          missing.push(`${file}:${line}: ${doc} does not exist`);
          continue;
        }
        const known = new Set(headings(read(doc)));
        for (const [, section] of m[2].matchAll(/"([^"]+)"/g)) {
          citations++;
          if (!known.has(section)) missing.push(`${file}:${line}: ${doc} has no heading "${section}"`);
        }
      }
    }
    expect(citations).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  test('the helpers read headings and anchors as GitHub does', () => {
    const md = '# Title\n\n## `POST /api/x` — run (editor)\n\n```sh\n# not a heading\n```\n\n### Instant steps run in the job before them\n## Title\n';
    expect(headings(md)).toEqual(['Title', 'POST /api/x — run (editor)', 'Instant steps run in the job before them', 'Title']);
    expect([...anchors(md)]).toEqual(['title', 'post-apix--run-editor', 'instant-steps-run-in-the-job-before-them', 'title-1']);
    expect(relative(ROOT, join(ROOT, 'docs', '..', 'README.md'))).toBe('README.md');
  });
});
