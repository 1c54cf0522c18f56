/**
 * The Markdown message of a wait (docs/workflows.md "Writing the message") on a real redis-server:
 * alert fields interpolated into it are escaped when the step renders it, so the stored
 * `waitingFor.message` — what the API returns and the UI renders as Markdown — reads each value as
 * text: no link, image, HTML, heading, quote, list item or rule comes from a value, and plain values
 * stay exactly as they are.
 */
import type IORedis from 'ioredis';
import { resumeExecution, waitTitle } from '../src';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

// The UI's own renderer (packages/ui/src/lib/markdown.ts): marked with the UI's options and renderers
// (raw HTML shown as text, images as links), then DOMPurify. marked ships as an ES module only, which
// jest does not load: the same version's UMD build stands in. DOMPurify needs a DOM, which jest's node
// environment has not: it is left out, so what is checked is marked's own HTML, before the sanitizer
// (test/browser/reviewer-ui.test.ts renders messages in Chromium with it).
jest.mock('../../ui/node_modules/marked/lib/marked.esm.js', () => jest.requireActual('../../ui/node_modules/marked/lib/marked.umd.js'));
jest.mock('../../ui/node_modules/dompurify', () => ({ __esModule: true, default: { addHook() {}, sanitize: (html: string) => html } }));
const { renderMarkdown } = jest.requireActual<{ renderMarkdown(source: string): string }>('../../ui/src/lib/markdown');

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  h = new ExecutorHarness(redis);
});
afterAll(async () => {
  await h.close();
  await server.stop();
});

/** The workflow's own Markdown: a heading, a list with bold labels and a code span, a line of its own, a link. */
const ASK = `name: Ask
triggers: [{ type: manual }]
steps:
  - name: review
    type: waitForInput
    with:
      message: |
        ## Isolate {{ event.alerts[0].host.name }}?
        - **Rule:** {{ event.rule.name }}
        - **Path:** \`{{ event.alerts[0].host.name }}\`
        {{ event.alerts[0].host.name }}

        See [the runbook](https://wiki.example/isolate).
`;
const message = (v: string, rule = 'r') => `## Isolate ${v}?\n- **Rule:** ${rule}\n- **Path:** \`${v}\`\n${v}\n\nSee [the runbook](https://wiki.example/isolate).\n`;

async function waitingMessage(host: string, rule = 'r'): Promise<string> {
  const id = await h.start('ask', ASK, { event: { alerts: [{ host: { name: host } }], rule: { name: rule } } });
  const { exec } = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  return exec.waitingFor!.message;
}

const TAGS = ['a', 'img', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'hr', 'table', 'input', 'pre', 'code', 'strong', 'em', 'del', 'p'];
function tagCounts(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of TAGS) counts[t] = (html.match(new RegExp(`<${t}[\\s>]`, 'g')) ?? []).length;
  return counts;
}
const decode = (s: string) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&amp;/g, '&');
const headingText = (html: string) => decode(/<h2>([\s\S]*?)<\/h2>/.exec(html)![1]);

// Each value, as an alert field, and the text the message stores for it.
const ATTACKS: [string, string][] = [
  ['[Approve here](https://evil.example)', '\\[Approve here\\](https\\://evil.example)'],
  ['![x](https://evil.example/p.png)', '!\\[x\\](https\\://evil.example/p.png)'],
  ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)>'],
  ['<https://evil.example>', '\\<https\\://evil.example>'],
  ['approve at https://evil.example/ok', 'approve at https\\://evil.example/ok'],
  ['# Approved by SOC lead', '\\# Approved by SOC lead'],
  ['ok\n> The SOC lead approved this', 'ok > The SOC lead approved this'],
  ['> The SOC lead approved this', '\\> The SOC lead approved this'],
  ['ok\n- [x] verified', 'ok - \\[x\\] verified'],
  ['- [x] verified', '\\- \\[x\\] verified'],
  ['ok\n\n---', 'ok  ---'],
  ['---', '\\---'],
  ['===', '\\==='],
  ['1. done', '1\\. done'],
  ['| a | b |', '\\| a \\| b \\|'],
  ['x` **bold** [a](https://evil.example) `y', 'x&#96; \\*\\*bold\\*\\* \\[a\\](https\\://evil.example) &#96;y'],
  ['```', '&#96;&#96;&#96;'],
  ['<script>alert(2)</script>', '\\<script>alert(2)\\</script>'],
  ['&lt;b&gt;', '\\&lt;b\\&gt;'],
];

