/**
 * Composition (docs/workflows.md "workflow.execute"): a step that starts an execution of another
 * workflow, and the step that sets an execution's outputs.
 *
 * - workflow.execute starts the child, then parks its execution WAITING (no worker held, no job) at
 *   `<path>#<attempt>`; the child's end (applyPlan, any terminal status) adds a `child-done` timer
 *   job that completes the step with the child's outputs, or fails it (`child_failed`).
 * - workflow.executeAsync starts the child and completes at once with its id.
 * - workflow.output sets the execution's outputs and ends it COMPLETED.
 *
 * The child's id is derived from `<parent>/<path>#<attempt>` and the step's start time, so a step job
 * delivered twice finds the child it started and never starts a second one.
 */
import { createHash } from 'node:crypto';
import { encodeTime, encodeRandom } from 'ulid';
import { isMoving, isTerminal, stepKey, StepError, type ExecutionState, type StepRecord, type TemplateContext } from '@flowgate/engine';
import { isPlainObject } from '@flowgate/template';
import { MAX_COMPOSITION_DEPTH, validateAnswer, validateInputs, type StepDefinition } from '@flowgate/workflow-format';
import { commit, type CommitOptions, type Continuation } from './commit';
import { handleFailure } from './failure';
import { ContinuationNotCommitted } from './job-gate';
import { renderInput } from './run-action';
import { startExecutions } from './start';
import { ancestorPaths, applyPlan, loadExecution, planAdvance, type Loaded } from './transitions';
import type { Runtime } from './runtime';

export function isCompositionStep(type: string): boolean {
  return type === 'workflow.execute' || type === 'workflow.executeAsync' || type === 'workflow.output';
}

/** A ULID whose time is `ms` and whose random part comes from `seed`: the same inputs, the same id. */
export function deterministicUlid(ms: number, seed: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let i = 0;
  return encodeTime(ms, 10) + encodeRandom(16, () => bytes[i++] / 256);
}

/** Runs a composition step in its job; answers the step this job runs next. */
export async function runComposition(
  rt: Runtime,
  loaded: Loaded,
  step: StepDefinition,
  record: StepRecord,
  attempt: number,
  context: TemplateContext,
  options: CommitOptions,
): Promise<Continuation | null> {
  const { input } = renderInput(step, context);
  record.input = input;
  if (step.type === 'workflow.output') return setOutputs(rt, loaded, record, input, options);
  const child = await startChild(rt, loaded, record, attempt, input, step.type === 'workflow.execute');
  const now = Date.now();
  if (step.type === 'workflow.executeAsync') {
    const output = { executionId: child.id, workflowId: child.workflowId, status: 'PENDING' };
    return commit(rt, loaded, planAdvance(loaded, { ...record, status: 'COMPLETED', output, child: child.id, error: null, finishedAt: now }, now), options);
  }
  // The step's own timeout: a delayed job, added before the commit that parks (idempotent).
  if (step.timeoutMs) await rt.queues.addStepTimeout(loaded.exec.id, record.path, attempt, step.timeoutMs);
  await commit(rt, loaded, { set: { status: 'WAITING', next: stepKey(record.path, attempt), nextAt: now }, writes: [{ ...record, status: 'WAITING', child: child.id }] }, options);
  // A child that ended before the parent parked found nothing waiting (its child-done job retries a
  // few times, then gives up): the parent announces it itself.
  const state = await rt.executions.load(child.id);
  if (state && isTerminal(state.status)) await rt.queues.addChildDone({ executionId: loaded.exec.id, step: record.path, attempt }, child.id);
  return null;
}

/** Checks the call and starts the child execution, unless this step run started it already. */
async function startChild(rt: Runtime, loaded: Loaded, record: StepRecord, attempt: number, input: Record<string, unknown>, wait: boolean): Promise<{ id: string; workflowId: string }> {
  const { exec } = loaded;
  const workflowId = typeof input['workflow-id'] === 'string' ? input['workflow-id'].trim() : '';
  if (workflowId === '') throw new StepError('validation_error', `${record.type}: with.workflow-id is empty`);
  if (workflowId === exec.workflowId) throw new StepError('validation_error', `${record.type}: a workflow cannot run itself ("${workflowId}")`);
  const depth = (exec.depth ?? 0) + 1;
  if (depth > MAX_COMPOSITION_DEPTH) {
    throw new StepError('validation_error', `${record.type}: "${workflowId}" would run ${depth} workflow calls deep, over the limit of ${MAX_COMPOSITION_DEPTH}`);
  }
  const rawInputs = input.inputs ?? {};
  if (!isPlainObject(rawInputs)) throw new StepError('validation_error', `${record.type}: with.inputs must be an object`);

  const id = deterministicUlid(record.startedAt ?? Date.now(), `${exec.id}/${record.path}#${attempt}`);
  if (await rt.executions.load(id)) return { id, workflowId };

  const stored = await rt.workflows.get(workflowId);
  if (!stored) throw new StepError('validation_error', `${record.type}: no workflow "${workflowId}"`);
  if (!stored.valid || !stored.version) throw new StepError('validation_error', `${record.type}: the workflow "${workflowId}" is not valid and cannot run`);
  const { definition } = await rt.definitions.get(stored.version);
  if (!definition.enabled) throw new StepError('validation_error', `${record.type}: the workflow "${workflowId}" is disabled`);
  const { value, errors } = validateInputs(definition.inputs, rawInputs, stored.version);
  if (errors.length > 0) {
    throw new StepError('validation_error', `${record.type}: the inputs do not match the inputs of "${workflowId}": ${errors.map((e) => e.message).join('; ')}`, { details: errors });
  }
  await startExecutions(
    rt,
    [
      {
        workflowId,
        version: stored.version,
        definition,
        trigger: 'manual',
        triggeredBy: `workflow:${exec.workflowId}`,
        inputs: value,
        event: {},
        parent: { executionId: exec.id, step: record.path, attempt, wait },
        depth,
      },
    ],
    [id],
  );
  rt.log.info({ executionId: exec.id, step: record.path, child: id, workflowId }, 'child execution started');
  return { id, workflowId };
}

