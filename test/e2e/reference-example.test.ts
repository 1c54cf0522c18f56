/**
 * The reference example (examples/isolate-host-with-approval.yaml, unchanged) end to end: real
 * redis-server, API and worker processes, and three local stand-ins speaking the real protocols
 * (test/fixtures): an Elasticsearch-compatible server reached through the official client, an
 * OpenAI-compatible chat-completions server reached through the official openai client, and an EDR
 * reached by the http step through a connector with `targetUrl`.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { System, ROOT, KEY_NAMES } from '../helpers/system';
import { startStandins, standinConnectorsYaml, type Standins } from '../fixtures/standins';
import { startElasticsearchServer } from '../fixtures/elasticsearch-server';

const EXAMPLE = readFileSync(join(ROOT, 'examples', 'isolate-host-with-approval.yaml'), 'utf8');
const TRIAGE = readFileSync(join(ROOT, 'examples', 'triage-ambiguous-alert.yaml'), 'utf8');

let sys: System;
let standins: Standins;

function alert(host: string, extra: Record<string, unknown> = {}) {
  return {
    id: `evt-${host}-${Math.random().toString(36).slice(2)}`,
    alerts: [
      {
        _id: `a-${host}`,
        '@timestamp': '2026-11-25T09:58:12.000Z',
        host: { name: host, os: { name: 'Windows Server 2022' } },
        user: { name: 'svc-backup' },
        rule: { id: 'rule-cred-dump', name: 'Credential dumping detected', tags: ['edr', 'page'] },
        ...extra,
      },
    ],
  };
}

async function postAlert(body: unknown, workflowId: string): Promise<string> {
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflowId}`, { key: 'ingest', body });
  expect(r.status).toBe(202);
  expect(r.body.executions).toHaveLength(1);
  return r.body.executions[0].executionId;
}

beforeAll(async () => {
  standins = await startStandins();
  const dir = mkdtempSync(join(tmpdir(), 'fg-connectors-'));
  const file = join(dir, 'connectors.yaml');
  writeFileSync(file, standinConnectorsYaml(standins.urls));
  sys = await System.start({ workers: 2, env: { FLOWGATE_CONNECTORS: file } });
  await sys.putWorkflow('isolate-host-with-approval', EXAMPLE);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  await standins?.close();
});

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

it('opens a case, searches, classifies, waits, isolates after approval and records the decision', async () => {
  const isolationsBefore = standins.edr.isolations.length;
  const id = await postAlert(alert('srv-web-01'), 'isolate-host-with-approval');
  const paused = await sys.waitForExecution(id, waiting);

  const caseStep = paused.steps.find((s: any) => s.name === 'open_case');
  expect(caseStep.output.case).toMatchObject({ title: 'Potential compromise: srv-web-01', severity: 'high', tags: ['auto-triage'], status: 'open' });

  const search = standins.elasticsearch.requests.filter((r) => r.path.endsWith('/_search')).at(-1)!;
  expect(search.path).toBe('/logs-*/_search');
  expect((search.body as any).query).toEqual({ term: { 'host.name': 'srv-web-01' } });
  const hits = paused.steps.find((s: any) => s.name === 'investigate').output.hits.hits;
  expect(hits.length).toBeGreaterThan(0);

  const chat = standins.openai.chats.at(-1)!;
  expect(JSON.stringify(chat.messages)).toContain('mimikatz');
  expect(chat.response_format?.type).toBe('json_schema');
  const classify = paused.steps.find((s: any) => s.name === 'classify').output;
  expect(classify.category).toBe('confirmed_compromise');
  expect(typeof classify.rationale).toBe('string');

  expect(paused.waitingFor.message).toContain('## Alert on `srv-web-01`');
  expect(paused.waitingFor.message).toContain('**AI classification:** confirmed_compromise');
  expect(paused.waitingFor.message).toContain(`**Rationale:** ${classify.rationale}`);

  const ok = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true, notes: 'Confirmed malicious. Proceeding with isolation.' } });
  expect(ok.status).toBe(200);
  const done = await sys.waitForExecution(id);
  expect(done.status).toBe('COMPLETED');

  const isolations = standins.edr.isolations.slice(isolationsBefore);
  expect(isolations).toHaveLength(1);
  expect(isolations[0].body).toEqual({ host: 'srv-web-01', reason: 'Confirmed malicious. Proceeding with isolation.' });
  expect(isolations[0].headers.authorization).toBe('Bearer standin-edr-token');
  expect(isolations[0].headers.host).toBe('edr.example.com');
  expect(isolations[0].headers['idempotency-key']).toBe(`${id}:isolate`);
  const isolateRecord = done.steps.find((s: any) => s.name === 'isolate');
  expect(isolateRecord.status).toBe('COMPLETED');
  expect(JSON.stringify(done)).not.toContain('standin-edr-token');

  const c = await sys.request('GET', `/api/cases/${caseStep.output.case.id}`, { key: 'viewer' });
  expect(c.body.comments).toHaveLength(1);
  expect(c.body.comments[0].comment).toBe('**Decision:** isolated\n**Notes:** Confirmed malicious. Proceeding with isolation.\n');
  expect(done.steps.find((s: any) => s.name === 'review').respondedBy).toBe(KEY_NAMES.reviewer);
});

