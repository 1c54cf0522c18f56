/** docs/api.md "Workflows" workflows: CRUD, bodies, ids, validation with line/column, runs with inputs. */
import { System, KEY_NAMES, consoleWorkflow, executionIds, expectError, ISO_MS, uid } from './util';

let sys: System;
beforeAll(async () => {
  sys = await System.start({ workers: 1 });
}, 60_000);
afterAll(async () => sys?.stop());

const put = (id: string, raw: string, contentType = 'application/yaml') => sys.request('PUT', `/api/workflows/${id}`, { key: 'editor', raw, headers: { 'content-type': contentType } });

describe('PUT /api/workflows/{id}', () => {
  it('creates (201) then updates (200), answering {id, name, enabled, valid, warnings}', async () => {
    const id = uid('crud');
    const created = await put(id, consoleWorkflow('First name'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id, name: 'First name', enabled: true, valid: true, warnings: [] });
    const updated = await put(id, consoleWorkflow('Second name', 'enabled: false\n'));
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id, name: 'Second name', enabled: false, valid: true, warnings: [] });
    const got = await sys.request('GET', `/api/workflows/${id}`);
    expect(got.body.name).toBe('Second name');
    expect(got.body.enabled).toBe(false);
  });

  it.each(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/yaml; charset=utf-8'])('accepts the YAML as %s', async (type) => {
    const id = uid('ctype');
    const r = await put(id, consoleWorkflow(`Typed ${type}`), type);
    expect(r.status).toBe(201);
    expect((await sys.request('GET', `/api/workflows/${id}`)).body.yaml).toBe(consoleWorkflow(`Typed ${type}`));
  });

  it('accepts {"yaml": "..."} as JSON, and refuses JSON without a yaml string', async () => {
    const id = uid('json');
    const r = await sys.request('PUT', `/api/workflows/${id}`, { key: 'editor', body: { yaml: consoleWorkflow('From JSON') } });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('From JSON');
    expectError(await sys.request('PUT', `/api/workflows/${uid('json')}`, { key: 'editor', body: { yml: 'x' } }), 400, 'bad_request');
    expectError(await sys.request('PUT', `/api/workflows/${uid('json')}`, { key: 'editor', body: { yaml: 42 } }), 400, 'bad_request');
  });

  it('returns warnings for Kibana keys it ignores', async () => {
    const r = await put(uid('warn'), consoleWorkflow('Warned', 'template-metadata: {a: 1}\n'));
    expect(r.status).toBe(201);
    expect(r.body.warnings).toEqual([{ path: 'template-metadata', line: 2, column: 1, message: expect.stringContaining('accepted but ignored (Kibana key)') }]);
  });

  it('refuses invalid YAML with 400 validation_failed, details with 1-based line/column, and saves nothing', async () => {
    const id = uid('invalid');
    const yaml = consoleWorkflow('Typo', 'setings:\n  timeout: 1h\n');
    const r = await put(id, yaml);
    expectError(r, 400, 'validation_failed');
    expect(r.body.error.details).toEqual([{ path: 'setings', line: 2, column: 1, message: expect.stringContaining('setings') }]);
    expectError(await sys.request('GET', `/api/workflows/${id}`), 404, 'not_found');

    const syntax = await put(id, 'name: broken\ntriggers: [\n');
    expectError(syntax, 400, 'validation_failed');
    expect(syntax.body.error.details[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(/YAML/) });
    expect(syntax.body.error.details[0].line).toBeGreaterThanOrEqual(1);

    const unknownType = await put(id, consoleWorkflow('x').replace('type: console', 'type: consolee'));
    expectError(unknownType, 400, 'validation_failed');
    expect(unknownType.body.error.details.map((d: any) => d.message)).toContain('unknown step type "consolee"');
    expectError(await sys.request('GET', `/api/workflows/${id}`), 404, 'not_found');
  });

  it('an invalid update keeps the previous version', async () => {
    const id = uid('keep');
    expect((await put(id, consoleWorkflow('Kept'))).status).toBe(201);
    expectError(await put(id, 'name: x\n'), 400, 'validation_failed');
    const got = await sys.request('GET', `/api/workflows/${id}`);
    expect(got.body).toMatchObject({ name: 'Kept', valid: true, yaml: consoleWorkflow('Kept') });
  });

  it('refuses reserved ids and ids outside ^[a-z0-9][a-z0-9_-]{0,127}$ with 400', async () => {
    for (const id of ['validate', 'executions', 'Upper', '-dash', '_under', 'a.b', 'x'.repeat(129)]) {
      const r = await put(id, consoleWorkflow('bad id'));
      expectError(r, 400, 'bad_request');
      expect(r.body.error.message).toContain(id === 'x'.repeat(129) ? 'must match' : id);
    }
    expect((await put('x'.repeat(128), consoleWorkflow('long id'))).status).toBeLessThan(300);
  });

  it('refuses an empty body', async () => {
    expectError(await put(uid('empty'), ''), 400, 'bad_request');
  });
});

