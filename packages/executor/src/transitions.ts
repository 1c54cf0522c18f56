import {
  advanceAfter,
  formatPath,
  innermostIteration,
  isTerminal,
  newStepRecord,
  parsePath,
  stepKey,
  type ExecutionState,
  type ExecutionStatus,
  type StepErrorInfo,
  type Advance,
  type AdvanceState,
  type StepRecord,
  type WorkflowPlan,
} from '@flowgate/engine';
import type { WorkflowDefinition } from '@flowgate/workflow-format';
import { jobIds } from '@flowgate/queue';
import { isCluster, type Expectation, type ResponseEntry, type TransitionResult } from '@flowgate/store';
import { recordExecutionSpan } from '@flowgate/telemetry';
import { executionAttributes } from './start';
import type { Runtime } from './runtime';

/** An execution as loaded for one decision: its state, definition and step records. */
export interface Loaded {
  exec: ExecutionState;
  definition: WorkflowDefinition;
  plan: WorkflowPlan;
  records: Map<string, StepRecord>;
}

/** The writes of one transition and what to do right after it commits. */
export interface TransitionPlan {
  set: Partial<ExecutionState>;
  writes: StepRecord[];
  /** the step job to add after the commit */
  enqueue?: { path: string; attempt: number };
  /** the execution ends with this transition */
  terminal?: ExecutionStatus;
}

export async function loadExecution(rt: Runtime, id: string): Promise<Loaded | null> {
  const { exec, records } = await rt.executions.loadWithRecords(id);
  if (!exec) return null;
  const { definition, plan } = await rt.definitions.get(exec.version);
  return { exec, definition, plan, records: new Map(records.map((r) => [r.path, r])) };
}

export function stepNameOf(path: string): string {
  return parsePath(path).at(-1)!.name;
}

/** A PENDING record for the step about to be enqueued at `path`. */
export function pendingRecord(loaded: Loaded, path: string, seq: number): StepRecord {
  const name = stepNameOf(path);
  const existing = loaded.records.get(path);
  if (existing) return { ...existing, status: 'PENDING' };
  return newStepRecord({ name, path, type: loaded.plan.locate(name).step.type, seq, iteration: innermostIteration(path) });
}

/** Paths of the containers above `path` (if/switch/foreach records), innermost last. */
export function ancestorPaths(path: string): string[] {
  const segments = parsePath(path);
  const out: string[] = [];
  for (let i = 0; i < segments.length - 1; i++) {
    out.push(formatPath([...segments.slice(0, i), { name: segments[i].name }]));
  }
  return out;
}

/**
 * After the step at `ended.path` ended (completed, skipped, or failed under `continue`): close
 * finished containers, then either enqueue the next step or finish the execution.
 */
export function planAdvance(loaded: Loaded, ended: StepRecord, now: number, variables?: Record<string, unknown>): TransitionPlan {
  return planFromAdvance(loaded, ended, now, advanceAfter(loaded.plan, ended.path, advanceState(loaded)), variables);
}

/** What the engine needs of the loaded execution to move on: a foreach's item count is its record's output. */
export function advanceState(loaded: Loaded): AdvanceState {
  return { loopTotal: (p) => Number((loaded.records.get(p)?.output as { count?: number } | null)?.count ?? 0) };
}

