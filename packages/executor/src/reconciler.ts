import { ACTIVE_STATUSES, isMoving, isTerminal, MOVING_STATUSES, parseStepKey, stepKey, type ExecutionStatus } from '@flowgate/engine';
import { jobIds } from '@flowgate/queue';
import type { ExecutionProgress } from '@flowgate/store';
import { cancelExecution } from './cancel';
import type { Runtime } from './runtime';

/** A continuation older than this with no job is stranded. */
const STALE_MS = 10_000;
/** A timer this late (its wake or deadline passed) with no job was lost. */
const TIMER_GRACE_MS = 2_000;
const LEASE_MS = 10_000;
/** Index entries read per round trip. */
const BATCH = 1_000;

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
 * What one worker's reconciler remembers between passes: index entries that disagreed with their
 * execution, by rev. An entry is repaired only when it still disagrees at the same rev a pass later
 * (a transition between its commit and its index update looks the same for a moment).
 */
export class ReconcilerMemory {
  suspects = new Map<string, number>();
  /** true while a pass runs in this process: a slow pass is never overlapped by the next */
  running = false;
}

export interface ReconcileResult {
  requeued: number;
  timedOut: number;
  /** lost timers added again (a wake, a wait's own timeout) */
  timers: number;
  /** index entries put right */
  repaired: number;
}

/**
 * docs/architecture.md "Enqueue after commit, and reconcile": a crash between a transition and its
 * job add would strand an execution, and a timer can be lost. One worker at a time (a lease, renewed
 * as the pass goes, which stops if it loses it) walks each status index to its end, a batch at a
 * time, and:
 * - re-adds the continuation of a PENDING/RUNNING execution whose `next` is older than 10 s and has
 *   no live job;
 * - cancels an execution whose settings.timeout passed without its timer firing;
 * - re-adds the wake of a WAITING execution, and the own timeout of a wait for input, when it is
 *   due and its job is gone; for a parent waiting in workflow.execute, the end of a child that
 *   ended without waking it;
 * - puts right an index entry that disagrees with its execution (see ReconcilerMemory).
 * Waiting executions can be many and their timers are durable jobs, so `sweepWaits` (every status,
 * not only PENDING/RUNNING) is asked for less often. Answers null when another worker holds the
 * lease, or when this process is already running a pass.
 */
export async function reconcileOnce(
  rt: Runtime,
  owner: string,
  options: { leaseMs?: number; sweepWaits?: boolean; memory?: ReconcilerMemory } = {},
): Promise<ReconcileResult | null> {
  const memory = options.memory ?? new ReconcilerMemory();
  if (memory.running) return null;
  memory.running = true;
  try {
    const leaseMs = options.leaseMs ?? LEASE_MS;
    if (!(await holdLease(rt, owner, leaseMs))) return null;
    const result: ReconcileResult = { requeued: 0, timedOut: 0, timers: 0, repaired: 0 };
    const seen = new Set<string>();
    for (const status of options.sweepWaits === false ? MOVING_STATUSES : ACTIVE_STATUSES) {
      for (let after: string | undefined; ; ) {
        const ids = await rt.executions.idsInStatus(status, BATCH, after);
        const progress = await rt.executions.loadProgress(ids);
        for (let i = 0; i < ids.length; i++) await reconcileOne(rt, status, ids[i], progress[i], Date.now(), result, memory, seen);
        if (ids.length < BATCH) break;
        after = ids[ids.length - 1];
        // A long walk keeps the lease; if it was lost meanwhile, another worker goes on from here.
        if (!(await holdLease(rt, owner, leaseMs))) return result;
      }
    }
    for (const key of memory.suspects.keys()) if (!seen.has(key)) memory.suspects.delete(key);
    return result;
  } finally {
    memory.running = false;
  }
}

async function reconcileOne(
  rt: Runtime,
  listed: ExecutionStatus,
  id: string,
  exec: ExecutionProgress | null,
  now: number,
  result: ReconcileResult,
  memory: ReconcilerMemory,
  seen: Set<string>,
): Promise<void> {
  if (!exec || exec.status !== listed) {
    if (await repairWhenStable(rt, listed, id, exec, memory, seen)) result.repaired++;
    return;
  }
  if (exec.deadline !== null && now > exec.deadline + TIMER_GRACE_MS) {
    const r = await cancelExecution(rt, exec.id, { reason: 'timeout', by: 'system' });
    if (r.ok) result.timedOut++;
    return;
  }
  if (isMoving(exec.status)) {
    if (exec.next && now - exec.nextAt >= STALE_MS && (await requeue(rt, exec))) result.requeued++;
  } else if (exec.status === 'WAITING') {
    if (!exec.next || now <= exec.nextAt + TIMER_GRACE_MS) return;
    const waitsForChild = (await waitingStepType(rt, exec)) === 'workflow.execute';
    if (waitsForChild ? await readdChildDone(rt, exec) : await readdWake(rt, exec)) result.timers++;
  } else if (exec.status === 'WAITING_FOR_INPUT') {
    if (await readdWaitTimeout(rt, exec, now)) result.timers++;
  }
}

