/**
 * The reconciler (docs/semantics.md "Guarantees": never PENDING or RUNNING for more than 15 s without a job moving it
 * forward; a timeout whose timer was lost still cancels), on a real redis-server.
 */
import type IORedis from 'ioredis';
import { validateWorkflow } from '@flowgate/workflow-format';
import { StepError } from '@flowgate/engine';
import { builtinRegistry } from '@flowgate/steps';
import { ContinuationNotCommitted, processTimerJob, ReconcilerMemory, reconcileOnce, startExecutions } from '../src';
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
afterEach(async () => h.close(true));

async function start(yaml: string, count: number): Promise<string[]> {
  const version = await h.save('r', yaml);
  const definition = validateWorkflow(yaml).definition!;
  return startExecutions(h.rt, Array.from({ length: count }, () => ({ workflowId: 'r', version, definition, trigger: 'manual' as const, triggeredBy: 'tester' })));
}

/** Makes the executions look as if their continuation was committed `ms` ago. */
async function age(ids: string[], field: 'na' | 'dl', ms: number): Promise<void> {
  for (const id of ids) await redis.hset(h.rt.keys.execution(id), field, String(Date.now() - ms));
}

it('re-queues the first steps of executions whose start batch was lost, once they are 10 s old, and they complete', async () => {
  await h.pause();
  const ids = await start('name: R\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: a }\n', 25);
  // The start batch is lost (say, removed by hand before any worker took it).
  await h.rt.queues.timers.remove(`sb#${ids[0]}`);

  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0, timers: 0, repaired: 0 }); // too recent to be stranded
  await age(ids, 'na', 11_000);
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 25, timedOut: 0, timers: 0, repaired: 0 });
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0, timers: 0, repaired: 0 }); // their jobs are queued now
  h.resume();
  for (const id of ids) expect((await h.done(id)).exec.status).toBe('COMPLETED');
});

it('cancels a waiting execution whose timeout timer was lost, on a pass that sweeps waits', async () => {
  const [id] = await start('name: R\ntriggers: [{ type: manual }]\nsettings: { timeout: 1h }\nsteps:\n  - name: ask\n    type: waitForApproval\n    with: { message: ok? }\n', 1);
  await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  await h.rt.queues.timers.remove(`t#${id}`);
  await age([id], 'dl', 3000); // the deadline passed 3 s ago

  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0, timers: 0, repaired: 0 });
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: true })).toEqual({ requeued: 0, timedOut: 1, timers: 0, repaired: 0 });
  const exec = (await h.rt.executions.load(id))!;
  expect(exec.status).toBe('CANCELLED');
  expect(exec.cancellation).toMatchObject({ reason: 'timeout', by: 'system' });
});

it('runs on one worker at a time: another owner is refused while the lease is held', async () => {
  expect(await reconcileOnce(h.rt, 'worker-a', { leaseMs: 5000 })).not.toBeNull();
  expect(await reconcileOnce(h.rt, 'worker-b', { leaseMs: 5000 })).toBeNull();
  expect(await reconcileOnce(h.rt, 'worker-a', { leaseMs: 5000 })).not.toBeNull();
});

/** Every timer job of the test's queue, removed as a lost job would be. */
async function loseTimers(): Promise<number> {
  const jobs = await h.rt.queues.timers.getJobs(['delayed', 'waiting']);
  for (const j of jobs) await j.remove();
  return jobs.length;
}

