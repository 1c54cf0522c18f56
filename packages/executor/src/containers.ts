import { enterContainer, StepError, stepKey, type ContainerChoice, type StepRecord, type TemplateContext } from '@flowgate/engine';
import { evaluateCondition } from '@flowgate/condition';
import { renderString } from '@flowgate/template';
import { arrayValue } from '@flowgate/steps';
import type { StepDefinition } from '@flowgate/workflow-format';
import { commit, type CommitOptions, type Continuation } from './commit';
import { pendingRecord, planAdvance, type Loaded } from './transitions';
import type { Runtime } from './runtime';

/** docs/workflows.md "foreach": at most this many items. */
export const MAX_FOREACH_ITEMS = 10_000;

/**
 * if / switch / foreach: decide the branch or the items, then enter the first child (or close at
 * once when nothing runs). Answers the step this job runs next.
 */
export async function runContainer(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  record: StepRecord,
  context: TemplateContext,
  options: CommitOptions,
): Promise<Continuation | null> {
  let choice: ContainerChoice;
  let output: unknown;
  if (step.type === 'if') {
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
  // A container's timeout covers its whole subtree: a delayed job, added before the commit (idempotent).
  if (step.timeoutMs) await rt.queues.addStepTimeout(loaded.exec.id, record.path, record.attempts, step.timeoutMs);
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

/** foreach's items: an array, or a string holding JSON of one; at most MAX_FOREACH_ITEMS. */
function foreachItems(source: unknown, context: TemplateContext): unknown[] {
  const items = arrayValue(typeof source === 'string' ? renderString(source, context) : source, 'foreach');
  if (items.length > MAX_FOREACH_ITEMS) throw new StepError('validation_error', `foreach: ${items.length} items, at most ${MAX_FOREACH_ITEMS}`);
  return items;
}