describe('POST /api/workflows', () => {
  it('creates with the slug of the name (201), then 409 conflict for the same slug', async () => {
    const tag = uid('t');
    const name = `Isolate Höst ${tag} — approval!`;
    const slug = `isolate-host-${tag}-approval`;
    const r = await sys.request('POST', '/api/workflows', { key: 'editor', raw: consoleWorkflow(`"${name}"`), headers: { 'content-type': 'text/yaml' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: slug, name, enabled: true, valid: true, warnings: [] });
    const again = await sys.request('POST', '/api/workflows', { key: 'editor', body: { yaml: consoleWorkflow(`"${name}"`) } });
    expectError(again, 409, 'conflict');
  });

  it('refuses a name whose slug is empty or reserved (400), and invalid YAML (400, nothing saved)', async () => {
    expectError(await sys.request('POST', '/api/workflows', { key: 'editor', raw: consoleWorkflow('"!!! ???"'), headers: { 'content-type': 'application/yaml' } }), 400, 'bad_request');
    expectError(await sys.request('POST', '/api/workflows', { key: 'editor', raw: consoleWorkflow('Validate'), headers: { 'content-type': 'application/yaml' } }), 400, 'bad_request');
    const before = (await sys.request('GET', '/api/workflows')).body.results.length;
    const r = await sys.request('POST', '/api/workflows', { key: 'editor', raw: consoleWorkflow('Never saved', 'bogus: 1\n'), headers: { 'content-type': 'application/yaml' } });
    expectError(r, 400, 'validation_failed');
    expect(r.body.error.details[0]).toMatchObject({ path: 'bogus', line: 2, column: 1 });
    expect((await sys.request('GET', '/api/workflows')).body.results.length).toBe(before);
  });
});

describe('GET and DELETE', () => {
  it('lists workflows with the summary fields, and shows one with yaml, definition, errors', async () => {
    const id = uid('get');
    await sys.putWorkflow(id, consoleWorkflow('Listed', 'description: a test\ntags: [edr, test]\n'));
    const list = await sys.request('GET', '/api/workflows', { key: 'viewer' });
    expect(list.status).toBe(200);
    const row = list.body.results.find((w: any) => w.id === id);
    expect(row).toEqual({
      id,
      name: 'Listed',
      description: 'a test',
      enabled: true,
      tags: ['edr', 'test'],
      triggers: [{ type: 'manual' }],
      valid: true,
      createdAt: expect.stringMatching(ISO_MS),
      updatedAt: expect.stringMatching(ISO_MS),
    });
    const one = await sys.request('GET', `/api/workflows/${id}`, { key: 'viewer' });
    expect(one.body).toMatchObject({ ...row, yaml: consoleWorkflow('Listed', 'description: a test\ntags: [edr, test]\n'), errors: [] });
    expect(one.body.definition).toMatchObject({ name: 'Listed', steps: [{ name: 'hello', type: 'console' }] });
  });

  it('deletes with 204, then 404; executions already started keep running', async () => {
    const id = uid('gone');
    await sys.putWorkflow(id, consoleWorkflow('Gone'));
    const run = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', body: {} });
    expect(run.status).toBe(202);
    const del = await sys.request('DELETE', `/api/workflows/${id}`, { key: 'editor' });
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expectError(await sys.request('GET', `/api/workflows/${id}`), 404, 'not_found');
    expectError(await sys.request('DELETE', `/api/workflows/${id}`, { key: 'editor' }), 404, 'not_found');
    expect((await sys.waitForExecution(run.body.executionId)).status).toBe('COMPLETED');
  });
});

describe('POST /api/workflows/validate', () => {
  it('answers 200 {valid, errors, warnings} for valid and invalid YAML alike, saving nothing', async () => {
    const ok = await sys.request('POST', '/api/workflows/validate', { key: 'editor', raw: consoleWorkflow('Valid one'), headers: { 'content-type': 'application/yaml' } });
    expect(ok).toMatchObject({ status: 200, body: { valid: true, errors: [], warnings: [] } });
    const bad = await sys.request('POST', '/api/workflows/validate', { key: 'editor', body: { yaml: consoleWorkflow('Bad one', 'setings: {}\n') } });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.errors).toEqual([{ path: 'setings', line: 2, column: 1, message: expect.any(String) }]);
    expect(bad.body.warnings).toEqual([]);
    const names = (await sys.request('GET', '/api/workflows')).body.results.map((w: any) => w.name);
    expect(names).not.toContain('Valid one');
  });
});

