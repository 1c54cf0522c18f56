import { decideFailure, stepKey, type StepError, type StepRecord } from '@flowgate/engine';
import { commit, type CommitOptions, type Continuation } from './commit';
import { failExecution, pendingRecord, planAdvance, type Loaded, type TransitionPlan } from './transitions';
import type { Runtime } from './runtime';

export interface FailureOptions extends CommitOptions {
  /** records that change along with the failure (a timed-out container's cancelled subtree) */
  alsoWrite?: StepRecord[];
}

/**
 * A step failed (docs/workflows.md "Failure handling"): retry (a delayed wake), then fallback, then
 * continue, else the execution fails. Commits that decision; answers the step this job runs next.
 */
export async function handleFailure(
  rt: Runtime,
  loaded: Loaded,
  path: string,
  attempt: number,
  error: StepError,
  options: FailureOptions = {},
): Promise<Continuation | null> {
  const now = Date.now();
  const record = loaded.records.get(path)!;
  const failed: StepRecord = { ...record, status: 'FAILED', error: error.toInfo(), finishedAt: now };
  const decision = decideFailure(loaded.plan, path, attempt, error);
  rt.log.warn({ executionId: loaded.exec.id, step: path, attempt, error: error.message, decision: decision.kind }, 'step failed');
  let p: TransitionPlan;
  if (decision.kind === 'retry') {
    await rt.queues.addWake(loaded.exec.id, path, decision.attempt, decision.delayMs);
    p = {
      set: { status: 'WAITING', next: stepKey(path, decision.attempt), nextAt: now + decision.delayMs },
      writes: [{ ...record, status: 'WAITING', error: error.toInfo() }],
    };
  } else if (decision.kind === 'fallback') {
    p = {
      set: { status: 'RUNNING', next: stepKey(decision.next, 1), nextAt: now, seqs: loaded.exec.seqs + 1 },
      writes: [failed, pendingRecord(loaded, decision.next, loaded.exec.seqs)],
      enqueue: { path: decision.next, attempt: 1 },
    };
  } else if (decision.kind === 'continue') {
    p = planAdvance(loaded, { ...failed, output: null }, now);
  } else {
    p = failExecution(loaded, [failed], error.toInfo(), path, now);
  }
  p.writes.push(...(options.alsoWrite ?? []));
  return commit(rt, loaded, p, options);
}
