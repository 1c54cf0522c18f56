import type { ExecutionState, ExecutionStatus } from '@flowgate/engine';
import { applyPlan, stepNameOf, type Loaded, type TransitionPlan } from './transitions';
import type { Runtime } from './runtime';

/** A step that runs next: in this same job (chained), or as its own job. */
export interface Continuation {
  path: string;
  attempt: number;
}

/**
 * How many more instant steps one job may run after its own, and until when. The worker's
 * `rt.chainSteps` is read at each step: it drops to 0 when the worker stops, so that a stopping
 * worker finishes its step and leaves the rest to the others.
 */
export class ChainBudget {
  private left: number;
  private readonly until: number;

  constructor(steps: number, maxMs: number, now = Date.now()) {
    this.left = steps;
    this.until = now + maxMs;
  }

  /** Takes one step from the budget when the step at `path` may run in this job. */
  take(rt: Runtime, loaded: Loaded, path: string): boolean {
    if (this.left <= 0 || rt.chainSteps <= 0 || Date.now() >= this.until) return false;
    if (!rt.registry.isInstant(loaded.plan.locate(stepNameOf(path)).step.type)) return false;
    this.left--;
    return true;
  }
}

export interface CommitOptions {
  /** commit only from these statuses (besides the rev this job loaded) */
  statuses?: ExecutionStatus[];
  /** execution fields written along with the result: the start fields of an instant step */
  startFields?: Partial<ExecutionState>;
  /** this job's chain budget; without one the next step is always enqueued */
  chain?: ChainBudget;
}

/**
 * Commits under the rev this job loaded (and, if given, only from `statuses`): a cancel or timeout
 * in the meantime makes it a no-op. Answers the step this job runs next, or null.
 *
 * When the next step is instant too (no I/O outside Redis) and the chain budget allows, it is not
 * enqueued: it is returned, and the job runs it right after this commit, saving a queue hop per
 * step. Its continuation is committed all the same, so a crash in between is recovered like any
 * other: the job stalls, is delivered again, finds `next` ahead of it and enqueues it.
 */
export async function commit(rt: Runtime, loaded: Loaded, p: TransitionPlan, options: CommitOptions = {}): Promise<Continuation | null> {
  if (options.startFields) p.set = { ...options.startFields, ...p.set };
  const chained = p.enqueue && options.chain?.take(rt, loaded, p.enqueue.path) ? p.enqueue : null;
  if (chained) p.enqueue = undefined;
  const result = await applyPlan(rt, loaded.exec, { rev: loaded.exec.rev, ...(options.statuses ? { statuses: options.statuses } : {}) }, p);
  if (!result.ok) {
    rt.log.info({ executionId: loaded.exec.id, reason: result.reason, status: result.status }, 'late commit discarded');
    return null;
  }
  // What was just written is the execution's state now: the chained step needs no reload.
  loaded.exec = { ...loaded.exec, ...p.set, rev: result.rev } as ExecutionState;
  for (const r of p.writes) loaded.records.set(r.path, r);
  return chained;
}
