import { monotonicFactory } from 'ulid';
import { newStepRecord, stepKey, type ExecutionState } from '@flowgate/engine';
import type { WorkflowDefinition } from '@flowgate/spec';
import type { Runtime } from './runtime';

const ulid = monotonicFactory();

export interface StartRequest {
  workflowId: string;
  /** the definition version hash current at trigger time */
  version: string;
  definition: WorkflowDefinition;
  trigger: ExecutionState['trigger'];
  triggeredBy: string;
  event?: unknown;
  inputs?: unknown;
}

/** The execution record and first step record of a new execution (nothing written). */
export function newExecution(req: StartRequest, now = Date.now()): { state: ExecutionState; first: string } {
  const id = ulid(now);
  const first = req.definition.steps[0].name;
  const timeout = req.definition.settings.timeoutMs;
  const state: ExecutionState = {
    id,
    workflowId: req.workflowId,
    workflowName: req.definition.name,
    version: req.version,
    trigger: req.trigger,
    triggeredBy: req.triggeredBy,
    status: 'PENDING',
    rev: 0,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    error: null,
    cancellation: null,
    waitingFor: null,
    next: stepKey(first, 1),
    nextAt: now,
    event: req.event ?? {},
    inputs: req.inputs ?? {},
    variables: {},
    deadline: timeout ? now + timeout : null,
    seqs: 1,
  };
  return { state, first };
}

/**
 * Creates executions and queues their first steps (and their settings.timeout timers). Many at once
 * for bulk ingestion: records first, then one addBulk per queue.
 */
export async function startExecutions(rt: Runtime, requests: StartRequest[]): Promise<string[]> {
  const now = Date.now();
  const created = requests.map((req) => ({ req, ...newExecution(req, now) }));
  await rt.executions.createMany(
    created.map(({ req, state, first }) => ({
      state,
      records: [newStepRecord({ name: first, path: first, type: req.definition.steps[0].type, seq: 0, iteration: null })],
    })),
  );
  const timers = created.filter((c) => c.state.deadline !== null);
  await Promise.all([
    rt.queues.addSteps(created.map((c) => ({ executionId: c.state.id, path: c.first, attempt: 1 }))),
    timers.length === 0
      ? Promise.resolve()
      : rt.queues.timers.addBulk(
          timers.map((c) => ({
            name: 'timer',
            data: { kind: 'execution-timeout' as const, executionId: c.state.id },
            opts: { jobId: `t#${c.state.id}`, delay: c.req.definition.settings.timeoutMs! },
          })),
        ),
  ]);
  return created.map((c) => c.state.id);
}

export async function startExecution(rt: Runtime, req: StartRequest): Promise<string> {
  const [id] = await startExecutions(rt, [req]);
  return id;
}
