import { enterContainer, leaveIteration, StepError, stepKey, type ContainerChoice, type StepRecord, type TemplateContext } from '@flowgate/engine';
import { evaluateCondition } from '@flowgate/condition';
import { renderString } from '@flowgate/template';
import { arrayValue } from '@flowgate/steps';
import { DEFAULT_WHILE_ITERATIONS, type StepDefinition } from '@flowgate/workflow-format';
import { commit, type CommitOptions, type Continuation } from './commit';
import { advanceState, pendingRecord, planAdvance, planFromAdvance, type Loaded } from './transitions';
import type { Runtime } from './runtime';

/** docs/workflows.md "foreach": at most this many items. */
export const MAX_FOREACH_ITEMS = 10_000;

/**
 * if / switch / foreach / while: decide the branch, the items or the next iteration, then enter the
 * first child (or close at once when nothing runs). Answers the step this job runs next.
 */
export async function runContainer(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  record: StepRecord,
  context: TemplateContext,
  options: CommitOptions,
  attempt = 1,
): Promise<Continuation | null> {
  let choice: ContainerChoice;
  let output: unknown;
  if (step.type === 'while') {
    ({ choice, output } = whileChoice(step, context, attempt));
  } else if (step.type === 'if') {
    const branch = evaluateCondition((step.condition ?? false) as string | boolean, context) ? 'then' : 'else';
    choice = { type: 'if', branch };
    output = { branch };
  } else if (step.type === 'switch') {
    const value = String(renderString(String(step.expression ?? ''), context) ?? '').trim();
    const index = (step.cases ?? []).findIndex((c: { match: unknown }) => String(c.match) === value);
    choice = { type: 'switch', caseIndex: index >= 0 ? index : step.default && step.default.length > 0 ? 'default' : null };
    output = { match: value };
  } else {
    const items = foreachItems(step.foreach, context);
    await rt.executions.saveLoopItems(loaded.exec.id, record.path, items);
    choice = { type: 'foreach', total: items.length };
    output = { count: items.length };
  }
  const now = Date.now();
  const entered: StepRecord = { ...record, output };
  const first = enterContainer(step, record.path, choice);
  if (!first) return commit(rt, loaded, planAdvance(loaded, { ...entered, status: 'COMPLETED', finishedAt: now }, now), options);

  loaded.records.set(record.path, entered);
  // A container's timeout covers its whole subtree: a delayed job, added before the commit (idempotent),
  // once (a while's checks after its iterations are later attempts of the same step).
  if (step.timeoutMs && attempt === 1) await rt.queues.addStepTimeout(loaded.exec.id, record.path, record.attempts, step.timeoutMs);
  return commit(
    rt,
    loaded,
    {
      set: { status: 'RUNNING', next: stepKey(first, 1), nextAt: now, seqs: loaded.exec.seqs + 1 },
      writes: [entered, pendingRecord(loaded, first, loaded.exec.seqs)],
      enqueue: { path: first, attempt: 1 },
    },
    options,
  );
}

/**
 * A while (docs/workflows.md "while"): its body runs once, then its condition is checked after each
 * iteration (attempt i + 2 is the check after iteration i), with `while.iteration` the iteration that
 * just ended. At the cap the loop ends, or fails under `on-limit: fail`.
 */
function whileChoice(step: StepDefinition, context: TemplateContext, attempt: number): { choice: ContainerChoice; output: { iterations: number; limitReached?: true } } {
  if (attempt === 1) return { choice: { type: 'while', iteration: 0 }, output: { iterations: 1 } };
  const done = attempt - 1;
  const goOn = evaluateCondition((step.condition ?? false) as string | boolean, { ...context, while: { iteration: done - 1 } });
  if (!goOn) return { choice: { type: 'while', iteration: null }, output: { iterations: done } };
  const cap = step.maxIterations ?? { limit: DEFAULT_WHILE_ITERATIONS, onLimit: 'continue' };
  if (done >= cap.limit) {
    if (cap.onLimit === 'fail') throw new StepError('loop_limit', `while "${step.name}": its condition still holds after ${done} iterations (max-iterations ${cap.limit}, on-limit: fail)`);
    return { choice: { type: 'while', iteration: null }, output: { iterations: done, limitReached: true } };
  }
  return { choice: { type: 'while', iteration: done }, output: { iterations: done + 1 } };
}

/** foreach's items: an array, or a string holding JSON of one; at most MAX_FOREACH_ITEMS. */
function foreachItems(source: unknown, context: TemplateContext): unknown[] {
  const items = arrayValue(typeof source === 'string' ? renderString(source, context) : source, 'foreach');
  if (items.length > MAX_FOREACH_ITEMS) throw new StepError('validation_error', `foreach: ${items.length} items, at most ${MAX_FOREACH_ITEMS}`);
  return items;
}

/** loop.break / loop.continue: the step completes and the execution leaves its loop iteration (the engine's leaveIteration). */
export async function leaveLoopIteration(rt: Runtime, loaded: Loaded, step: StepDefinition, record: StepRecord, options: CommitOptions): Promise<Continuation | null> {
  const now = Date.now();
  const control = step.type === 'loop.break' ? 'break' : 'continue';
  const advance = leaveIteration(loaded.plan, record.path, control, advanceState(loaded));
  return commit(rt, loaded, planFromAdvance(loaded, { ...record, status: 'COMPLETED', output: null, error: null, finishedAt: now }, now, advance), options);
}
