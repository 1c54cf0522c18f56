import { StepError, stepKey, type StepOutcome, type StepRecord, type StepRunContext, type StepType, type TemplateContext } from '@flowgate/engine';
import { renderBudget, renderDeep, renderMarkdownMessage, renderString } from '@flowgate/template';
import type { StepServices } from '@flowgate/steps';
import { isHumanWaitStep, type StepDefinition } from '@flowgate/workflow-format';
import type { AbortRegistry } from './abort-registry';
import { commit, type CommitOptions, type Continuation } from './commit';
import { planAdvance, type Loaded } from './transitions';
import type { Runtime } from './runtime';
import { aiVerdict, waitDeadline } from './wait-context';
import { channelsOf } from './notify';

/** One action step's run in a job: the execution it belongs to, its record, the job's attempt. */
export interface ActionRun {
  loaded: Loaded;
  step: StepDefinition;
  record: StepRecord;
  attempt: number;
  aborts: AbortRegistry;
}

/**
 * Renders the step's input, runs its type, and commits what it decided: an output (the execution
 * moves on), a delay (WAITING until a wake job), or a wait for input (WAITING_FOR_INPUT, no job).
 */
export async function runAction(
  rt: Runtime,
  run: ActionRun,
  context: TemplateContext,
  options: CommitOptions,
): Promise<{ outcome: StepOutcome; next: Continuation | null }> {
  const { loaded, step, record, attempt } = run;
  const handler = rt.registry.get(step.type);
  if (!handler) throw new StepError('configuration_error', `unknown step type "${step.type}"`);
  const { input, params } = renderInput(step, context);
  record.input = input;

  const ctx: StepRunContext = {
    executionId: loaded.exec.id,
    workflowId: loaded.exec.workflowId,
    path: record.path,
    attempt,
    step,
    input,
    params,
    context,
    signal: NEVER_ABORTED,
    maxStepSize: loaded.definition.settings.maxStepSize,
    log: (message: string, fields?: Record<string, unknown>) => rt.log.info({ executionId: loaded.exec.id, step: record.path, ...fields }, message),
  };
  // An instant step has nothing to abort (no outside I/O, a wait is a timer job): no controller, no timer.
  const outcome = rt.registry.isInstant(step.type) ? await handler.run(ctx, rt.services) : await runAbortable(ctx, step, handler, rt, run.aborts);
  return { outcome, next: await commitOutcome(rt, run, outcome, options) };
}

async function commitOutcome(rt: Runtime, run: ActionRun, outcome: StepOutcome, options: CommitOptions): Promise<Continuation | null> {
  const { loaded, step, record, attempt } = run;
  const now = Date.now();
  if (outcome.kind === 'output') {
    const size = Buffer.byteLength(JSON.stringify(outcome.output ?? null), 'utf8');
    if (size > loaded.definition.settings.maxStepSize) {
      throw new StepError('size_exceeded', `output of step "${step.name}" is ${size} bytes, over max-step-size (${loaded.definition.settings.maxStepSize} bytes)`);
    }
    return commit(rt, loaded, planAdvance(loaded, { ...record, status: 'COMPLETED', output: outcome.output ?? null, error: null, finishedAt: now }, now, outcome.variables), options);
  }
  if (outcome.kind === 'delay') {
    // Park: the wake timer is added first (idempotent), so a crash after it cannot strand the execution.
    await rt.queues.addWake(loaded.exec.id, record.path, attempt, outcome.ms);
    return commit(rt, loaded, { set: { status: 'WAITING', next: stepKey(record.path, attempt), nextAt: now + outcome.ms }, writes: [{ ...record, status: 'WAITING' }] }, options);
  }
  const deadline = waitDeadline(now, step.timeoutMs, loaded.exec);
  // Queued before the commit (each waits for it, see notify.ts), named per wait run and channel: never sent twice.
  await rt.queues.addNotifications(loaded.exec.id, record.path, attempt, channelsOf(record.input));
  // Only a step timeout earlier than settings.timeout needs a timer of its own (a delayed job stays in Redis as long as the wait).
  if (deadline.onDeadline === 'fail') await rt.queues.addStepTimeout(loaded.exec.id, record.path, attempt, step.timeoutMs!);
  return commit(
    rt,
    loaded,
    {
      set: {
        status: 'WAITING_FOR_INPUT',
        next: '',
        nextAt: now,
        waitingFor: {
          step: record.path,
          name: step.name,
          type: step.type,
          message: outcome.message,
          schema: outcome.schema,
          since: now,
          ...(outcome.approveLabel !== undefined ? { approveLabel: outcome.approveLabel, rejectLabel: outcome.rejectLabel } : {}),
          ...deadline,
          ai: aiVerdict(loaded.records.values(), record.seq),
        },
      },
      writes: [{ ...record, status: 'WAITING_FOR_INPUT' }],
    },
    options,
  );
}

/**
 * Renders `with` (never waitForInput's schema, stored verbatim) and the step-level parameters, all
 * within one render time budget (docs/workflows.md "Limits"): however many strings a step has, its
 * templates cannot hold a worker longer than the render limit. The Markdown `message` of a wait has
 * every interpolated value escaped (docs/workflows.md "Writing the message"): an alert field shows
 * as text, and cannot add a link, an image, HTML or a block to what the reviewer reads.
 */
export function renderInput(step: StepDefinition, context: TemplateContext): { input: Record<string, unknown>; params: Record<string, unknown> } {
  const options = { budget: renderBudget() };
  const raw = { ...(step.with ?? {}) };
  const keepSchema = step.type === 'waitForInput' && 'schema' in raw;
  const schema = raw.schema;
  if (keepSchema) delete raw.schema;
  const message = isHumanWaitStep(step.type) && typeof raw.message === 'string' ? raw.message : undefined;
  if (message !== undefined) delete raw.message;
  const input = renderDeep(raw, context, options) as Record<string, unknown>;
  if (message !== undefined) input.message = renderMarkdownMessage(message, context, options);
  if (keepSchema) input.schema = schema;
  const params: Record<string, unknown> = {};
  for (const k of ['items', 'source', 'arrays', 'strategy', 'errorIfNoMatch', 'detailed'] as const) {
    const v = step[k];
    if (v !== undefined) params[k] = typeof v === 'string' ? renderString(v, context, options) : renderDeep(v, context, options);
  }
  return { input, params };
}

/** Runs an I/O step so that a cancel (through `aborts`) or its `timeout` stops it at once. */
async function runAbortable(
  ctx: StepRunContext,
  step: StepDefinition,
  handler: StepType<StepServices>,
  rt: Runtime,
  aborts: AbortRegistry,
): Promise<StepOutcome> {
  const controller = new AbortController();
  const unregister = aborts.register(ctx.executionId, controller);
  const timer = step.timeoutMs
    ? setTimeout(() => controller.abort(new StepError('timeout', `step "${step.name}" timed out after ${step.timeoutMs} ms`, { retryable: true })), step.timeoutMs)
    : undefined;
  try {
    // A handler that ignores its signal still cannot outlive a timeout or a cancel.
    return await Promise.race([handler.run({ ...ctx, signal: controller.signal }, rt.services), abortPromise(controller.signal)]);
  } finally {
    if (timer) clearTimeout(timer);
    unregister();
  }
}

const NEVER_ABORTED = new AbortController().signal;

function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new StepError('cancelled', 'aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
