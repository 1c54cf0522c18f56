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

describe('cases.createCase with Kibana case fields', () => {
  const yaml =
    `${HEAD}  - name: create_case\n    type: cases.createCase\n    with:\n      title: PCI violation\n      description: found\n      severity: high\n      tags: [pci]\n` +
    `      owner: securitySolution\n      settings:\n        syncAlerts: false\n      category: Compliance\n      assignees: [{ uid: u_1 }]\n` +
    `      connector: { id: none, name: none, type: .none, fields: null }\n      customFields: [{ key: f1, type: text, value: x }]\n`;

  it('accepts owner, settings.syncAlerts and connector with a warning each; category, assignees and customFields are kept (the case store holds them)', () => {
    const r = valid(yaml);
    expect(messages(r.warnings)).toEqual(['owner', 'settings', 'connector'].map((k) => `steps[0].with.${k}: accepted but ignored (Kibana key)`));
    expect(r.definition!.steps[0].with).toEqual({
      title: 'PCI violation',
      description: 'found',
      severity: 'high',
      tags: ['pci'],
      category: 'Compliance',
      assignees: [{ uid: 'u_1' }],
      customFields: [{ key: 'f1', type: 'text', value: 'x' }],
    });
  });

  it('takes each owner Kibana knows, and no other', () => {
    for (const owner of ['securitySolution', 'observability', 'cases']) valid(yaml.replace('owner: securitySolution', `owner: ${owner}`));
    expect(messages(validateWorkflow(yaml.replace('owner: securitySolution', 'owner: nobody')).errors)).toEqual([
      'steps[0].with.owner: expected one of: securitySolution, observability, cases',
    ]);
  });
});

describe('ai.prompt and the default AI connector', () => {
  it('accepts systemPrompt and temperature on ai.prompt, with no warning', () => {
    const r = valid(`${HEAD}  - name: p\n    type: ai.prompt\n    connector-id: azure_open_ai\n    with:\n      systemPrompt: You are terse.\n      prompt: hi\n      temperature: 0.2\n`, { azure_open_ai: { type: 'openai' } });
    expect(r.warnings).toEqual([]);
    expect(r.definition!.steps[0].with).toEqual({ systemPrompt: 'You are terse.', prompt: 'hi', temperature: 0.2 });
  });

  it('accepts ai.* steps without connector-id (the default AI connector is chosen when the step runs)', () => {
    valid(
      `${HEAD}  - name: c\n    type: ai.classify\n    with: { input: x, categories: [a, b] }\n  - name: s\n    type: ai.summarize\n    with: { input: x }\n  - name: p\n    type: ai.prompt\n    with: { prompt: x }\n`,
      { azure_open_ai: { type: 'openai' } },
    );
  });
});

describe('${{ }} inside a longer string', () => {
  it('is accepted and read as {{ }}, with a warning at each one', () => {
    const r = valid(`${HEAD}  - name: get\n    type: console\n    with:\n      message: "/{{ consts.index }}/_doc/\${{ foreach.item.sha }}"\n`);
    expect(r.warnings.map((w) => [w.path, w.line, w.column, w.message])).toEqual([
      ['steps[0].with.message', 7, 42, '"${{ }}" inside a longer string is read as "{{ }}": the value is inserted as text (only a whole "${{ }}" value keeps its type)'],
    ]);
  });

  it('gives no warning for a whole ${{ }} value', () => {
    expect(valid(`${HEAD}  - name: get\n    type: console\n    with:\n      message: "\${{ consts.x }}"\n`).warnings).toEqual([]);
  });
});

describe('http with connector-id and path instead of url', () => {
  const connectors = { es: { type: 'http' } };
  it('accepts path (+ query) with a connector-id', () => {
    const r = valid(`${HEAD}  - name: get\n    type: http\n    connector-id: es\n    with:\n      method: GET\n      path: "/{{ consts.index }}/_doc/1"\n      query: { refresh: true }\n`, connectors);
    expect(r.warnings).toEqual([]);
    expect(r.definition!.steps[0].with).toEqual({ method: 'GET', path: '/{{ consts.index }}/_doc/1', query: { refresh: true } });
  });

  it('needs one of url and path, and a connector for path', () => {
    const errs = (w: string, c = '    connector-id: es\n') => messages(validateWorkflow(`${HEAD}  - name: get\n    type: http\n${c}    with:\n${w}`, { connectors }).errors);
    expect(errs('      method: GET\n')).toEqual(['steps[0].with: missing required key "url" (or "path" with a connector-id)']);
    expect(errs('      url: /a\n      path: /b\n')).toEqual(['steps[0].with.path: give either "url" or "path", not both']);
    expect(errs('      path: /b\n', '')).toEqual(['steps[0].with.path: "path" is relative to a connector\'s url: add a connector-id (or give an absolute "url")']);
  });
});

describe('on-failure on a foreach', () => {
  it('is accepted (fallback and continue act on the loop); a retry there is accepted with a warning', () => {
    const r = valid(
      `${HEAD}  - name: loop\n    type: foreach\n    foreach: "[1, 2]"\n    on-failure:\n      retry: { max-attempts: 2 }\n      fallback:\n        - name: note\n          type: console\n          with: { message: "{{ steps.loop.error.message }}" }\n      continue: true\n    steps:\n      - name: each\n        type: console\n        with: { message: "{{ foreach.item }}" }\n`,
    );
    expect(messages(r.warnings)).toEqual(['steps[0].on-failure.retry: accepted but ignored: a foreach is not retried (its fallback and continue apply)']);
    expect(r.definition!.steps[0].onFailure).toMatchObject({ continue: true, fallback: [{ name: 'note' }] });
  });
});

describe('step-level foreach on an action step', () => {
  it('becomes a foreach_<name> container around the step; the step\'s if goes on the container', () => {
    const r = valid(
      `${HEAD}  - name: get\n    type: console\n    if: "inputs.go : true"\n    foreach: "\${{ inputs.commits }}"\n    on-failure: { continue: true }\n    with: { message: "{{ foreach.item.sha }}" }\n` +
        `  - name: after\n    type: console\n    with: { message: "{{ steps.get.output }} {{ steps.foreach_get.output.count }}" }\n`,
    );
    expect(r.warnings).toEqual([]);
    expect(r.definition!.steps[0]).toEqual({
      name: 'foreach_get',
      type: 'foreach',
      with: {},
      if: 'inputs.go : true',
      foreach: '${{ inputs.commits }}',
      steps: [{ name: 'get', type: 'console', with: { message: '{{ foreach.item.sha }}' }, onFailure: { continue: true } }],
    });
  });

  it('refuses a loop name that a step already has', () => {
    const r = validateWorkflow(`${HEAD}  - name: foreach_get\n    type: console\n    with: { message: x }\n  - name: get\n    type: console\n    foreach: "[1]"\n    with: { message: x }\n`);
    expect(messages(r.errors)).toEqual(['steps[1].foreach: a step-level foreach runs the step in a loop named "foreach_get", but a step already has that name']);
  });
});