describe('a wait message with alert fields in it', () => {
  let baseline: Record<string, number>;
  beforeAll(async () => {
    baseline = tagCounts(renderMarkdown(await waitingMessage('x')));
    expect(baseline).toMatchObject({ a: 1, h2: 1, ul: 1, li: 2, code: 1, strong: 2, p: 1, img: 0, blockquote: 0, hr: 0, table: 0, input: 0, pre: 0 });
  });

  it.each(ATTACKS)('stores %j as text, and renders no element from it', async (value, escaped) => {
    const stored = await waitingMessage(value, value);
    expect(stored).toBe(message(escaped, escaped));
    const html = renderMarkdown(stored);
    expect(tagCounts(html)).toEqual(baseline);
    expect(html).not.toMatch(/evil\.example"|<img|<script|onerror="/);
    // The heading reads the value as it was sent (its line breaks as spaces), and so does the title
    // of the wait (the inbox row), which the API derives from the stored message.
    expect(headingText(html)).toBe(`Isolate ${value.replace(/\n/g, ' ')}?`);
    expect(waitTitle(stored)).toBe(`Isolate ${value.replace(/\s+/g, ' ')}?`);
  });

  it.each(['srv-web-01', 'jdoe', 'svc_backup', 'Mimikatz detected', 'Mimikatz detected!', '10.1.2.3', 'C:\\Windows\\System32\\cmd.exe', 'jdoe@example.com'])(
    'stores %j exactly as it is',
    async (value) => {
      const stored = await waitingMessage(value, value);
      expect(stored).toBe(message(value, value));
      expect(headingText(renderMarkdown(stored))).toBe(`Isolate ${value}?`);
      expect(waitTitle(stored)).toBe(`Isolate ${value}?`);
    },
  );

  it('escapes the message of a waitForApproval and a message that is one value; `| markdown` keeps a trusted value’s Markdown; other steps are not escaped', async () => {
    const yaml = `name: Approve
triggers: [{ type: manual }]
steps:
  - name: summary
    type: data.set
    with:
      content: "**Likely benign:** a [signed installer](https://vendor.example/kb)."
  - name: say
    type: console
    with: { message: "host {{ event.alerts[0].host.name }}" }
  - name: approve
    type: waitForApproval
    with:
      message: |
        ## Quarantine on \`{{ event.alerts[0].host.name }}\`?
        {{ steps.summary.output.content | markdown }}
  - name: again
    type: waitForApproval
    with: { message: "{{ event.alerts[0].host.name }}" }
`;
    const host = '[Approve](https://evil.example)';
    const id = await h.start('approve', yaml, { event: { alerts: [{ host: { name: host } }] } });
    const first = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    const stored = first.exec.waitingFor!.message;
    expect(stored).toBe('## Quarantine on `\\[Approve\\](https\\://evil.example)`?\n**Likely benign:** a [signed installer](https://vendor.example/kb).\n');
    const html = renderMarkdown(stored);
    expect(html).toContain('<strong>Likely benign:</strong> a <a href="https://vendor.example/kb"');
    expect(tagCounts(html)).toMatchObject({ a: 1, strong: 1, code: 1, h2: 1 });
    expect(first.step('say')!.input).toEqual({ message: `host ${host}` });

    expect(await resumeExecution(h.rt, id, { approved: true }, 'alice')).toMatchObject({ ok: true });
    const second = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(second.exec.waitingFor).toMatchObject({ step: 'again', message: '\\[Approve\\](https\\://evil.example)' });
  });
});
