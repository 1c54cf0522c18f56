/**
 * Flowgate on a real Redis Cluster (FLOWGATE_REDIS_CLUSTER): three redis-server masters on free
 * ports, the API process and two workers. Executions spread over the shards; everything a user does
 * with them (start, bulk ingestion, wait for input, resume, cases, lists, cancel, timeouts, metrics)
 * must work the same as on one Redis.
 */
import { createServer, type Server } from 'node:http';
import type IORedis from 'ioredis';
import { System, KEY_NAMES } from '../helpers/system';
import { waitFor } from '../helpers/net';

let sys: System;
let slow: Server;
let slowPort = 0;
/** the requests the slow server holds open; each resolves with how long it stayed open (ms) */
const slowCalls: Promise<number>[] = [];

beforeAll(async () => {
  // An http step to this server runs until it is aborted (a cancel reaches its worker by pub/sub).
  slow = createServer((req) => {
    const at = Date.now();
    slowCalls.push(new Promise((r) => req.socket.once('close', () => r(Date.now() - at))));
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  slowPort = (slow.address() as { port: number }).port;
  sys = await System.start({ cluster: true, workers: 2, env: { FLOWGATE_HTTP_ALLOWED_HOSTS: `127.0.0.1:${slowPort}` } });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  slow?.closeAllConnections();
  slow?.close();
});

const GATE = `
name: Gate
triggers: [{ type: manual }]
steps:
  - name: open_case
    type: cases.createCase
    with: { title: "Check {{ inputs.host }}", severity: high }
  - name: hello
    type: console
    with: { message: "host {{ inputs.host }}" }
  - name: review
    type: waitForInput
    with:
      message: "Isolate {{ inputs.host }}?"
      schema:
        type: object
        properties:
          approved: { type: boolean }
          notes: { type: string }
        required: [approved]
  - name: decide
    type: if
    condition: "steps.review.output.approved : true"
    steps:
      - name: note
        type: cases.addComment
        with:
          case_id: "{{ steps.open_case.output.case.id }}"
          comment: "approved by {{ steps.review.respondedBy }}: {{ steps.review.output.notes }}"
`;

/** Alert-triggered: every matching event waits for a human. */
const TRIAGE = (tag: string, settings = '') => `
name: Triage ${tag}
${settings}triggers:
  - type: alert
    on:
      condition: "rule.tags : ${tag}"
steps:
  - name: seen
    type: console
    with: { message: "{{ event.alerts[0].host.name }}" }
  - name: review
    type: waitForApproval
    with: { message: "Escalate {{ event.alerts[0].host.name }}?" }
`;

const waitingForInput = (e: any) => e?.status === 'WAITING_FOR_INPUT';

function ndjson(tag: string, n: number, prefix: string): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ alerts: [{ host: { name: `${prefix}-${i}` }, rule: { name: 'r', tags: [tag] } }] })).join('\n');
}

async function bulk(raw: string): Promise<{ status: number; body: any }> {
  return sys.request('POST', '/api/alerts/_bulk', { key: 'ingest', raw, headers: { 'content-type': 'application/x-ndjson' } });
}

