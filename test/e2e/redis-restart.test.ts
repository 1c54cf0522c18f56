/**
 * docs/semantics.md "Guarantees": an accepted alert (202) or answer (200) survives a Redis restart by SIGTERM (what
 * `systemctl restart` does: Redis flushes its AOF). A real redis-server with AOF is stopped right
 * after the answers, while the API and two workers keep running and reconnect on their own.
 */
import { startRedis } from '../helpers/redis-server';
import { KEY_NAMES, System } from '../helpers/system';

let sys: System;

beforeAll(async () => {
  sys = await System.start({ redis: await startRedis({ appendonly: true }), workers: 2 });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  await sys?.redis.stop();
});

/**
 * Restarts Redis, then waits for the API to be healthy: while its connection is down (a few hundred
 * ms after the restart) the API answers 503 redis_unavailable with Retry-After, as a client would see.
 */
async function restartRedis(): Promise<void> {
  await sys.redis.restart();
  const deadline = Date.now() + 10_000;
  while ((await sys.request('GET', '/api/health', { key: null })).status !== 200) {
    if (Date.now() > deadline) throw new Error('the API did not reconnect within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function statusesOf(ids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const s = (await sys.request('GET', `/api/workflowExecutions/${id}`)).body.status ?? 'MISSING';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

async function until(ids: string[], want: Record<string, number>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, number> = {};
  while (Date.now() < deadline) {
    last = await statusesOf(ids);
    if (JSON.stringify(Object.entries(last).sort()) === JSON.stringify(Object.entries(want).sort())) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wanted ${JSON.stringify(want)}, have ${JSON.stringify(last)}`);
}

it('accepted alerts, accepted answers and a pending timeout survive two Redis restarts', async () => {
  await sys.putWorkflow(
    'gate',
    'name: Gate\ntriggers: [{ type: alert }]\nsteps:\n  - name: look\n    type: console\n    with: { message: "{{ event.alerts[0].host.name }}" }\n  - name: review\n    type: waitForApproval\n    with: { message: "isolate {{ event.alerts[0].host.name }}?" }\n  - name: after\n    type: data.set\n    with: { decided: "${{ steps.review.output.approved }}" }\n',
  );
  await sys.putWorkflow('timed', 'name: Timed\ntriggers: [{ type: manual }]\nsettings: { timeout: 4s }\nsteps:\n  - name: review\n    type: waitForApproval\n    with: { message: "ok?" }\n');

  // 1. 60 alerts accepted (a start batch), then Redis restarts before the workers are done with them.
  const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ host: { name: `h${i}` } })).join('\n');
  const bulk = await sys.request('POST', '/api/alerts/_bulk', { raw: lines, headers: { 'content-type': 'application/x-ndjson' } });
  expect(bulk.status).toBe(202);
  expect(bulk.body).toMatchObject({ accepted: 60, executions: 60, errors: [] });
  const timed = (await sys.request('POST', '/api/workflows/timed/run', { body: { inputs: {} } })).body.executionId;
  const restartedAt = Date.now();
  await restartRedis();

  const list = await sys.request('GET', '/api/workflowExecutions?workflowId=gate&limit=100');
  const ids: string[] = list.body.results.map((e: any) => e.id);
  expect(ids).toHaveLength(60);
  await until(ids, { WAITING_FOR_INPUT: 60 });

  // 2. 30 answers accepted, then Redis restarts again at once.
  const answered = ids.slice(0, 30);
  for (const id of answered) expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { body: { approved: true } })).status).toBe(200);
  await restartRedis();

  await until(answered, { COMPLETED: 30 });
  await until(ids.slice(30), { WAITING_FOR_INPUT: 30 });
  for (const id of answered) {
    const e = (await sys.request('GET', `/api/workflowExecutions/${id}`)).body;
    expect(e.steps.map((s: any) => [s.path, s.status])).toEqual([['look', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'COMPLETED']]);
    expect(e.steps.find((s: any) => s.path === 'review')).toMatchObject({ respondedBy: KEY_NAMES.admin, output: { approved: true } });
  }

  // 3. The timeout timer, created before both restarts, still fires.
  const t = await sys.waitForExecution(timed, undefined, 20_000);
  expect(t.status).toBe('CANCELLED');
  expect(t.cancellation.reason).toBe('timeout');
  expect(Date.parse(t.cancellation.at) - restartedAt).toBeLessThan(15_000);

  // 4. The rest are answered after the restarts and complete too.
  for (const id of ids.slice(30)) expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { body: { approved: false } })).status).toBe(200);
  await until(ids, { COMPLETED: 60 });
}, 120_000);