it('skips the isolation when the analyst declines', async () => {
  const before = standins.edr.isolations.length;
  const id = await postAlert(alert('wks-042'), 'isolate-host-with-approval');
  await sys.waitForExecution(id, waiting);
  expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: false } })).status).toBe(200);
  const done = await sys.waitForExecution(id);
  expect(done.status).toBe('COMPLETED');
  expect(done.steps.find((s: any) => s.name === 'isolate').status).toBe('SKIPPED');
  expect(standins.edr.isolations.length).toBe(before);
  const comment = done.steps.find((s: any) => s.name === 'record_decision').output.comment.comment;
  expect(comment).toContain('**Decision:** no action');
});

it('retries the EDR call through two 500s under retry: { max-attempts: 3 } and completes', async () => {
  const withRetry = EXAMPLE.replace('    connector-id: "edr-connector"\n', '    connector-id: "edr-connector"\n    on-failure:\n      retry: { max-attempts: 3, delay: 200ms }\n');
  expect(withRetry).not.toBe(EXAMPLE);
  await sys.putWorkflow('isolate-retry', withRetry);
  const id = await postAlert(alert('srv-web-01'), 'isolate-retry');
  await sys.waitForExecution(id, waiting);
  standins.edr.failNext(2, 500);
  const before = standins.edr.isolations.length;
  await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true, notes: 'go' } });
  const done = await sys.waitForExecution(id);
  expect(done.status).toBe('COMPLETED');
  expect(done.steps.find((s: any) => s.name === 'isolate')).toMatchObject({ status: 'COMPLETED', attempts: 3 });
  expect(standins.edr.isolations.length).toBe(before + 1);
});

it('fails the execution with a clear error when Elasticsearch is down, or goes on under continue: true', async () => {
  // Stop the Elasticsearch stand-in for this test, then bring the connector's port back.
  const es = standins.elasticsearch;
  await es.close();
  try {
    const id = await postAlert(alert('srv-web-01'), 'isolate-host-with-approval');
    const failed = await sys.waitForExecution(id, undefined, 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.error.step).toBe('investigate');
    expect(failed.error.message).toMatch(/elasticsearch/i);
    expect(failed.error.message).toMatch(/ECONNREFUSED|cannot reach|connect/i);

    const tolerant = EXAMPLE.replace('    type: elasticsearch.search\n', '    type: elasticsearch.search\n    on-failure: { continue: true }\n');
    await sys.putWorkflow('isolate-tolerant', tolerant);
    const id2 = await postAlert(alert('srv-web-01'), 'isolate-tolerant');
    const paused = await sys.waitForExecution(id2, waiting, 30_000);
    expect(paused.steps.find((s: any) => s.name === 'investigate')).toMatchObject({ status: 'FAILED', output: null });
  } finally {
    standins.elasticsearch = await startElasticsearchServer({ port: es.port });
  }
}, 60_000);

it('maps an AI answer outside the categories to fallbackCategory (triage example)', async () => {
  await sys.putWorkflow('triage-ambiguous-alert', TRIAGE);
  standins.openai.configure({ unknownCategory: 'probably_fine' });
  try {
    const id = await postAlert(alert('host-x', { rule: { id: 'r2', name: 'Odd login', tags: ['triage'] } }), 'triage-ambiguous-alert');
    const paused = await sys.waitForExecution(id, waiting);
    expect(paused.steps.find((s: any) => s.name === 'classify').output.category).toBe('needs_review');
    expect(paused.waitingFor.message).toContain('## Classify alert `Odd login` on `host-x`');
  } finally {
    standins.openai.configure({ unknownCategory: undefined });
  }
});

it('refuses an http step whose templated URL points at loopback or a metadata address', async () => {
  const ssrf = `name: SSRF
triggers: [{ type: alert }]
steps:
  - name: fetch
    type: http
    with:
      url: "{{ event.alerts[0].url }}"
`;
  await sys.putWorkflow('ssrf', ssrf);
  for (const url of [`${standins.urls.edr}/isolate`, 'http://169.254.169.254/latest/meta-data/']) {
    const id = await postAlert({ alerts: [{ url }] }, 'ssrf');
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('FAILED');
    expect(done.error.step).toBe('fetch');
    expect(done.error.type).toBe('url_not_allowed');
  }
});
