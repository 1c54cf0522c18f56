/**
 * docs/api.md "Workflows at start": the FLOWGATE_WORKFLOWS folder is loaded (file name = id), and stored
 * workflows are validated again — one that no longer validates is kept with valid: false and its
 * errors, and never starts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWorkflow } from '@flowgate/workflow-format';
import { WorkflowStore } from '@flowgate/store';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { System, consoleWorkflow, expectError } from './util';

let redis: RedisServer;
let sys: System;
const dir = mkdtempSync(join(tmpdir(), 'fg-workflows-'));

const alertYaml = (name: string) => `name: ${name}
triggers:
  - type: alert
  - type: manual
steps:
  - name: echo
    type: console
    with:
      message: "{{ event.alerts[0].host.name }}"
`;
// Stored as valid by an older version, but `setings` is not a key: it no longer validates.
const STALE = alertYaml('Stale').replace('triggers:', 'setings:\n  timeout: 1h\ntriggers:');

beforeAll(async () => {
  redis = await startRedis();
  const client = redis.client();
  const store = new WorkflowStore(client);
  const def = validateWorkflow(alertYaml('Stale')).definition!;
  await store.save({ id: 'stale', yaml: STALE, definition: def, name: 'Stale', errors: [], warnings: [] });
  const ok = validateWorkflow(consoleWorkflow('Still ok'));
  await store.save({ id: 'still-ok', yaml: consoleWorkflow('Still ok'), definition: ok.definition, name: 'Still ok', errors: [], warnings: [] });
  const over = validateWorkflow(consoleWorkflow('Overridden'));
  await store.save({ id: 'overridden', yaml: consoleWorkflow('Overridden'), definition: over.definition, name: 'Overridden', errors: [], warnings: [] });
  expect((await store.get('stale'))!.valid).toBe(true);

  writeFileSync(join(dir, 'from-folder.yaml'), alertYaml('From folder'));
  writeFileSync(join(dir, 'overridden.yaml'), consoleWorkflow('From the file'));
  writeFileSync(join(dir, 'broken.yaml'), 'name: Broken\ntriggers: []\nsteps: []\nbogus: 1\n');
  writeFileSync(join(dir, 'Bad Name.yaml'), consoleWorkflow('Bad name'));
  writeFileSync(join(dir, 'notes.txt'), 'not a workflow');
  writeFileSync(join(dir, 'other.yml'), consoleWorkflow('Not .yaml'));

  sys = await System.start({ workers: 1, redis, env: { FLOWGATE_WORKFLOWS: dir } });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  await redis?.stop();
});

it('keeps a stored workflow that no longer validates with valid: false and its errors, and never starts it', async () => {
  const w = await sys.request('GET', '/api/workflows/stale');
  expect(w.status).toBe(200);
  expect(w.body).toMatchObject({ id: 'stale', name: 'Stale', valid: false, yaml: STALE, definition: null });
  expect(w.body.errors).toEqual([{ path: 'setings', line: 2, column: 1, message: expect.stringContaining('setings') }]);
  const listed = (await sys.request('GET', '/api/workflows')).body.results.find((x: any) => x.id === 'stale');
  expect(listed.valid).toBe(false);

  expectError(await sys.request('POST', '/api/workflows/stale/run', { key: 'editor', body: {} }), 409, 'conflict');
  const alert = await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: 'h' } } });
  expect(alert.status).toBe(202);
  expect(alert.body.executions.map((e: any) => e.workflowId)).toEqual(['from-folder']);
});

it('loads every *.yaml of FLOWGATE_WORKFLOWS with the file name as id; the folder wins over the store', async () => {
  const folder = await sys.request('GET', '/api/workflows/from-folder');
  expect(folder.body).toMatchObject({ id: 'from-folder', name: 'From folder', valid: true, yaml: alertYaml('From folder'), errors: [] });
  const over = await sys.request('GET', '/api/workflows/overridden');
  expect(over.body).toMatchObject({ name: 'From the file', valid: true });
  expect((await sys.request('GET', '/api/workflows/still-ok')).body).toMatchObject({ name: 'Still ok', valid: true });
  const ids = (await sys.request('GET', '/api/workflows')).body.results.map((x: any) => x.id).sort();
  expect(ids).toEqual(['broken', 'from-folder', 'overridden', 'stale', 'still-ok']);
});

it('keeps an invalid file visible with valid: false and its errors', async () => {
  const broken = await sys.request('GET', '/api/workflows/broken');
  expect(broken.body).toMatchObject({ id: 'broken', name: 'Broken', valid: false, definition: null });
  expect(broken.body.errors.length).toBeGreaterThan(0);
  for (const e of broken.body.errors) expect(e).toEqual({ path: expect.any(String), line: expect.any(Number), column: expect.any(Number), message: expect.any(String) });
  expectError(await sys.request('POST', '/api/workflows/broken/run', { key: 'editor', body: {} }), 409, 'conflict');
});
