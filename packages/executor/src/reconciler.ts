import { ACTIVE_STATUSES, isMoving, MOVING_STATUSES, parseStepKey } from '@flowgate/engine';
import { jobIds } from '@flowgate/queue';
import { cancelExecution } from './cancel';
import type { Runtime } from './runtime';

const STALE_MS = 10_000;
const LEASE_MS = 10_000;

/**
 * Takes or renews the reconciler's lease (`SET NX PX`): the reconciler and the retention sweep run
 * on one worker at a time. Answers whether `owner` holds it now.
 */
export async function holdLease(rt: Runtime, owner: string, leaseMs = LEASE_MS): Promise<boolean> {
  const lease = await rt.redis.set(rt.keys.reconcilerLease(), owner, 'PX', leaseMs, 'NX');
  if (lease !== 'OK' && (await rt.redis.get(rt.keys.reconcilerLease())) !== owner) return false;
  await rt.redis.pexpire(rt.keys.reconcilerLease(), leaseMs);
  return true;
}

/**
 * docs/architecture.md "Enqueue after commit, and reconcile": a crash between a transition and its job
 * add would strand an execution. One worker at a time (a lease) re-adds the continuation of every
 * PENDING/RUNNING execution whose `next` is older than 10 s and has no live job, and cancels
 * executions whose timeout passed without their timer firing. Waiting executions can be many and
 * only need that last check (their timers are durable jobs), so `sweepWaits` is asked for less often.
 */
export async function reconcileOnce(
  rt: Runtime,
  owner: string,
  options: { leaseMs?: number; sweepWaits?: boolean } = {},
): Promise<{ requeued: number; timedOut: number } | null> {
  if (!(await holdLease(rt, owner, options.leaseMs))) return null;
  let requeued = 0;
  let timedOut = 0;
  const now = Date.now();
  const statuses = options.sweepWaits === false ? MOVING_STATUSES : ACTIVE_STATUSES;
  for (const status of statuses) {
    const ids = await rt.executions.idsInStatus(status, 5000);
    const states = await rt.executions.loadProgress(ids);
    for (const exec of states) {
      if (!exec || exec.status !== status) continue;
      if (exec.deadline !== null && now > exec.deadline + 2000) {
        const r = await cancelExecution(rt, exec.id, { reason: 'timeout', by: 'system' });
        if (r.ok) timedOut++;
        continue;
      }
      if (!isMoving(status) || !exec.next || now - exec.nextAt < STALE_MS) continue;
      const { path, attempt } = parseStepKey(exec.next);
      const job = { executionId: exec.id, path, attempt };
      if (await rt.queues.hasStepJob(job)) continue;
      // A finished or failed job with this id would make the add a no-op: remove it first.
      const old = await rt.queues.steps.getJob(jobIds.step(job));
      if (old) await old.remove().catch(() => undefined);
      await rt.queues.addStep(job);
      requeued++;
      rt.log.warn({ executionId: exec.id, step: path, attempt }, 'reconciler re-queued a stranded step');
    }
  }
  return { requeued, timedOut };
}
