import { MOVING_STATUSES, StepError, toStepError, type ExecutionState, type StepRecord } from '@flowgate/engine';
import { evaluateCondition } from '@flowgate/condition';
import type { StepJob } from '@flowgate/queue';
import { inStepSpan } from '@flowgate/telemetry';
import { isLoopControlStep, type StepDefinition } from '@flowgate/workflow-format';
import type { AbortRegistry } from './abort-registry';
import { ChainBudget, commit, type CommitOptions, type Continuation } from './commit';
import { isCompositionStep, runComposition } from './composition';
import { leaveLoopIteration, runContainer } from './containers';
import { handleFailure } from './failure';
import { gateStepJob } from './job-gate';
import { runAction } from './run-action';
import { executionAttributes } from './start';
import { contextFor } from './step-context';
import { pendingRecord, planAdvance, stepNameOf, type Loaded } from './transitions';
import type { Runtime } from './runtime';

export { ContinuationNotCommitted } from './job-gate';

/** How long one job may go on running instant steps after its own before it hands over to the queue. */
const CHAIN_MAX_MS = 200;

/**
 * A job delivered again after this many stalls (its worker died or froze each time) fails its step
 * with `stalled` instead of running it once more: one poison alert must not take the workers down
 * one after the other.
 */
export const MAX_STALLS = 3;

/**
 * Runs one step job (docs/architecture.md "The path of an alert"): the gate checks that the job is
 * its execution's continuation; then the step runs (mark RUNNING, `if`, render `with`, run) and its
 * result is committed with the continuation in one compare-and-set. When the step after it is
 * instant (docs/storage.md "Instant steps run in the job before them"), the commit hands it back
 * and this job runs it too, each step still committed on its own.
 */
export async function processStepJob(rt: Runtime, job: StepJob, aborts: AbortRegistry, delivery: { stalls?: number } = {}): Promise<void> {
  const loaded = await gateStepJob(rt, job);
  if (!loaded) return;
  if ((delivery.stalls ?? 0) > MAX_STALLS) {
    await failStalled(rt, loaded, job, delivery.stalls!);
    return;
  }
  const chain = new ChainBudget(rt.chainSteps, CHAIN_MAX_MS);
  let next: Continuation | null = job;
  while (next) next = await runStep(rt, loaded, next, aborts, chain);
}

/** Runs the step `job` names on an execution already checked to be waiting for it, in its span. */
async function runStep(rt: Runtime, loaded: Loaded, job: Continuation, aborts: AbortRegistry, chain: ChainBudget): Promise<Continuation | null> {
  const { exec } = loaded;
  const step = loaded.plan.locate(stepNameOf(job.path)).step;
  const attributes = { ...executionAttributes(exec), 'flowgate.step': job.path, 'flowgate.step_type': step.type, 'flowgate.attempt': job.attempt };
  return inStepSpan(exec.traceparent, attributes, async (span) => {
    const { outcome, next } = await runStepBody(rt, loaded, step, job, aborts, chain);
    span.setAttribute('flowgate.outcome', outcome);
    return next;
  });
}

/** Runs a step and commits what it did; answers its outcome (completed, skipped, failed, ...) and what runs next here. */
async function runStepBody(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  job: Continuation,
  aborts: AbortRegistry,
  chain: ChainBudget,
): Promise<{ outcome: string; next: Continuation | null }> {
  const started = await markRunning(rt, loaded, step, job);
  if (!started) return { outcome: 'overtaken', next: null }; // cancelled, timed out, or another worker took it
  const { record } = started;
  const options: CommitOptions = { chain, startFields: started.startFields };

  const t0 = Date.now();
  let outcome = 'completed';
  try {
    const context = await contextFor(rt, loaded, job.path);
    // a while's checks after its iterations are later attempts: its `if` was decided on entry
    const entering = !(step.type === 'while' && job.attempt > 1);
    if (entering && step.if !== undefined && !evaluateCondition(step.if as string | boolean, context)) {
      outcome = 'skipped';
      const now = Date.now();
      return { outcome, next: await commit(rt, loaded, planAdvance(loaded, { ...record, status: 'SKIPPED', finishedAt: now }, now), options) };
    }
    if (rt.registry.isContainer(step.type)) return { outcome, next: await runContainer(rt, loaded, step, record, context, options, job.attempt) };
    if (isLoopControlStep(step.type)) return { outcome, next: await leaveLoopIteration(rt, loaded, step, record, options) };
    if (isCompositionStep(step.type)) return { outcome, next: await runComposition(rt, loaded, step, record, job.attempt, context, options) };
    const ran = await runAction(rt, { loaded, step, record, attempt: job.attempt, aborts }, context, options);
    outcome = ran.outcome.kind;
    return { outcome, next: ran.next };
  } catch (err) {
    outcome = 'failed';
    return { outcome, next: await handleFailure(rt, loaded, job.path, job.attempt, toStepError(err), options) };
  } finally {
    rt.hooks.stepFinished?.(step.type, outcome, Date.now() - t0);
  }
}

/** Fails a step whose job stalled more than MAX_STALLS times; its on-failure applies (a stall is not retried). */
async function failStalled(rt: Runtime, loaded: Loaded, job: StepJob, stalls: number): Promise<void> {
  const started = await markRunning(rt, loaded, loaded.plan.locate(stepNameOf(job.path)).step, job);
  if (!started) return;
  const error = new StepError('stalled', `the job of step "${job.path}" stalled ${stalls} times (its worker died or froze each time it ran it): not run again`);
  rt.log.error({ executionId: job.executionId, step: job.path, stalls }, 'step job stalled too often');
  await handleFailure(rt, loaded, job.path, job.attempt, error, { startFields: started.startFields });
}

/**
 * Marks the step RUNNING. An I/O step gets its own write first, so that a crash mid-call shows
 * which step was in flight; an instant step (no I/O outside Redis) skips it: its start fields ride
 * along with its result, whose compare-and-set still refuses what a cancel or another worker
 * overtook. Answers null when the execution moved on meanwhile.
 */
async function markRunning(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  job: Continuation,
): Promise<{ record: StepRecord; startFields?: Partial<ExecutionState> } | null> {
  const { exec } = loaded;
  const now = Date.now();
  const before = loaded.records.get(job.path) ?? pendingRecord(loaded, job.path, exec.seqs);
  // a container runs one attempt (a while's later attempts are the checks after its iterations)
  const attempts = rt.registry.isContainer(step.type) ? Math.max(before.attempts, 1) : job.attempt;
  const record: StepRecord = { ...before, status: 'RUNNING', attempts, startedAt: before.startedAt ?? now, finishedAt: null };
  const startFields: Partial<ExecutionState> = { status: 'RUNNING', startedAt: exec.startedAt ?? now, ...(loaded.records.has(job.path) ? {} : { seqs: exec.seqs + 1 }) };
  loaded.records.set(job.path, record);
  if (rt.registry.isInstant(step.type)) return { record, startFields };
  const started = await rt.executions.transition(exec.id, { rev: exec.rev, statuses: MOVING_STATUSES }, startFields, [record]);
  if (!started.ok) return null;
  loaded.exec = { ...exec, ...startFields, rev: started.rev } as ExecutionState;
  return { record };
}