/** Every page of a list query (`limit` per page), following nextCursor. */
async function listAll(query: string, limit: number): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const r = await sys.request('GET', `/api/workflowExecutions?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { key: 'viewer' });
    expect(r.status).toBe(200);
    rows.push(...r.body.results);
    cursor = r.body.nextCursor;
    if (!cursor) return rows;
  }
  throw new Error('too many pages');
}

/** The node (index into cluster.ports) that owns each key, from CLUSTER SLOTS and CLUSTER KEYSLOT. */
async function ownersOf(keys: string[]): Promise<number[]> {
  const [node] = sys.cluster!.nodeClients();
  const slots = (await node.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const owner = (slot: number) => {
    const range = slots.find(([from, to]) => slot >= from && slot <= to)!;
    return sys.cluster!.ports.indexOf(Number(range[2][1]));
  };
  return Promise.all(keys.map(async (k) => owner(Number(await node.call('CLUSTER', 'KEYSLOT', k)))));
}

describe('Flowgate on a 3-master Redis Cluster', () => {
  let bulkIds: string[] = [];
  let nodes: IORedis[];

  beforeAll(async () => {
    nodes = sys.cluster!.nodeClients();
    await sys.putWorkflow('gate', GATE);
  });

  it('runs the human gate: wait for input, a refused answer (400), resume, case comment, COMPLETED, a second answer 409', async () => {
    const start = await sys.request('POST', '/api/workflows/gate/run', { key: 'editor', body: { inputs: { host: 'web-01' } } });
    expect(start.status).toBe(202);
    const id = start.body.executionId;
    const waiting = await sys.waitForExecution(id, waitingForInput);
    expect(waiting.waitingFor).toMatchObject({ step: 'review', type: 'waitForInput', message: 'Isolate web-01?' });

    const bad = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    const ok = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true, notes: 'confirmed' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ executionId: id, status: 'RUNNING', step: 'review' });
    const again = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer2', body: { approved: false } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_waiting');

    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.map((s: any) => s.path)).toEqual(['open_case', 'hello', 'review', 'decide', 'decide/note']);
    const review = done.steps.find((s: any) => s.path === 'review');
    expect(review).toMatchObject({ status: 'COMPLETED', output: { approved: true, notes: 'confirmed' }, respondedBy: KEY_NAMES.reviewer });
    expect(review.responses.map((r: any) => [r.by, r.accepted, r.code])).toEqual([
      [KEY_NAMES.reviewer, false, 400],
      [KEY_NAMES.reviewer, true, 200],
      [KEY_NAMES.reviewer2, false, 409],
    ]);

    // The case (its own hash tag, another shard than the execution, most likely) holds the comment.
    const caseId = done.steps.find((s: any) => s.path === 'open_case').output.case.id;
    const c = await sys.request('GET', `/api/cases/${caseId}`, { key: 'viewer' });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ id: caseId, title: 'Check web-01', executionId: id });
    expect(c.body.comments.map((x: any) => x.comment)).toEqual([`approved by ${KEY_NAMES.reviewer}: confirmed`]);
    const cases = await sys.request('GET', '/api/cases', { key: 'viewer' });
    expect(cases.body.results.map((x: any) => x.id)).toContain(caseId);
  });

  it('ingests 60 alerts in one bulk request (a start batch on the timers queue): every execution reaches its wait', async () => {
    await sys.putWorkflow('triage', TRIAGE('cl-bulk'));
    const r = await bulk(ndjson('cl-bulk', 60, 'bulk'));
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: 60, executions: 60, errors: [] });

    await waitFor(async () => (await listAll('workflowId=triage&status=WAITING_FOR_INPUT', 500)).length === 60, 20_000, 'the 60 executions to wait for input', 200);
    const rows = await listAll('workflowId=triage', 500);
    expect(rows).toHaveLength(60);
    bulkIds = rows.map((e) => e.id);
    const full = await sys.execution(bulkIds[0]);
    expect(full.steps.map((s: any) => [s.path, s.status])).toEqual([
      ['seen', 'COMPLETED'],
      ['review', 'WAITING_FOR_INPUT'],
    ]);
    expect(full.steps[0].output).toMatch(/^bulk-\d+$/);
  });

  it('spreads the executions over the shards: each key lives on the node that owns its slot', async () => {
    const keys = bulkIds.map((id) => `fg:{${id}}:e`);
    const owners = await ownersOf(keys);
    const perNode = sys.cluster!.ports.map((_, n) => owners.filter((o) => o === n).length);
    // 60 execution hashes over 3 masters: every master holds some (the chance of one holding none is ~1e-10).
    expect(perNode.every((n) => n > 0)).toBe(true);
    for (let i = 0; i < keys.length; i++) expect(await nodes[owners[i]].exists(keys[i])).toBe(1);
    const sizes = await Promise.all(nodes.map((n) => n.dbsize()));
    expect(sizes.every((s) => s > 0)).toBe(true);
  });

  it('lists executions by status across shards, page by page, and the inbox oldest first', async () => {
    const pages = await listAll('status=WAITING_FOR_INPUT', 7);
    expect(new Set(pages.map((e) => e.id))).toEqual(new Set(bulkIds));
    expect(pages).toHaveLength(60);
    const ids = pages.map((e) => e.id);
    expect(ids).toEqual([...ids].sort().reverse()); // newest first by default

    const inbox = await sys.request('GET', '/api/workflowExecutions?status=WAITING_FOR_INPUT&order=asc&limit=500', { key: 'reviewer' });
    expect(inbox.status).toBe(200);
    expect(inbox.body.results.map((e: any) => e.id)).toEqual([...bulkIds].sort());
    expect(inbox.body.results[0]).toMatchObject({ status: 'WAITING_FOR_INPUT', workflowId: 'triage' });

    const completed = await listAll('status=COMPLETED', 50);
    expect(completed.map((e) => e.workflowId)).toEqual(['gate']);
    const all = await listAll('order=asc', 25);
    expect(all).toHaveLength(61);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort());
  });

  it('cancels a waiting execution (a second cancel is already_finished) and a running http step through pub/sub', async () => {
    const id = bulkIds[0];
    const cancel = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ executionId: id, status: 'CANCELLED' });
    const again = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_finished');
    const e = await sys.execution(id);
    expect(e).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'user', by: KEY_NAMES.reviewer } });
    expect(e.steps.find((s: any) => s.path === 'review').status).toBe('CANCELLED');
    const cancelled = await listAll('status=CANCELLED', 50);
    expect(cancelled.map((x) => x.id)).toEqual([id]);
    expect((await listAll('status=WAITING_FOR_INPUT', 500)).map((x) => x.id)).not.toContain(id);

    await sys.putWorkflow('hang', `name: Hang\ntriggers: [{ type: manual }]\nsteps:\n  - name: call\n    type: http\n    with: { url: "http://127.0.0.1:${slowPort}/hang" }\n`);
    const run = await sys.request('POST', '/api/workflows/hang/run', { body: { inputs: {} } });
    await sys.waitForExecution(run.body.executionId, (x) => x?.steps?.find((s: any) => s.path === 'call')?.status === 'RUNNING');
    await waitFor(() => slowCalls.length === 1, 5000, 'the http step to reach the slow server');
    const t0 = Date.now();
    expect((await sys.request('POST', `/api/workflowExecutions/${run.body.executionId}/cancel`)).status).toBe(200);
    // The worker running the step hears the cancel on fg:cancel and aborts the call (else it hangs).
    const openFor = await Promise.race([slowCalls[0], new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    expect(openFor).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    const hung = await sys.execution(run.body.executionId);
    expect(hung.status).toBe('CANCELLED');
    expect(hung.steps[0].status).toBe('CANCELLED');
  });

  it('settings.timeout cancels waiting executions at their deadline, bulk-started ones included', async () => {
    await sys.putWorkflow('timed', TRIAGE('cl-timed', 'settings: { timeout: 2s }\n'));
    const r = await bulk(ndjson('cl-timed', 25, 'timed'));
    expect(r.body).toEqual({ accepted: 25, executions: 25, errors: [] });
    const ids = (await listAll('workflowId=timed', 50)).map((e) => e.id);
    expect(ids).toHaveLength(25);
    await waitFor(async () => (await listAll('workflowId=timed&status=CANCELLED', 50)).length === 25, 10_000, 'the 25 timed executions to be cancelled', 200);
    for (const id of ids) {
      const e = await sys.execution(id);
      expect(e.cancellation).toMatchObject({ reason: 'timeout', by: 'system' });
      expect(e.steps.find((s: any) => s.path === 'review').status).toBe('CANCELLED');
      const late = Date.parse(e.cancellation.at) - (Date.parse(e.createdAt) + 2000);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1500);
    }
  });

  it('answers GET /metrics with the workers’ counts and the gauges read from every shard', async () => {
    await new Promise((r) => setTimeout(r, 600)); // workers flush their counts every 200 ms here
    const res = await fetch(`${sys.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    // 60 + 25 alert executions reached their wait; their console step and the gate's ran before
    expect(text).toMatch(/flowgate_steps_total\{type="waitForApproval",outcome="waitForInput"\} 85\n/);
    expect(text).toMatch(/flowgate_steps_total\{type="console",outcome="output"\} 86\n/);
    expect(text).toMatch(/flowgate_executions_finished_total\{status="COMPLETED"\} 1\n/);
    expect(text).toMatch(/flowgate_executions_finished_total\{status="CANCELLED"\} 27\n/);
    expect(text).toMatch(/flowgate_executions\{status="WAITING_FOR_INPUT"\} 59\n/);
    expect(text).toMatch(/flowgate_executions\{status="CANCELLED"\} 27\n/);
    expect(text).toMatch(/flowgate_waiting_for_input 59\n/);
    expect(text).toMatch(/flowgate_waiting_for_input_oldest_seconds [1-9]/);
    expect(text).toMatch(/flowgate_queue_jobs\{queue="steps",state="waiting"\} 0\n/);
  });

  it('answers a repeated alert (same id) with the first answer, and starts nothing more', async () => {
    const alert = { id: 'cl-alert-1', host: { name: 'idem-host' }, rule: { name: 'r', tags: ['cl-bulk'] } };
    const first = await sys.request('POST', '/api/alerts', { key: 'ingest', body: alert });
    expect(first.status).toBe(202);
    expect(first.body.executions).toEqual([{ executionId: expect.any(String), workflowId: 'triage' }]);
    const again = await sys.request('POST', '/api/alerts', { key: 'ingest', body: alert });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    await sys.waitForExecution(first.body.executions[0].executionId, waitingForInput);
    expect(await listAll('workflowId=triage', 500)).toHaveLength(61);
  });

  it('queues the step after a resume only once the commit is acknowledged by the execution’s shard', async () => {
    // The execution and the steps queue ({fgq}) are on different shards, so nothing orders their
    // writes but Flowgate: the job is added after the commit answered. CLIENT PAUSE WRITE on the
    // execution's shard holds the commit's answer (the script runs; its reply waits for the pause).
    // The pause stays under the API's 1 s command timeout (docs/operations.md "Redis outages"): a
    // longer one would answer 503 redis_unavailable, the commit applied when the pause ends.
    await sys.putWorkflow('ask', `name: Ask\ntriggers: [{ type: manual }]\nsteps:\n  - name: ask\n    type: waitForApproval\n    with: { message: "ok?" }\n  - name: after\n    type: console\n    with: { message: "{{ steps.ask.output.approved }}" }\n`);
    const [queueNode] = await ownersOf(['{fgq}:steps:id']);
    let id = '';
    let node = queueNode;
    for (let tries = 0; tries < 30 && node === queueNode; tries++) {
      id = (await sys.request('POST', '/api/workflows/ask/run', { body: { inputs: {} } })).body.executionId;
      [node] = await ownersOf([`fg:{${id}}:e`]);
    }
    expect(node).not.toBe(queueNode);
    await sys.waitForExecution(id, waitingForInput);

    await nodes[node].call('CLIENT', 'PAUSE', '800', 'WRITE');
    const t0 = Date.now();
    const resuming = sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } });
    await new Promise((r) => setTimeout(r, 450));
    expect(await nodes[queueNode].exists(`{fgq}:steps:${id}#after#1`)).toBe(0);
    const during = await sys.execution(id);
    expect(during.status).toBe('RUNNING');
    expect(during.steps.find((s: any) => s.path === 'after').status).toBe('PENDING');
    const resumed = await resuming;
    expect(resumed.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
    const done = await sys.waitForExecution(id, undefined, 5000);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.find((s: any) => s.path === 'after').output).toBe('true');
  });

  it('keeps workflows (list, delete) and logs no error on the way', async () => {
    const list = await sys.request('GET', '/api/workflows', { key: 'viewer' });
    expect(list.status).toBe(200);
    const wfIds = list.body.results.map((w: any) => w.id);
    expect(wfIds).toEqual(expect.arrayContaining(['gate', 'triage', 'hang', 'timed', 'ask']));
    expect((await sys.request('DELETE', '/api/workflows/hang')).status).toBe(204);
    expect((await sys.request('GET', '/api/workflows/hang', { key: 'viewer' })).status).toBe(404);
    // The processes log warnings and errors only (FLOWGATE_LOG_LEVEL=warn): a failed metrics flush,
    // gauge refresh, reconciler pass or job would show here. The one expected line: the http step
    // that its cancel aborted.
    const problems = sys.output
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => !(l.includes('"msg":"step failed"') && l.includes('"step":"call"') && l.includes('"error":"execution cancelled"')));
    expect(problems).toEqual([]);
  });
});