/** An index entry that disagreed at the same rev on the previous pass too is put right. */
async function repairWhenStable(rt: Runtime, listed: ExecutionStatus, id: string, exec: ExecutionProgress | null, memory: ReconcilerMemory, seen: Set<string>): Promise<boolean> {
  const key = `${listed}|${id}`;
  const rev = exec?.rev ?? -1;
  seen.add(key);
  if (memory.suspects.get(key) !== rev) {
    memory.suspects.set(key, rev);
    return false;
  }
  memory.suspects.delete(key);
  await rt.executions.repairIndex(id, listed, exec);
  rt.log.warn({ executionId: id, listed, status: exec?.status ?? null }, 'reconciler repaired an index entry');
  return true;
}

async function requeue(rt: Runtime, exec: ExecutionProgress): Promise<boolean> {
  const { path, attempt } = parseStepKey(exec.next);
  const job = { executionId: exec.id, path, attempt };
  if (await rt.queues.hasStepJob(job)) return false;
  await rt.queues.readdStep(job);
  rt.log.warn({ executionId: exec.id, step: path, attempt }, 'reconciler re-queued a stranded step');
  return true;
}

async function waitingStepType(rt: Runtime, exec: ExecutionProgress): Promise<string | undefined> {
  if (!exec.version) return undefined;
  const { plan } = await rt.definitions.get(exec.version);
  const name = parseStepKey(exec.next).path.split('/').pop()!;
  return plan.has(name) ? plan.locate(name).step.type : undefined;
}

/** A parent waiting in workflow.execute whose child ended without waking it (a crash in between): wake it now. */
async function readdChildDone(rt: Runtime, exec: ExecutionProgress): Promise<boolean> {
  const { path, attempt } = parseStepKey(exec.next);
  const record = await rt.executions.loadRecord(exec.id, path);
  if (!record?.child) return false;
  const child = await rt.executions.load(record.child);
  if (child && !isTerminal(child.status)) return false;
  if (await rt.queues.hasTimer(jobIds.childDone(exec.id, path, attempt))) return false;
  await rt.queues.addChildDone({ executionId: exec.id, step: path, attempt }, record.child);
  rt.log.warn({ executionId: exec.id, step: path, attempt, child: record.child }, 'reconciler re-added the lost end of a child execution');
  return true;
}

/** A WAITING execution past its wake time whose wake job is gone: wake it now. */
async function readdWake(rt: Runtime, exec: ExecutionProgress): Promise<boolean> {
  const { path, attempt } = parseStepKey(exec.next);
  if (await rt.queues.hasTimer(jobIds.wake(exec.id, path, attempt))) return false;
  await rt.queues.readdWake(exec.id, path, attempt);
  rt.log.warn({ executionId: exec.id, step: path, attempt }, 'reconciler re-added a lost wake');
  return true;
}

/** A wait for input past its own `timeout` whose timer is gone: time it out now. */
async function readdWaitTimeout(rt: Runtime, exec: ExecutionProgress, now: number): Promise<boolean> {
  if (!exec.wait || !exec.version) return false;
  const { plan } = await rt.definitions.get(exec.version);
  const name = exec.wait.step.split('/').pop()!;
  const timeoutMs = plan.has(name) ? plan.locate(name).step.timeoutMs : undefined;
  if (!timeoutMs || now <= exec.wait.since + timeoutMs + TIMER_GRACE_MS) return false;
  // settings.timeout comes first (or at once): the wait never had a timer of its own (run-action.ts).
  if (exec.deadline !== null && exec.deadline <= exec.wait.since + timeoutMs) return false;
  const record = await rt.executions.loadRecord(exec.id, exec.wait.step);
  const attempt = record?.attempts || 1;
  if (await rt.queues.hasTimer(jobIds.stepTimeout(exec.id, exec.wait.step, attempt))) return false;
  await rt.queues.readdStepTimeout(exec.id, exec.wait.step, attempt);
  rt.log.warn({ executionId: exec.id, step: stepKey(exec.wait.step, attempt) }, 'reconciler re-added a lost wait timeout');
  return true;
}