/** workflow.output: the outputs, checked against the workflow's declared `outputs`; the execution ends COMPLETED. */
async function setOutputs(rt: Runtime, loaded: Loaded, record: StepRecord, outputs: Record<string, unknown>, options: CommitOptions): Promise<Continuation | null> {
  const declared = loaded.definition.outputs;
  const errors = declared ? validateAnswer(declared, outputs) : [];
  if (errors.length > 0) {
    throw new StepError('validation_error', `workflow.output: the outputs do not match the workflow's outputs: ${errors.map((e) => e.message).join('; ')}`, { details: errors });
  }
  const size = Buffer.byteLength(JSON.stringify(outputs), 'utf8');
  if (size > loaded.definition.settings.maxStepSize) {
    throw new StepError('size_exceeded', `workflow.output: the outputs are ${size} bytes, over max-step-size (${loaded.definition.settings.maxStepSize} bytes)`);
  }
  const now = Date.now();
  const writes: StepRecord[] = [{ ...record, status: 'COMPLETED', output: outputs, error: null, finishedAt: now }];
  // the containers around it end with it
  for (const p of ancestorPaths(record.path)) {
    const r = loaded.records.get(p);
    if (r && !isTerminal(r.status)) writes.push({ ...r, status: 'COMPLETED', finishedAt: now });
  }
  return commit(rt, loaded, { set: { status: 'COMPLETED', finishedAt: now, next: '', waitingFor: null, output: outputs }, writes, terminal: 'COMPLETED' }, options);
}

/**
 * A `child-done` timer job: the parent waiting at `path` takes its child's end. Completed: the step's
 * output is the child's outputs (checked against the child's declared `outputs`); failed or
 * cancelled: the step fails with `child_failed` and its on-failure applies.
 */
export async function childDone(rt: Runtime, parentId: string, path: string, attempt: number, childId: string): Promise<void> {
  const loaded = await loadExecution(rt, parentId);
  if (!loaded || isTerminal(loaded.exec.status)) return;
  const { exec } = loaded;
  const key = stepKey(path, attempt);
  // the parent has started the child but not parked yet: retried shortly
  if (isMoving(exec.status) && exec.next === key) throw new ContinuationNotCommitted(key);
  const record = loaded.records.get(path);
  if (exec.status !== 'WAITING' || exec.next !== key || !record || record.child !== childId) return;
  const child = await rt.executions.load(childId);
  if (child && !isTerminal(child.status)) return;
  const now = Date.now();
  if (child?.status === 'COMPLETED') {
    const outputs = child.output ?? {};
    const problems = await outputProblems(rt, child, outputs);
    if (problems === null) {
      await applyPlan(rt, exec, { rev: exec.rev, statuses: ['WAITING'] }, planAdvance(loaded, { ...record, status: 'COMPLETED', output: outputs, error: null, finishedAt: now }, now));
      return;
    }
    await handleFailure(rt, loaded, path, attempt, new StepError('validation_error', `workflow.execute: the outputs of "${child.workflowId}" do not match its declared outputs: ${problems}`), { statuses: ['WAITING'] });
    return;
  }
  const how = child ? `${child.status.toLowerCase()}${child.error ? `: ${child.error.message}` : child.cancellation ? ` by ${child.cancellation.by}` : ''}` : 'is gone';
  const error = new StepError('child_failed', `workflow.execute: the child execution ${childId}${child ? ` of "${child.workflowId}"` : ''} ${how}`, {
    details: { executionId: childId, status: child?.status ?? null, error: child?.error ?? null },
  });
  await handleFailure(rt, loaded, path, attempt, error, { statuses: ['WAITING'] });
}

async function outputProblems(rt: Runtime, child: ExecutionState, outputs: Record<string, unknown>): Promise<string | null> {
  const { definition } = await rt.definitions.get(child.version);
  if (!definition.outputs) return null;
  const errors = validateAnswer(definition.outputs, outputs);
  return errors.length === 0 ? null : errors.map((e) => e.message).join('; ');
}

/** After a parent's cancel or timeout: the children it waits for are cancelled too. */
export async function cancelChildren(rt: Runtime, parentId: string, records: Iterable<StepRecord>, cancel: (id: string) => Promise<unknown>): Promise<void> {
  for (const r of records) {
    if (r.type === 'workflow.execute' && r.child && r.status === 'WAITING') {
      rt.log.info({ executionId: parentId, step: r.path, child: r.child }, 'cancelling the child execution of a stopped parent');
      await cancel(r.child);
    }
  }
}
