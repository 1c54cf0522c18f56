import {
  buildContext,
  decideFailure,
  enterContainer,
  formatPath,
  isTerminal,
  parsePath,
  parseStepKey,
  stepKey,
  StepError,
  toStepError,
  CONTAINER_TYPES,
  type ContainerChoice,
  type ExecutionState,
  type ExecutionStatus,
  type LoopView,
  type StepOutcome,
  type StepRunContext,
  type StepType,
  type StepRecord,
  type TemplateContext,
} from '@flowgate/engine';
import type { StepDefinition } from '@flowgate/workflow-format';
import { evaluateCondition } from '@flowgate/condition';
import { renderDeep, renderString } from '@flowgate/template';
import type { StepJob } from '@flowgate/queue';
import { AbortRegistry } from './abort-registry';
import { arrayValue } from '@flowgate/steps';
import { applyPlan, failExecution, loadExecution, pendingRecord, planAdvance, stepNameOf, type Loaded, type TransitionPlan } from './transitions';
import { inStepSpan } from '@flowgate/telemetry';
import { executionAttributes } from './start';
import type { StepServices } from '@flowgate/steps';
import type { Runtime } from './runtime';

const MAX_FOREACH_ITEMS = 10_000;
/** How long one job may go on running instant steps after its own before it hands over to the queue. */
const CHAIN_MAX_MS = 200;

/**
 * Runs one step job (docs/architecture.md "The path of an alert", docs/storage.md for the instant steps
 * that may follow it in the same job): load the execution, check that this job is its
 * continuation, mark the step RUNNING, evaluate `if`, render `with`, run the step, then commit the
 * result and the continuation in one compare-and-set, and enqueue the next job (or, when the next
 * step is instant, run it in this job: see commit).
 */
export async function processStepJob(rt: Runtime, job: StepJob, aborts: AbortRegistry): Promise<void> {
  const loaded = await loadExecution(rt, job.executionId);
  if (!loaded || isTerminal(loaded.exec.status)) return;
  const { exec } = loaded;
  const key = stepKey(job.path, job.attempt);
  // A wake (end of a wait or retry delay) sends the job right behind its commit: not applied yet.
  if (exec.next === key && exec.status === 'WAITING') throw new ContinuationNotCommitted(key);
  if (exec.next !== key) {
    const record = loaded.records.get(job.path);
    if (!record && (exec.status === 'RUNNING' || exec.status === 'PENDING')) {
      // Ahead of its commit (the script that commits it may be re-sent after a NOSCRIPT): let BullMQ
      // retry shortly rather than drop the continuation.
      throw new ContinuationNotCommitted(key);
    }
    // A duplicate or stale delivery: the step was committed already. Make sure what follows is queued.
    if (exec.next && (exec.status === 'RUNNING' || exec.status === 'PENDING')) {
      const { path, attempt } = parseStepKey(exec.next);
      await rt.queues.addStep({ executionId: exec.id, path, attempt });
    }
    return;
  }

  // Instant steps that follow run in this same job, each still committed on its own (see commit).
  loaded.chain = { left: rt.chainSteps, until: Date.now() + CHAIN_MAX_MS };
  let current: StepJob | undefined = job;
  while (current) {
    await runStep(rt, loaded, current, aborts);
    const next = loaded.chained;
    loaded.chained = undefined;
    current = next ? { executionId: exec.id, ...next } : undefined;
  }
}

/** Runs the step `job` names on an execution already loaded and checked to be waiting for it, in its span. */
async function runStep(rt: Runtime, loaded: Loaded, job: StepJob, aborts: AbortRegistry): Promise<void> {
  const { exec } = loaded;
  const step = loaded.plan.locate(stepNameOf(job.path)).step;
  const attributes = { ...executionAttributes(exec), 'flowgate.step': job.path, 'flowgate.step_type': step.type, 'flowgate.attempt': job.attempt };
  await inStepSpan(exec.traceparent, attributes, async (span) => {
    span.setAttribute('flowgate.outcome', await runStepBody(rt, loaded, step, job, aborts));
  });
}

