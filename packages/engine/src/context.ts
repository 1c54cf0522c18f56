import type { WorkflowDefinition } from '@flowgate/workflow-format';
import type { ExecutionState, StepRecord } from './records';

/** What a template sees of a step: `steps.<name>.{output, error, status, respondedBy, respondedAt}`. */
export interface StepView {
  output: unknown;
  error: unknown;
  status: string;
  respondedBy: string | null;
  respondedAt: string | null;
}

export interface LoopView {
  item: unknown;
  index: number;
  total: number;
}

export interface TemplateContext {
  event: unknown;
  inputs: unknown;
  consts: Record<string, unknown>;
  variables: Record<string, unknown>;
  steps: Record<string, StepView>;
  foreach?: LoopView;
  /** inside a while (and in its condition): the iteration, from 0 */
  while?: { iteration: number };
  execution: { id: string; startedAt: string | null; url: string; triggeredBy: string };
  workflow: { id: string; name: string };
  now: string;
}

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

/**
 * Kibana 9.5 puts a human wait's answer at `output.response` and its author at `output.respondedBy`;
 * 9.4 reads the answer's fields at `output.<field>`. Both work: the answer is shown with the two added,
 * unless the wait's schema (or, without one, the answer) has a field of that name — then it wins.
 */
function waitOutput(record: StepRecord): unknown {
  if (record.type !== 'waitForInput' && record.type !== 'waitForApproval') return record.output;
  const answer = record.output;
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return answer;
  const schema = (record.input as { schema?: { properties?: Record<string, unknown> } } | null)?.schema;
  const taken = (name: string) => (schema?.properties ? Object.prototype.hasOwnProperty.call(schema.properties, name) : false) || Object.prototype.hasOwnProperty.call(answer, name);
  const { timedOut: _flag, ...response } = answer as Record<string, unknown>;
  return {
    ...answer,
    ...(taken('response') ? {} : { response }),
    ...(taken('respondedBy') ? {} : { respondedBy: record.respondedBy ?? null }),
  };
}

export function stepView(record: StepRecord): StepView {
  return {
    output: waitOutput(record),
    error: record.error,
    status: record.status,
    respondedBy: record.respondedBy ?? null,
    respondedAt: iso(record.respondedAt),
  };
}

/**
 * The template context of docs/workflows.md "Templates". `records` are the step records visible from the current scope,
 * oldest first: a later run of a name (a later loop iteration) replaces an earlier one.
 */
export function buildContext(args: {
  definition: WorkflowDefinition;
  execution: ExecutionState;
  records: StepRecord[];
  loop?: LoopView;
  whileLoop?: { iteration: number };
  publicUrl: string;
  now?: number;
}): TemplateContext {
  const steps: Record<string, StepView> = {};
  for (const record of [...args.records].sort((a, b) => a.seq - b.seq)) steps[record.name] = stepView(record);
  const e = args.execution;
  const context: TemplateContext = {
    event: e.event ?? {},
    inputs: e.inputs ?? {},
    consts: args.definition.consts,
    variables: e.variables,
    steps,
    execution: {
      id: e.id,
      startedAt: iso(e.startedAt ?? e.createdAt),
      url: `${args.publicUrl.replace(/\/$/, '')}/executions/${e.id}`,
      triggeredBy: e.triggeredBy,
    },
    workflow: { id: e.workflowId, name: e.workflowName },
    now: new Date(args.now ?? Date.now()).toISOString(),
  };
  if (args.loop) context.foreach = args.loop;
  if (args.whileLoop) context.while = args.whileLoop;
  return context;
}
