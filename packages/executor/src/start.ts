import { monotonicFactory } from 'ulid';
import { newStepRecord, stepKey, type ExecutionState, type ParentLink } from '@flowgate/engine';
import type { WorkflowDefinition } from '@flowgate/workflow-format';
import type { StartEntry } from '@flowgate/queue';
import { startExecutionTraces } from '@flowgate/telemetry';
import type { Runtime } from './runtime';
import { summarizeEvent } from './summary';
import { isPlainObject } from '@flowgate/template';

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
  /** the execution this one re-runs */
  rerunOf?: string;
  /** the parent's workflow.execute (or executeAsync) that starts this one */
  parent?: ParentLink;
  /** workflow calls deep (the parent's depth + 1) */
  depth?: number;
}

/**
 * Ids for executions about to be created: ULIDs, sortable by time. Alert ingestion takes them
 * before it writes, to record under the alert's idempotency key what it is about to create.
 */
export function newExecutionIds(count: number, now = Date.now()): string[] {
  return Array.from({ length: count }, () => ulid(now));
}

/**
 * The execution record and first step record of a new execution (nothing written). `group`: the
 * first execution started from the same posted alert (see `startExecutions`), when the alert has no id.
 */
export function newExecution(req: StartRequest, now = Date.now(), id = ulid(now), group: string | null = null): { state: ExecutionState; first: string } {
  const first = req.definition.steps[0].name;
  const timeout = req.definition.settings.timeoutMs;
  const summary = summarizeEvent(req.event, req.inputs);
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
    summary,
    // The alert id is the group when there is one (derived on read: docs/api.md "Summary").
    group: summary.alertId ? null : group,
    rerunOf: req.rerunOf ?? null,
    ...(req.parent ? { parent: req.parent, depth: req.depth ?? 1 } : {}),
  };
  return { state, first };
}

/** From this many executions at once, their jobs are queued by a worker from one start batch. */
const START_BATCH_MIN = 20;

/**
 * Creates executions and queues their first steps (and their settings.timeout timers). Many at once
 * for bulk ingestion: the records in one pipeline, then, for a few, their jobs directly; for many,
 * one start batch that a worker fans out (ingestion then costs the API one write per execution,
 * not four: what lets one API process accept alerts faster than BullMQ adds jobs). `ids`, when
 * given, are those of `newExecutionIds`, one per request.
 */
export async function startExecutions(rt: Runtime, requests: StartRequest[], ids?: string[]): Promise<string[]> {
  const now = Date.now();
  const planned = ids ?? newExecutionIds(requests.length, now);
  // One posted alert that matched several workflows: its executions form one group in the inbox.
  const firstOfEvent = new Map<unknown, { id: string; count: number }>();
  requests.forEach((req, i) => {
    if (!isPlainObject(req.event)) return;
    const seen = firstOfEvent.get(req.event);
    if (seen) seen.count++;
    else firstOfEvent.set(req.event, { id: planned[i], count: 1 });
  });
  const created = requests.map((req, i) => {
    const shared = firstOfEvent.get(req.event);
    return { req, ...newExecution(req, now, planned[i], shared && shared.count > 1 ? shared.id : null) };
  });
  const traces = startExecutionTraces(created.map(({ state }) => ({ id: state.id, attributes: executionAttributes(state) })));
  created.forEach(({ state }, i) => {
    if (traces[i]) state.traceparent = traces[i];
  });
  await rt.executions.createMany(
    created.map(({ req, state, first }) => ({
      state,
      records: [newStepRecord({ name: first, path: first, type: req.definition.steps[0].type, seq: 0, iteration: null })],
    })),
  );
  const entries: StartEntry[] = created.map(({ state, first }) => [state.id, first, state.deadline ?? 0]);
  if (entries.length >= START_BATCH_MIN) await rt.queues.addStartBatch(entries);
  else await rt.queues.addStarts(entries, now);
  return created.map((c) => c.state.id);
}

export async function startExecution(rt: Runtime, req: StartRequest): Promise<string> {
  const [id] = await startExecutions(rt, [req]);
  return id;
}

/** The attributes every span of an execution carries. */
export function executionAttributes(exec: Pick<ExecutionState, 'id' | 'workflowId' | 'trigger'>): Record<string, string> {
  return { 'flowgate.execution_id': exec.id, 'flowgate.workflow_id': exec.workflowId, 'flowgate.trigger': exec.trigger };
}
