/**
 * Issue 14, item 1 "No false errors": what Kibana accepts validates here too; Kibana keys that
 * Flowgate does not act on are accepted with a warning naming them. The fixtures under
 * test/fixtures/kibana/ (modelled on Elastic's public workflow library) all validate.
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { validateWorkflow, type Problem } from '@flowgate/workflow-format';

const HEAD = 'name: T\ntriggers: [{ type: manual }]\nsteps:\n';
const messages = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`);

function valid(yaml: string, connectors?: Record<string, { type: string }>) {
  const r = validateWorkflow(yaml, connectors ? { connectors } : {});
  expect(messages(r.errors)).toEqual([]);
  return r;
}

describe('step names with spaces', () => {
  it('accepts `name: open ticket` and reads it as steps[\'open ticket\'] / steps["open ticket"] in templates and conditions', () => {
    const r = valid(
      `${HEAD}  - name: open ticket\n    type: console\n    with: { message: opened }\n` +
        `  - name: after\n    type: console\n    if: "steps['open ticket'].output : opened"\n` +
        `    with: { message: "{{ steps['open ticket'].output }} {{ steps[\\"open ticket\\"].status }}" }\n`,
    );
    expect(r.definition!.steps[0].name).toBe('open ticket');
    expect(r.warnings).toEqual([]);
  });

  it('still checks references to such names: a missing one, and one that runs later', () => {
    const r = validateWorkflow(
      `${HEAD}  - name: first\n    type: console\n    if: "steps['close ticket'].status : COMPLETED"\n    with: { message: "{{ steps['no such step'].output }}" }\n` +
        `  - name: close ticket\n    type: console\n    with: { message: x }\n`,
    );
    expect(messages(r.errors)).toEqual([
      `steps[0].if: reads steps['close ticket'], but step "close ticket" does not run before this step`,
      `steps[0].with.message: reads steps['no such step'], but no step is named "no such step"`,
    ]);
  });

  it('refuses only the characters of step paths and job ids', () => {
    for (const name of ['a/b', 'a#b', 'a:b', 'a[0]']) {
      const r = validateWorkflow(`${HEAD}  - name: "${name}"\n    type: console\n    with: { message: x }\n`);
      expect(messages(r.errors)).toEqual([
        `steps[0].name: invalid step name "${name}": a step name may not contain "/", "#", ":", "[", "]" or control characters`,
      ]);
    }
  });
});

describe('test/fixtures/kibana', () => {
  const dir = path.resolve(__dirname, '../../../test/fixtures/kibana');
  const connectors = JSON.parse(readFileSync(path.join(dir, 'connectors.json'), 'utf8')) as Record<string, { type: string }>;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('holds the workflows of the cases', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s validates', (file) => {
    valid(readFileSync(path.join(dir, file), 'utf8'), connectors);
  });
});
