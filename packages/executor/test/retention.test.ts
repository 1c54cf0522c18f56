/**
 * The retention sweep (docs/operations.md "Retention") on a real redis-server: finished executions
 * leave Redis with everything they held once FLOWGATE_RETENTION has passed since they finished;
 * waiting ones, cases and idempotency keys stay. The clock is injected: no test waits for a retention.
 */
import type IORedis from 'ioredis';
import { holdLease, resumeExecution, cancelExecution, retentionFromEnv, sweepFinished } from '../src';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());
beforeEach(() => {
  h = new ExecutorHarness(redis);
});
afterEach(async () => h.close());

const header = 'name: T\ntriggers: [{ type: manual }]\n';
const LOOP = `${header}steps:\n  - name: each\n    type: foreach\n    foreach: '\${{ inputs.hosts }}'\n    steps:\n      - name: say\n        type: console\n        with: { message: "{{ foreach.item }}" }\n  - name: open\n    type: cases.createCase\n    with: { title: "case of {{ execution.id }}" }\n`;
const ASK = `${header}steps:\n  - name: review\n    type: waitForApproval\n    with: { message: ok? }\n`;
const FAIL = `${header}steps:\n  - name: boom\n    type: workflow.fail\n    with: { message: no }\n`;

/** Every key in Redis that carries the execution's hash tag. */
async function keysOf(id: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `*{${id}}*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function inIndexes(id: string): Promise<string[]> {
  const k = h.rt.keys;
  const sets = [k.finished(), k.byWorkflow('loop'), k.byWorkflow('ask'), k.byWorkflow('fail'), ...['COMPLETED', 'FAILED', 'CANCELLED', 'WAITING_FOR_INPUT'].map((s) => k.byStatus(s))];
  const hits: string[] = [];
  for (const key of sets) if ((await redis.zscore(key, id)) !== null || (await redis.zrank(key, id)) !== null) hits.push(key);
  return hits;
}

it('removes finished executions (completed, failed, cancelled, answered) with their records, answers, loop items and index entries; the waiting one and the cases stay', async () => {
  const completed = await h.start('loop', LOOP, { inputs: { hosts: ['a', 'b'] } });
  const failed = await h.start('fail', FAIL);
  const answered = await h.start('ask', ASK);
  const cancelled = await h.start('ask', ASK);
  const waiting = await h.start('ask', ASK);
  for (const id of [answered, cancelled, waiting]) await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  expect(await resumeExecution(h.rt, answered, { approved: true }, 'alice')).toMatchObject({ ok: true });
  await resumeExecution(h.rt, answered, { approved: false }, 'bob'); // a late answer: recorded as a 409 attempt
  expect(await cancelExecution(h.rt, cancelled, { reason: 'user', by: 'carol' })).toMatchObject({ ok: true });
  for (const id of [completed, failed, answered, cancelled]) await h.done(id);
  const caseId = ((await h.done(completed)).step('open')!.output as { case: { id: string } }).case.id;
  await redis.set(h.rt.keys.idempotency('ingest', 'alert-1'), '{"status":202}', 'PX', 60_000);

  expect(await keysOf(completed)).toEqual(expect.arrayContaining([h.rt.keys.execution(completed), h.rt.keys.loopItems(completed)]));
  // Not yet: they finished less than the retention ago.
  expect(await sweepFinished(h.rt, 'me', { retentionMs: 60_000 })).toEqual({ removed: 0 });

  expect(await sweepFinished(h.rt, 'me', { retentionMs: 60_000, now: Date.now() + 61_000 })).toEqual({ removed: 4 });
  for (const id of [completed, failed, answered, cancelled]) {
    expect(await keysOf(id)).toEqual([]);
    expect(await inIndexes(id)).toEqual([]);
    expect(await h.rt.executions.load(id)).toBeNull();
  }
  expect((await h.rt.executions.load(waiting))!.status).toBe('WAITING_FOR_INPUT');
  expect(await inIndexes(waiting)).toEqual([h.rt.keys.byWorkflow('ask'), h.rt.keys.byStatus('WAITING_FOR_INPUT')]);
  expect(await h.rt.cases.get(caseId)).toMatchObject({ id: caseId, executionId: completed });
  expect(await redis.get(h.rt.keys.idempotency('ingest', 'alert-1'))).not.toBeNull();
  // A late answer to a removed execution finds nothing and leaves nothing behind.
  expect(await resumeExecution(h.rt, answered, { approved: true }, 'dave')).toEqual({ ok: false, code: 'not_found' });
  expect(await keysOf(answered)).toEqual([]);
});

it('works through a backlog in batches and leaves the rest to the next pass when its time budget is spent', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) ids.push(await h.start('fail', FAIL));
  for (const id of ids) await h.done(id);
  const later = Date.now() + 10_000;
  // A budget of 0 ms: one batch per pass.
  expect(await sweepFinished(h.rt, 'me', { retentionMs: 1000, now: later, batch: 10, budgetMs: 0 })).toEqual({ removed: 10 });
  expect(await sweepFinished(h.rt, 'me', { retentionMs: 1000, now: later, batch: 10 })).toEqual({ removed: 15 });
  expect(await redis.zcard(h.rt.keys.finished())).toBe(0);
  for (const id of ids) expect(await keysOf(id)).toEqual([]);
});

it('sweeps on one worker at a time (the reconciler lease)', async () => {
  expect(await holdLease(h.rt, 'worker-a', 5000)).toBe(true);
  expect(await sweepFinished(h.rt, 'worker-b', { retentionMs: 1000 })).toBeNull();
  expect(await sweepFinished(h.rt, 'worker-a', { retentionMs: 1000 })).toEqual({ removed: 0 });
  await redis.del(h.rt.keys.reconcilerLease());
});

it('FLOWGATE_RETENTION: a duration, 7d by default, or forever; anything else is refused with the variable named', () => {
  expect(retentionFromEnv(undefined)).toBe(7 * 86_400_000);
  expect(retentionFromEnv('30s')).toBe(30_000);
  expect(retentionFromEnv('1d12h')).toBe(36 * 3_600_000);
  expect(retentionFromEnv('forever')).toBeNull();
  expect(() => retentionFromEnv('a week')).toThrow('FLOWGATE_RETENTION: "a week" is not a duration (such as 7d, 36h or 30s) or "forever"');
  expect(() => retentionFromEnv('500ms')).toThrow('shorter than 1s');
});
