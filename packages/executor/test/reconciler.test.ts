/**
 * The reconciler (docs/semantics.md "Guarantees": never PENDING or RUNNING for more than 15 s without a job moving it
 * forward; a timeout whose timer was lost still cancels), on a real redis-server.
 */
import type IORedis from 'ioredis';
import { validateWorkflow } from '@flowgate/workflow-format';
import { reconcileOnce, startExecutions } from '../src';
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

  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0 }); // too recent to be stranded
  await age(ids, 'na', 11_000);
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 25, timedOut: 0 });
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0 }); // their jobs are queued now
  h.resume();
  for (const id of ids) expect((await h.done(id)).exec.status).toBe('COMPLETED');
});

it('cancels a waiting execution whose timeout timer was lost, on a pass that sweeps waits', async () => {
  const [id] = await start('name: R\ntriggers: [{ type: manual }]\nsettings: { timeout: 1h }\nsteps:\n  - name: ask\n    type: waitForApproval\n    with: { message: ok? }\n', 1);
  await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  await h.rt.queues.timers.remove(`t#${id}`);
  await age([id], 'dl', 3000); // the deadline passed 3 s ago

  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: false })).toEqual({ requeued: 0, timedOut: 0 });
  expect(await reconcileOnce(h.rt, 'me', { sweepWaits: true })).toEqual({ requeued: 0, timedOut: 1 });
  const exec = (await h.rt.executions.load(id))!;
  expect(exec.status).toBe('CANCELLED');
  expect(exec.cancellation).toMatchObject({ reason: 'timeout', by: 'system' });
});

it('runs on one worker at a time: another owner is refused while the lease is held', async () => {
  expect(await reconcileOnce(h.rt, 'worker-a', { leaseMs: 5000 })).not.toBeNull();
  expect(await reconcileOnce(h.rt, 'worker-b', { leaseMs: 5000 })).toBeNull();
  expect(await reconcileOnce(h.rt, 'worker-a', { leaseMs: 5000 })).not.toBeNull();
});
