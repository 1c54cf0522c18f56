/** `flowgate validate`: spawns the built CLI (node packages/cli/dist/main.js) and checks its output and exit code. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'packages/cli/dist/main.js');
const FIX = 'packages/cli/test/fixtures';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build spec and cli when their dist is missing or older than their sources (the test script builds first). */
beforeAll(() => {
  const specDist = path.join(ROOT, 'packages/workflow-format/dist/index.js');
  const stale =
    !existsSync(MAIN) ||
    !existsSync(specDist) ||
    statSync(MAIN).mtimeMs < newestMtime(path.join(ROOT, 'packages/cli/src')) ||
    statSync(specDist).mtimeMs < newestMtime(path.join(ROOT, 'packages/workflow-format/src'));
  if (stale) {
    execFileSync('pnpm', ['--filter', '@flowgate/workflow-format', 'build'], { cwd: ROOT, stdio: 'ignore' });
    execFileSync('pnpm', ['--filter', '@flowgate/cli', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
}, 180_000);

function flowgate(...args: string[]): { lines: string[]; code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { lines: r.stdout.split('\n').filter(Boolean), code: r.status, stderr: r.stderr };
}

describe('flowgate validate', () => {
  it('accepts the examples folder', () => {
    const r = flowgate('validate', 'examples');
    expect(r.lines).toEqual(['3 files checked: 3 valid, 0 invalid (0 errors, 0 warnings)']);
    expect(r.code).toBe(0);
  });

  it('prints file:line:col: severity: path: message per problem, then a summary; exit 1 on errors', () => {
    const r = flowgate('validate', `${FIX}/bad.yaml`, `${FIX}/kibana.yaml`, 'examples/escalation-gate.yaml');
    expect(r.lines).toEqual([
      `${FIX}/bad.yaml:2:1: error: setings: unknown key "setings"; did you mean "settings"?`,
      `${FIX}/bad.yaml:8:11: error: steps[0].type: unknown step type "htp"`,
      `${FIX}/bad.yaml:12:28: error: steps[1].with.message: reads steps.later, but step "later" does not run before this step`,
      `${FIX}/bad.yaml:14:15: error: steps[1].with.schema.type: expected a JSON Schema of type "object" (the answer is a JSON object), got "array"`,
      `${FIX}/kibana.yaml:5:3: warning: settings.timezone: accepted but ignored (Kibana key)`,
      '3 files checked: 2 valid, 1 invalid (4 errors, 1 warning)',
    ]);
    expect(r.code).toBe(1);
  });

  it('exits 0 when there are only warnings', () => {
    const r = flowgate('validate', `${FIX}/kibana.yaml`);
    expect(r.lines).toEqual([
      `${FIX}/kibana.yaml:5:3: warning: settings.timezone: accepted but ignored (Kibana key)`,
      '1 file checked: 1 valid, 0 invalid (0 errors, 1 warning)',
    ]);
    expect(r.code).toBe(0);
  });

  it('takes every *.yaml and *.yml of a directory, and reports a missing file', () => {
    const r = flowgate('validate', `${FIX}/mixed`, 'nope.yaml');
    expect(r.lines[0]).toBe('nope.yaml: error: no such file or directory');
    expect(r.lines.filter((l) => l.startsWith(`${FIX}/mixed/a.yaml:`))).toHaveLength(1);
    expect(r.lines.filter((l) => l.startsWith(`${FIX}/mixed/b.yml:`))).toHaveLength(4);
    expect(r.lines.some((l) => l.includes('notes.txt'))).toBe(false);
    expect(r.lines[r.lines.length - 1]).toBe('3 files checked: 1 valid, 2 invalid (5 errors, 1 warning)');
    expect(r.code).toBe(1);
  });

  it('checks connector ids and types only with --connectors', () => {
    expect(flowgate('validate', `${FIX}/wrong-connector.yaml`).code).toBe(0);
    const r = flowgate('validate', `${FIX}/wrong-connector.yaml`, 'examples', '--connectors', `${FIX}/connectors.yaml`);
    expect(r.lines).toEqual([
      `${FIX}/wrong-connector.yaml:7:19: error: steps[0].connector-id: connector "pager" is of type "http", but an ai.summarize step needs a connector of type "openai"`,
      `${FIX}/wrong-connector.yaml:11:19: error: steps[1].connector-id: unknown connector "edr"; did you mean "edr-connector"?`,
      '4 files checked: 3 valid, 1 invalid (2 errors, 0 warnings)',
    ]);
    expect(r.code).toBe(1);
  });

  it('fails on an unusable connectors file', () => {
    const r = flowgate('validate', 'examples', '--connectors', `${FIX}/bad.yaml`);
    expect(r.lines).toEqual([`${FIX}/bad.yaml: error: expected a "connectors" mapping of id → { type, ... }`]);
    expect(r.code).toBe(1);
  });

  it('needs at least one path', () => {
    const r = flowgate('validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument/);
  });
});