/** Runs a step and commits what it did; answers its outcome (completed, skipped, failed, ...). */
async function runStepBody(rt: Runtime, loaded: Loaded, step: StepDefinition, job: StepJob, aborts: AbortRegistry): Promise<string> {
  const { exec } = loaded;
  const now = Date.now();
  const before = loaded.records.get(job.path) ?? pendingRecord(loaded, job.path, exec.seqs);
  const record: StepRecord = { ...before, status: 'RUNNING', attempts: job.attempt, startedAt: before.startedAt ?? now, finishedAt: null };
  const startFields: Partial<ExecutionState> = { status: 'RUNNING', startedAt: exec.startedAt ?? now, ...(loaded.records.has(job.path) ? {} : { seqs: exec.seqs + 1 }) };
  if (isInstant(rt, step)) {
    // No I/O outside Redis: skip the separate RUNNING write; the commit carries the start fields
    // and its compare-and-set still refuses a result that a cancel or another worker overtook.
    loaded.carry = startFields;
  } else {
    const started = await rt.executions.transition(exec.id, { rev: exec.rev, statuses: ['PENDING', 'RUNNING'] }, startFields, [record]);
    if (!started.ok) return 'overtaken'; // cancelled, timed out, or another worker took it: nothing to do here
    loaded.exec = { ...exec, ...startFields, rev: started.rev } as typeof exec;
  }
  loaded.records.set(job.path, record);

  const t0 = Date.now();
  let outcomeLabel = 'completed';
  try {
    const context = await contextFor(rt, loaded, job.path);
    if (step.if !== undefined && !evaluateCondition(step.if as string | boolean, context)) {
      outcomeLabel = 'skipped';
      await commit(rt, loaded, planAdvance(loaded, { ...record, status: 'SKIPPED', finishedAt: Date.now() }, Date.now()));
      return outcomeLabel;
    }
    if (loaded.plan.isContainer(step)) {
      await runContainer(rt, loaded, step, record, context);
      return outcomeLabel;
    }
    const outcome = await runAction(rt, loaded, step, record, context, job, aborts);
    outcomeLabel = outcome.kind;
  } catch (err) {
    const error = toStepError(err);
    outcomeLabel = 'failed';
    await handleFailure(rt, loaded, job.path, job.attempt, error);
  } finally {
    rt.hooks.stepFinished?.(step.type, outcomeLabel, Date.now() - t0);
  }
  return outcomeLabel;
}

/** Thrown for a job whose continuation is not committed yet; the steps queue retries it after a short delay. */
export class ContinuationNotCommitted extends Error {
  constructor(key: string) {
    super(`continuation ${key} is not committed yet`);
    this.name = 'ContinuationNotCommitted';
  }
}

/** Whether a step does nothing outside Redis, so that it needs no separate RUNNING write before it runs. */
function isInstant(rt: Runtime, step: StepDefinition): boolean {
  return CONTAINER_TYPES.has(step.type) || rt.registry.get(step.type)?.instant === true;
}

/**
 * Commits under the rev this job loaded (and, if given, only from these statuses): a cancel or
 * timeout in the meantime makes it a no-op. An instant step's start fields ride along.
 *
 * When the next step is instant too (no I/O outside Redis) and this job's chain budget allows, it is
 * not enqueued: the same job runs it right after this commit (`loaded.chained`), saving a queue hop
 * per step. Its continuation is committed all the same, so a crash in between is recovered like any
 * other: this job stalls, is delivered again, finds `next` ahead of it and enqueues it.
 */
async function commit(rt: Runtime, loaded: Loaded, p: TransitionPlan, statuses?: ExecutionStatus[]): Promise<boolean> {
  if (loaded.carry) p.set = { ...loaded.carry, ...p.set };
  loaded.carry = undefined;
  const chained = p.enqueue && canChain(rt, loaded, p.enqueue.path) ? p.enqueue : undefined;
  if (chained) p.enqueue = undefined;
  const result = await applyPlan(rt, loaded.exec, { rev: loaded.exec.rev, ...(statuses ? { statuses } : {}) }, p);
  if (!result.ok) {
    rt.log.info({ executionId: loaded.exec.id, reason: result.reason, status: result.status }, 'late commit discarded');
    return false;
  }
  // What was just written is the execution's state now: the chained step needs no reload.
  loaded.exec = { ...loaded.exec, ...p.set, rev: result.rev } as ExecutionState;
  for (const r of p.writes) loaded.records.set(r.path, r);
  loaded.chained = chained;
  return true;
}

/** Whether the step at `path` may run in the current job rather than its own. */
function canChain(rt: Runtime, loaded: Loaded, path: string): boolean {
  const chain = loaded.chain;
  // rt.chainSteps drops to 0 when the worker stops: it finishes its step and leaves the rest to others.
  if (!chain || chain.left <= 0 || rt.chainSteps <= 0 || Date.now() >= chain.until) return false;
  if (!isInstant(rt, loaded.plan.locate(stepNameOf(path)).step)) return false;
  chain.left--;
  return true;
}

/** The innermost foreach around `path`, with its items. */
async function loopFor(rt: Runtime, loaded: Loaded, path: string): Promise<LoopView | undefined> {
  const segments = parsePath(path);
  for (let i = segments.length - 2; i >= 0; i--) {
    const seg = segments[i];
    if (seg.iteration === undefined) continue;
    const containerPath = formatPath([...segments.slice(0, i), { name: seg.name }]);
    const items = await rt.executions.loadLoopItems(loaded.exec.id, containerPath);
    return { item: items[seg.iteration] ?? null, index: seg.iteration, total: items.length };
  }
  return undefined;
}

async function contextFor(rt: Runtime, loaded: Loaded, path: string): Promise<TemplateContext> {
  return buildContext({
    definition: loaded.definition,
    execution: loaded.exec,
    records: [...loaded.records.values()],
    loop: await loopFor(rt, loaded, path),
    publicUrl: rt.publicUrl,
  });
}

