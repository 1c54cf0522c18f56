import { decideFailure, stepKey, type ExecutionState, type StepError, type StepRecord } from '@flowgate/engine';
import { isContainerStep } from '@flowgate/workflow-format';
import { commit, type CommitOptions, type Continuation } from './commit';
import { ancestorPaths, failExecution, pendingRecord, planAdvance, stepNameOf, type Loaded, type TransitionPlan } from './transitions';
import type { Runtime } from './runtime';

export interface FailureOptions extends CommitOptions {
  /** records that change along with the failure (a timed-out container's cancelled subtree) */
  alsoWrite?: StepRecord[];
  /** execution fields written with the failure (a wait's end, for the History) */
  alsoSet?: Partial<ExecutionState>;
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
    p = catchingContainer(loaded, path, failed, error, now) ?? failExecution(loaded, [failed], error.toInfo(), path, now);
  }
  p.writes.push(...(options.alsoWrite ?? []));
  Object.assign(p.set, options.alsoSet ?? {});
  return commit(rt, loaded, p, options);
}

/**
 * A step failed for good inside a container that has its own `on-failure` (Kibana's `on-failure` on a
 * `foreach`): the innermost such container fails with the step's error (it is not retried), the
 * containers between them fail too, and the container's fallback runs, or the execution continues
 * after it under `continue`. Null when no container catches the failure.
 */
function catchingContainer(loaded: Loaded, path: string, failed: StepRecord, error: StepError, now: number): TransitionPlan | null {
  if (error.type === 'workflow_fail' || error.type === 'cancelled') return null;
  const ancestors = ancestorPaths(path).reverse(); // innermost first
  const at = ancestors.findIndex((p) => {
    const step = loaded.plan.locate(stepNameOf(p)).step;
    return isContainerStep(step.type) && !!step.onFailure && (step.onFailure.continue === true || (step.onFailure.fallback?.length ?? 0) > 0);
  });
  if (at < 0) return null;
  const ownerPath = ancestors[at];
  const info = error.toInfo();
  const between: StepRecord[] = [];
  for (const p of ancestors.slice(0, at)) {
    const r = loaded.records.get(p);
    if (r) between.push({ ...r, status: 'FAILED', error: info, finishedAt: now });
  }
  const ownerRecord = loaded.records.get(ownerPath)!;
  const owner: StepRecord = { ...ownerRecord, status: 'FAILED', error: info, finishedAt: now };
  const onFailure = loaded.plan.locate(stepNameOf(ownerPath)).step.onFailure!;
  if (onFailure.fallback && onFailure.fallback.length > 0) {
    const next = `${ownerPath}/fallback/${onFailure.fallback[0].name}`;
    return {
      set: { status: 'RUNNING', next: stepKey(next, 1), nextAt: now, seqs: loaded.exec.seqs + 1 },
      writes: [failed, ...between, owner, pendingRecord(loaded, next, loaded.exec.seqs)],
      enqueue: { path: next, attempt: 1 },
    };
  }
  const p = planAdvance(loaded, { ...owner, output: ownerRecord.output }, now);
  p.writes.push(failed, ...between);
  return p;
}