describe('POST /api/workflows/{id}/run', () => {
  const WITH_INPUTS = (name: string) => `name: ${name}
inputs:
  - name: host
    type: string
    required: true
  - name: severity
    type: choice
    options: [low, high]
    default: low
  - name: count
    type: number
    default: 3
triggers:
  - type: manual
steps:
  - name: echo
    type: console
    with:
      message: "{{ inputs.host }} {{ inputs.severity }} {{ inputs.count }}"
`;

  it('starts an execution (202 {executionId}) with the inputs, defaults applied, triggeredBy the key name', async () => {
    const id = uid('inputs');
    await sys.putWorkflow(id, WITH_INPUTS('Inputs'));
    const r = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'admin', body: { inputs: { host: 'web-01' } } });
    expect(r.status).toBe(202);
    expect(Object.keys(r.body)).toEqual(['executionId']);
    const e = await sys.waitForExecution(r.body.executionId);
    expect(e).toMatchObject({ status: 'COMPLETED', trigger: 'manual', triggeredBy: KEY_NAMES.admin, inputs: { host: 'web-01', severity: 'low', count: 3 }, event: {} });
    expect(e.steps[0].output).toBe('web-01 low 3');
  });

  it('refuses invalid inputs with 400 validation_failed and every error, starting nothing', async () => {
    const id = uid('badinputs');
    await sys.putWorkflow(id, WITH_INPUTS('Bad inputs'));
    const r = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', body: { inputs: { severity: 'medium', count: 'three', extra: true } } });
    expectError(r, 400, 'validation_failed');
    const paths = r.body.error.details.map((d: any) => d.path).sort();
    expect(paths).toEqual(['/count', '/extra', '/host', '/severity']);
    for (const d of r.body.error.details) expect(d).toEqual({ path: expect.any(String), keyword: expect.any(String), message: expect.any(String) });
    expectError(await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', body: { inputs: [1] } }), 400, 'bad_request');
    expectError(await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', raw: '[]', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
    expect(await executionIds(sys, id)).toEqual([]);
  });

  it('runs without a body when there are no required inputs', async () => {
    const id = uid('nobody');
    await sys.putWorkflow(id, consoleWorkflow('No body'));
    const r = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor' });
    expect(r.status).toBe(202);
    expect((await sys.waitForExecution(r.body.executionId)).inputs).toEqual({});
  });

  it('answers 409 conflict for a disabled workflow and one without a manual trigger, 404 for an unknown one', async () => {
    const disabled = uid('disabled');
    await sys.putWorkflow(disabled, consoleWorkflow('Disabled', 'enabled: false\n'));
    const r1 = await sys.request('POST', `/api/workflows/${disabled}/run`, { key: 'editor', body: { inputs: {} } });
    expectError(r1, 409, 'conflict');
    expect(r1.body.error.message).toMatch(/disabled/);

    const alertOnly = uid('alertonly');
    await sys.putWorkflow(alertOnly, consoleWorkflow('Alert only').replace('type: manual', 'type: alert'));
    const r2 = await sys.request('POST', `/api/workflows/${alertOnly}/run`, { key: 'editor', body: { inputs: {} } });
    expectError(r2, 409, 'conflict');
    expect(r2.body.error.message).toMatch(/manual/);

    expectError(await sys.request('POST', `/api/workflows/${uid('missing')}/run`, { key: 'editor', body: {} }), 404, 'not_found');
    expect(await executionIds(sys, disabled)).toEqual([]);
    expect(await executionIds(sys, alertOnly)).toEqual([]);
  });

  it('keeps running executions on the version they started with after an update', async () => {
    const id = uid('version');
    await sys.putWorkflow(id, consoleWorkflow('V1'));
    const first = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', body: { inputs: { who: 'a' } } });
    await sys.putWorkflow(id, consoleWorkflow('V2').replace('hello {{ inputs.who }}', 'bye {{ inputs.who }}'));
    const second = await sys.request('POST', `/api/workflows/${id}/run`, { key: 'editor', body: { inputs: { who: 'b' } } });
    const [e1, e2] = [await sys.waitForExecution(first.body.executionId), await sys.waitForExecution(second.body.executionId)];
    expect(e1.steps[0].output).toBe('hello a');
    expect(e2.steps[0].output).toBe('bye b');
    expect(e1.workflowVersion).not.toBe(e2.workflowVersion);
    expect(e1.workflowName).toBe('V1');
  });
});
