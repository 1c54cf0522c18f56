import { isTerminal, stepKey, StepError } from '@flowgate/engine';
import type { TimerJob } from '@flowgate/queue';
import { cancelExecution } from './cancel';
import { runScheduled } from './schedules';
import { handleFailure } from './process-step';
import { applyPlan, loadExecution, planAdvance } from './transitions';
import type { Runtime } from './runtime';

/** Runs one job of the `timers` queue. Every branch is a compare-and-set: a late timer does nothing. */
export async function processTimerJob(rt: Runtime, job: TimerJob): Promise<void> {
  if (job.kind === 'execution-timeout') {
    await cancelExecution(rt, job.executionId, { reason: 'timeout', by: 'system' });
    return;
  }
  if (job.kind === 'wake') return wake(rt, job.executionId, job.path, job.attempt);
  if (job.kind === 'step-timeout') return waitTimedOut(rt, job.executionId, job.path, job.attempt);
  if (job.kind === 'schedule') await runScheduled(rt, job.workflowId);
}

/** The end of a `wait` step (it completes) or of a retry delay (the next attempt is queued). */
async function wake(rt: Runtime, executionId: string, path: string, attempt: number): Promise<void> {
  const loaded = await loadExecution(rt, executionId);
  if (!loaded || isTerminal(loaded.exec.status)) return;
  const { exec } = loaded;
  if (exec.status !== 'WAITING' || exec.next !== stepKey(path, attempt)) return;
  const record = loaded.records.get(path);
  if (!record) return;
  const now = Date.now();
  const expect = { rev: exec.rev, statuses: ['WAITING' as const] };
  if (record.status === 'WAITING' && record.type === 'wait' && record.attempts === attempt) {
    await applyPlan(rt, executionId, expect, planAdvance(loaded, { ...record, status: 'COMPLETED', output: {}, finishedAt: now }, now), undefined, exec.deadline !== null);
    return;
  }
  await applyPlan(rt, executionId, expect, {
    set: { status: 'RUNNING', nextAt: now },
    writes: [{ ...record, status: 'PENDING' }],
    enqueue: { path, attempt },
  });
}

/** A waitForInput/waitForApproval step's own `timeout`: the step fails unless an answer won the race. */
async function waitTimedOut(rt: Runtime, executionId: string, path: string, attempt: number): Promise<void> {
  const loaded = await loadExecution(rt, executionId);
  if (!loaded || loaded.exec.status !== 'WAITING_FOR_INPUT' || loaded.exec.waitingFor?.step !== path) return;
  const record = loaded.records.get(path);
  if (!record || record.attempts !== attempt) return;
  const error = new StepError('timeout', `no answer to "${record.name}" in time`, { retryable: false });
  await handleFailure(rt, loaded, path, attempt, error, ['WAITING_FOR_INPUT']);
}