it('re-creates lost timers: a wait, a retry delay and a wait for input past its own timeout all move on after one pass', async () => {
  // A step that fails once with a retryable error, so that the execution waits for its retry.
  let calls = 0;
  const registry = builtinRegistry().register({
    type: 'http',
    async run() {
      if (calls++ === 0) throw new StepError('network', 'connection reset', { retryable: true });
      return { kind: 'output', output: 'ok' };
    },
  });
  await h.close(true);
  h = new ExecutorHarness(redis, { registry });
  const [waiting] = await start('name: W\ntriggers: [{ type: manual }]\nsteps:\n  - name: pause\n    type: wait\n    with: { duration: 1h }\n', 1);
  const retrying = await h.start('retry', 'name: R\ntriggers: [{ type: manual }]\nsteps:\n  - name: call\n    type: http\n    with: { url: "https://x.example" }\n    on-failure: { retry: { max-attempts: 2, delay: 1h } }\n');
  const asking = await h.start('ask', 'name: A\ntriggers: [{ type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    timeout: 1h\n    with: { message: ok? }\n    on-failure: { continue: true }\n  - name: after\n    type: console\n    with: { message: "{{ steps.review.error.type }}" }\n');
  await h.until(waiting, (s) => s === 'WAITING');
  await h.until(retrying, (s) => s === 'WAITING');
  await h.until(asking, (s) => s === 'WAITING_FOR_INPUT');
  expect(await loseTimers()).toBe(3);

  // Not due yet: nothing to re-create.
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: true })).toMatchObject({ timers: 0 });
  // An hour later (the times written back instead of waiting): all three are due and their jobs gone.
  await age([waiting, retrying], 'na', 5000);
  const wait = JSON.parse((await redis.hget(h.rt.keys.execution(asking), 'wait'))!);
  await redis.hset(h.rt.keys.execution(asking), 'wait', JSON.stringify({ ...wait, at: Date.now() - 3_605_000 }));
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: true })).toMatchObject({ timers: 3 });

  expect((await h.done(waiting)).step('pause')).toMatchObject({ status: 'COMPLETED' });
  expect((await h.done(retrying)).step('call')).toMatchObject({ status: 'COMPLETED', attempts: 2, output: 'ok' });
  const timedOut = await h.done(asking);
  expect(timedOut.step('review')).toMatchObject({ status: 'FAILED', error: { type: 'timeout' } });
  expect(timedOut.step('after')!.output).toBe('timeout');
});

it('a timer that arrives ahead of the commit parking its execution is retried, not dropped', async () => {
  await h.pause();
  const [pausing] = await start('name: W\ntriggers: [{ type: manual }]\nsteps:\n  - name: pause\n    type: wait\n    with: { duration: 1s }\n', 1);
  const [asking] = await start('name: A\ntriggers: [{ type: manual }]\nsteps:\n  - name: review\n    type: waitForInput\n    timeout: 1s\n    with: { message: ok? }\n', 1);
  // Their step jobs have not run yet: the wake and the wait's timeout find the step still to commit.
  await expect(processTimerJob(h.rt, { kind: 'wake', executionId: pausing, path: 'pause', attempt: 1 })).rejects.toBeInstanceOf(ContinuationNotCommitted);
  await expect(processTimerJob(h.rt, { kind: 'step-timeout', executionId: asking, path: 'review', attempt: 1 })).rejects.toBeInstanceOf(ContinuationNotCommitted);
  h.resume();
  expect((await h.done(pausing)).exec.status).toBe('COMPLETED');
  expect((await h.done(asking)).exec).toMatchObject({ status: 'FAILED', error: { type: 'timeout' } });
});

it('walks each status index to its end with a cursor: more than 5,000 stranded executions are all re-queued', async () => {
  await h.pause();
  const ids = await start('name: R\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: a }\n', 5_200);
  await h.rt.queues.timers.remove(`sb#${ids[0]}`);
  await age(ids, 'na', 11_000);
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toMatchObject({ requeued: 5_200 });
  expect(await h.rt.queues.steps.getJobCountByTypes('waiting', 'prioritized')).toBe(5_200);
}, 60_000);

it('repairs an index entry that still disagrees with its execution a pass later, and never runs two passes at once', async () => {
  const [done] = await start('name: R\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: a }\n', 1);
  await h.done(done);
  const k = h.rt.keys;
  // A crash between the commit and its index update: still listed RUNNING, in no finished index.
  await redis.zadd(k.byStatus('RUNNING'), 0, done);
  await redis.zrem(k.byStatus('COMPLETED'), done);
  await redis.zrem(k.finished(), done);
  // And an entry whose execution is gone.
  await redis.zadd(k.byStatus('PENDING'), 0, '01GONE0000000000000000000');
  const memory = new ReconcilerMemory();
  expect(await reconcileOnce(h.rt, 'me', { memory })).toMatchObject({ repaired: 0 }); // first sight: a transition may be under way
  expect(await reconcileOnce(h.rt, 'me', { memory })).toMatchObject({ repaired: 2 });
  expect(await redis.zscore(k.byStatus('RUNNING'), done)).toBeNull();
  expect(await redis.zscore(k.byStatus('COMPLETED'), done)).not.toBeNull();
  expect(await redis.zscore(k.finished(), done)).not.toBeNull();
  expect(await redis.zscore(k.byStatus('PENDING'), '01GONE0000000000000000000')).toBeNull();
  expect(await reconcileOnce(h.rt, 'me', { memory })).toMatchObject({ repaired: 0 });

  // The same process never overlaps two passes.
  const [a, b] = await Promise.all([reconcileOnce(h.rt, 'me', { memory }), reconcileOnce(h.rt, 'me', { memory })]);
  expect([a, b].filter((r) => r === null)).toHaveLength(1);
});
