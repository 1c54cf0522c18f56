import { isMoving, isTerminal, parseStepKey, stepKey, StepError, type StepRecord } from '@flowgate/engine';
import { isContainerStep } from '@flowgate/workflow-format';
import type { TimerJob } from '@flowgate/queue';
import { cancelExecution } from './cancel';
import { runScheduled } from './schedules';
import { handleFailure } from './failure';
import { processNotification, type NotifyAttempt } from './notify';
import { childDone } from './composition';
import { waitEnded } from './wait-context';
import { ContinuationNotCommitted } from './job-gate';
import { applyPlan, loadExecution, planAdvance, type Loaded } from './transitions';
import type { Runtime } from './runtime';

/**
 * Runs one job of the `timers` queue. Every branch is a compare-and-set or idempotent: a late or
 * repeated timer does nothing. A timer is added before the commit that parks its execution (so that
 * a crash in between cannot strand it): one that arrives ahead of that commit throws, and BullMQ
 * retries it shortly (the timers queue's attempts) rather than drop it.
 */
export async function processTimerJob(rt: Runtime, job: TimerJob, meta: NotifyAttempt = { attemptsMade: 0, attempts: 1 }): Promise<void> {
  if (job.kind === 'notify') return processNotification(rt, job, meta);
  if (job.kind === 'execution-timeout') {
    await cancelExecution(rt, job.executionId, { reason: 'timeout', by: 'system' });
    return;
  }
  if (job.kind === 'wake') return wake(rt, job.executionId, job.path, job.attempt);
  if (job.kind === 'step-timeout') return stepTimedOut(rt, job.executionId, job.path, job.attempt);
  if (job.kind === 'schedule') await runScheduled(rt, job.workflowId);
  if (job.kind === 'start') await rt.queues.addStarts(job.executions);
  if (job.kind === 'child-done') await childDone(rt, job.executionId, job.path, job.attempt, job.child);
}

/** The end of a `wait` step (it completes) or of a retry delay (the next attempt is queued). */
async function wake(rt: Runtime, executionId: string, path: string, attempt: number): Promise<void> {
  const loaded = await loadExecution(rt, executionId);
  if (!loaded || isTerminal(loaded.exec.status)) return;
  const { exec } = loaded;
  const record = loaded.records.get(path);
  if (isMoving(exec.status) && exec.next) {
    // Still running the step that parks on this wake: a `wait` (same key) or the failed attempt before a retry.
    const current = parseStepKey(exec.next);
    const parking = current.path === path && (current.attempt < attempt || (current.attempt === attempt && record?.type === 'wait'));
    if (parking) throw new ContinuationNotCommitted(stepKey(path, attempt));
  }
  if (exec.status !== 'WAITING' || exec.next !== stepKey(path, attempt)) return;
  if (!record) return;
  const now = Date.now();
  const expect = { rev: exec.rev, statuses: ['WAITING' as const] };
  if (record.status === 'WAITING' && record.type === 'wait' && record.attempts === attempt) {
    await applyPlan(rt, exec, expect, planAdvance(loaded, { ...record, status: 'COMPLETED', output: {}, finishedAt: now }, now));
    return;
  }
  await applyPlan(rt, exec, expect, {
    set: { status: 'RUNNING', nextAt: now },
    writes: [{ ...record, status: 'PENDING' }],
    enqueue: { path, attempt },
  });
}

/**
 * `on-timeout: {outcome}`: the declared answer becomes the wait's output, with `timedOut: true`, and
 * the execution goes on — only while the wait is still unanswered (one compare-and-set, as a resume).
 */
async function takeTimeoutOutcome(rt: Runtime, loaded: Loaded, record: StepRecord, outcome: Record<string, unknown>): Promise<void> {
  const now = Date.now();
  const p = planAdvance(loaded, { ...record, status: 'COMPLETED', output: { ...outcome, timedOut: true }, error: null, finishedAt: now }, now);
  p.set.waitingFor = null;
  p.set.waitEnded = waitEnded(loaded.exec.waitingFor!, 'timed_out', now, null, null);
  const result = await applyPlan(rt, loaded.exec, { rev: loaded.exec.rev, statuses: ['WAITING_FOR_INPUT'], waitStep: record.path }, p);
  if (result.ok) rt.log.info({ executionId: loaded.exec.id, step: record.path }, 'wait timed out: took its on-timeout outcome');
}

/** workflow.execute's own timeout: the step fails (its on-failure applies) and the child is cancelled. */
async function childTimedOut(rt: Runtime, loaded: Loaded, record: StepRecord, attempt: number): Promise<void> {
  if (loaded.exec.status !== 'WAITING' || loaded.exec.next !== stepKey(record.path, attempt) || !record.child) return;
  const error = new StepError('timeout', `the child execution ${record.child} did not end within the step's timeout`, { retryable: true });
  await handleFailure(rt, loaded, record.path, attempt, error, { statuses: ['WAITING'] });
  await cancelExecution(rt, record.child, { reason: 'timeout', by: `workflow:${loaded.exec.workflowId}`, comment: `the timeout of step "${record.path}" of execution ${loaded.exec.id}` });
}

/**
 * A step's own `timeout` as a delayed job: a waitForInput/waitForApproval step fails unless an answer
 * won the race; an if/switch/foreach still running fails with its whole subtree (docs/semantics.md "Timeouts").
 */
async function stepTimedOut(rt: Runtime, executionId: string, path: string, attempt: number): Promise<void> {
  const loaded = await loadExecution(rt, executionId);
  if (!loaded || isTerminal(loaded.exec.status)) return;
  // Still running the step that sets this timer (a wait about to wait, a container about to enter its first step).
  if (isMoving(loaded.exec.status) && loaded.exec.next === stepKey(path, attempt)) throw new ContinuationNotCommitted(stepKey(path, attempt));
  const record = loaded.records.get(path);
  if (!record || record.attempts !== attempt) return;
  if (isContainerStep(record.type)) {
    if (record.status !== 'RUNNING') return;
    const now = Date.now();
    const cancelled = [...loaded.records.values()]
      .filter((r) => (r.path.startsWith(`${path}/`) || r.path.startsWith(`${path}[`)) && !isTerminal(r.status))
      .map((r) => ({ ...r, status: 'CANCELLED' as const, finishedAt: now }));
    const error = new StepError('timeout', `step "${record.name}" timed out: its steps did not finish in time`, { retryable: true });
    await handleFailure(rt, loaded, path, attempt, error, { alsoWrite: cancelled });
    if (cancelled.some((r) => r.status === 'CANCELLED')) await rt.redis.publish(rt.keys.cancelChannel(), executionId);
    return;
  }
  if (record.type === 'workflow.execute') return childTimedOut(rt, loaded, record, attempt);
  if (loaded.exec.status !== 'WAITING_FOR_INPUT' || loaded.exec.waitingFor?.step !== path) return;
  const onTimeout = loaded.plan.has(record.name) ? loaded.plan.locate(record.name).step.onTimeout : undefined;
  if (onTimeout) return takeTimeoutOutcome(rt, loaded, record, onTimeout.outcome);
  const error = new StepError('timeout', `no answer to "${record.name}" in time`, { retryable: false });
  await handleFailure(rt, loaded, path, attempt, error, { statuses: ['WAITING_FOR_INPUT'], alsoSet: { waitEnded: waitEnded(loaded.exec.waitingFor, 'timed_out', Date.now(), null, null) } });
}