/** if / switch / foreach: decide the branch or the items, then enter the first child. */
async function runContainer(rt: Runtime, loaded: Loaded, step: StepDefinition, record: StepRecord, context: TemplateContext): Promise<void> {
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
  if (!first) {
    await commit(rt, loaded, planAdvance(loaded, { ...entered, status: 'COMPLETED', finishedAt: now }, now));
    return;
  }
  loaded.records.set(record.path, entered);
  // A container's timeout covers its whole subtree: a delayed job, added before the commit (idempotent).
  if (step.timeoutMs) await rt.queues.addStepTimeout(loaded.exec.id, record.path, record.attempts, step.timeoutMs);
  await commit(rt, loaded, {
    set: { status: 'RUNNING', next: stepKey(first, 1), nextAt: now, seqs: loaded.exec.seqs + 1 },
    writes: [entered, pendingRecord(loaded, first, loaded.exec.seqs)],
    enqueue: { path: first, attempt: 1 },
  });
}

/** docs/workflows.md "Built-in step types" foreach: an array, or a string holding JSON of one; at most 10,000 items. */
function foreachItems(source: unknown, context: TemplateContext): unknown[] {
  const items = arrayValue(typeof source === 'string' ? renderString(source, context) : source, 'foreach');
  if (items.length > MAX_FOREACH_ITEMS) throw new StepError('validation_error', `foreach: ${items.length} items, at most ${MAX_FOREACH_ITEMS}`);
  return items;
}

/** Renders `with` (never waitForInput's schema, stored verbatim) and the step-level parameters. */
function renderInput(step: StepDefinition, context: TemplateContext): { input: Record<string, unknown>; params: Record<string, unknown> } {
  const raw = { ...(step.with ?? {}) };
  const keepSchema = step.type === 'waitForInput' && 'schema' in raw;
  const schema = raw.schema;
  if (keepSchema) delete raw.schema;
  const input = renderDeep(raw, context) as Record<string, unknown>;
  if (keepSchema) input.schema = schema;
  const params: Record<string, unknown> = {};
  for (const k of ['items', 'source'] as const) {
    const v = step[k];
    if (v !== undefined) params[k] = typeof v === 'string' ? renderString(v, context) : renderDeep(v, context);
  }
  return { input, params };
}

async function runAction(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  record: StepRecord,
  context: TemplateContext,
  job: StepJob,
  aborts: AbortRegistry,
): Promise<StepOutcome> {
  const handler = rt.registry.get(step.type);
  if (!handler) throw new StepError('configuration_error', `unknown step type "${step.type}"`);
  const { input, params } = renderInput(step, context);
  record.input = input;

  const ctx = {
    executionId: loaded.exec.id,
    workflowId: loaded.exec.workflowId,
    path: record.path,
    attempt: job.attempt,
    step,
    input,
    params,
    context,
    signal: NEVER_ABORTED,
    maxStepSize: loaded.definition.settings.maxStepSize,
    log: (message: string, fields?: Record<string, unknown>) => rt.log.info({ executionId: loaded.exec.id, step: record.path, ...fields }, message),
  };
  // An instant step has nothing to abort (no outside I/O, a wait is a timer job): no controller, no timer.
  const outcome = isInstant(rt, step) ? await handler.run(ctx, rt.services) : await runAbortable(ctx, step, handler, rt, aborts);

  const now = Date.now();
  if (outcome.kind === 'output') {
    const size = Buffer.byteLength(JSON.stringify(outcome.output ?? null), 'utf8');
    if (size > loaded.definition.settings.maxStepSize) {
      throw new StepError('size_exceeded', `output of step "${step.name}" is ${size} bytes, over max-step-size (${loaded.definition.settings.maxStepSize} bytes)`);
    }
    await commit(rt, loaded, planAdvance(loaded, { ...record, status: 'COMPLETED', output: outcome.output ?? null, error: null, finishedAt: now }, now, outcome.variables));
  } else if (outcome.kind === 'delay') {
    // Park: the wake timer is added first (idempotent), so a crash after it cannot strand the execution.
    await rt.queues.addWake(loaded.exec.id, record.path, job.attempt, outcome.ms);
    await commit(rt, loaded, { set: { status: 'WAITING', next: stepKey(record.path, job.attempt), nextAt: now + outcome.ms }, writes: [{ ...record, status: 'WAITING' }] });
  } else {
    if (step.timeoutMs) await rt.queues.addStepTimeout(loaded.exec.id, record.path, job.attempt, step.timeoutMs);
    await commit(rt, loaded, {
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
        },
      },
      writes: [{ ...record, status: 'WAITING_FOR_INPUT' }],
    });
  }
  return outcome;
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

/** docs/workflows.md "Failure handling": retry (a delayed wake), then fallback, then continue, else the execution fails. */
export async function handleFailure(
  rt: Runtime,
  loaded: Loaded,
  path: string,
  attempt: number,
  error: StepError,
  expectStatuses?: ExecutionStatus[],
  /** records that change along with the failure (a timed-out container's cancelled subtree) */
  alsoWrite: StepRecord[] = [],
): Promise<void> {
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
  p.writes.push(...alsoWrite);
  await commit(rt, loaded, p, expectStatuses);
}