/** The plan of an advance the engine decided (after a step ended, or left its loop iteration). */
export function planFromAdvance(loaded: Loaded, ended: StepRecord, now: number, advance: Advance, variables?: Record<string, unknown>): TransitionPlan {
  const { records, exec } = loaded;
  const writes: StepRecord[] = [ended];
  for (const c of advance.closed) {
    const r = records.get(c);
    if (r && !isTerminal(r.status)) writes.push({ ...r, status: 'COMPLETED', finishedAt: now });
  }
  const set: Partial<ExecutionState> = {};
  if (variables) set.variables = { ...exec.variables, ...variables };
  if (advance.failedOwner) {
    const owner = records.get(advance.failedOwner);
    const error = owner?.error ?? { type: 'step_error', message: 'step failed' };
    return failExecution(loaded, writes, error, advance.failedOwner, now, set);
  }
  if (advance.next && advance.attempt !== undefined) {
    // a while's check: its record stays RUNNING, a job of the next attempt decides
    Object.assign(set, { status: 'RUNNING', next: stepKey(advance.next, advance.attempt), nextAt: now });
    return { set, writes, enqueue: { path: advance.next, attempt: advance.attempt } };
  }
  if (advance.next) {
    writes.push(pendingRecord(loaded, advance.next, exec.seqs));
    Object.assign(set, { status: 'RUNNING', next: stepKey(advance.next, 1), nextAt: now, seqs: exec.seqs + 1 });
    return { set, writes, enqueue: { path: advance.next, attempt: 1 } };
  }
  Object.assign(set, { status: 'COMPLETED', finishedAt: now, next: '', waitingFor: null });
  return { set, writes, terminal: 'COMPLETED' };
}

/** Ends the execution FAILED with a step's error; the containers above that step fail too. */
export function failExecution(
  loaded: Loaded,
  writes: StepRecord[],
  error: StepErrorInfo,
  stepPath: string,
  now: number,
  set: Partial<ExecutionState> = {},
): TransitionPlan {
  for (const p of ancestorPaths(stepPath)) {
    const r = loaded.records.get(p);
    if (r && !isTerminal(r.status)) writes.push({ ...r, status: 'FAILED', finishedAt: now });
  }
  Object.assign(set, {
    status: 'FAILED',
    finishedAt: now,
    next: '',
    waitingFor: null,
    error: { type: error.type, message: error.message, step: stepPath },
  });
  return { set, writes, terminal: 'FAILED' };
}

/** Commits a plan under `expect`, then enqueues what follows and clears the timers of an ended execution. */
export async function applyPlan(
  rt: Runtime,
  exec: Pick<ExecutionState, 'id' | 'deadline' | 'workflowId' | 'trigger' | 'createdAt' | 'traceparent' | 'parent'>,
  expect: Expectation,
  p: TransitionPlan,
  response?: { path: string; entry: ResponseEntry },
): Promise<TransitionResult> {
  const id = exec.id;
  let result: TransitionResult;
  if (p.enqueue && isCluster(rt.redis)) {
    // On a Redis Cluster the execution and the steps queue are on different shards, so nothing
    // orders the two writes: the job is added once the commit is known to have won.
    result = await rt.executions.transition(id, expect, p.set, p.writes, response);
    if (result.ok) await rt.queues.addStep({ executionId: id, ...p.enqueue });
  } else {
    // The next job's add is sent right behind the commit on the same connection: Redis runs them in
    // that order, so the job never exists before its continuation is committed, and no round trip is
    // spent waiting in between. If the commit is refused, the job finds nothing to do when it runs.
    const committing = rt.executions.transition(id, expect, p.set, p.writes, response);
    const enqueueing = p.enqueue ? rt.queues.addStep({ executionId: id, ...p.enqueue }) : undefined;
    result = await committing;
    if (enqueueing) await (result.ok ? enqueueing : enqueueing.catch(() => undefined));
  }
  if (!result.ok) return result;
  if (p.terminal) {
    // Only executions with settings.timeout have a timer to remove.
    if (exec.deadline !== null) await rt.queues.removeTimer(jobIds.executionTimeout(id));
    // A parent waiting in workflow.execute goes on (a crash before this add: the reconciler adds it).
    if (exec.parent?.wait) await rt.queues.addChildDone(exec.parent, id);
    rt.hooks.executionFinished?.(p.terminal);
    const endedAt = Number(p.set.finishedAt ?? Date.now());
    recordExecutionSpan(exec.traceparent, exec.createdAt, endedAt, { ...executionAttributes(exec), 'flowgate.status': p.terminal }, p.terminal === 'FAILED');
  }
  return result;
}
