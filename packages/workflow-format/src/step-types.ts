/** The built-in step and trigger types (docs/workflows.md "Triggers" and "Built-in step types"). */
import { CASE_CATALOG_STEP_TYPES } from './cases-steps';

export const TRIGGER_TYPES = ['alert', 'manual', 'scheduled'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** Step families, each defined here once. Containers hold other steps and decide which run. */
export const CONTAINER_STEP_TYPES = ['if', 'switch', 'foreach', 'while'] as const;
/** The loops: their children run once per iteration, at paths `<loop>[i]/<child>`. */
export const LOOP_STEP_TYPES = ['foreach', 'while'] as const;
/** Steps that leave the innermost loop's iteration: loop.break ends the loop, loop.continue goes on with the next iteration. */
export const LOOP_CONTROL_STEP_TYPES = ['loop.break', 'loop.continue'] as const;
/** Steps that park the execution without holding a worker: until a timer, or until a human answers. */
export const WAIT_STEP_TYPES = ['wait', 'waitForInput', 'waitForApproval'] as const;
/** The waits a human answers (WAITING_FOR_INPUT): their records keep who answered and every attempt. */
export const HUMAN_WAIT_STEP_TYPES = ['waitForInput', 'waitForApproval'] as const;

/** A loop runs at most this many iterations: a foreach's items, a while's max-iterations (and its default). */
export const MAX_LOOP_ITERATIONS = 10_000;
/** A while without max-iterations stops after this many (Kibana's default). */
export const DEFAULT_WHILE_ITERATIONS = 2_000;

/** Every built-in step type with a fixed name; `elasticsearch.<api>` types come on top (see isKnownStepType). */
export const STEP_TYPES: readonly string[] = Object.freeze([
  'console',
  'data.set',
  'data.parseJson',
  'data.stringifyJson',
  'data.map',
  'data.filter',
  'data.aggregate',
  'data.concat',
  'data.dedupe',
  'data.find',
  'data.regexExtract',
  'data.regexReplace',
  'wait',
  'waitForInput',
  'waitForApproval',
  'if',
  'switch',
  'foreach',
  'while',
  'loop.break',
  'loop.continue',
  'http',
  'elasticsearch.search',
  'elasticsearch.index',
  'elasticsearch.request',
  'ai.classify',
  'ai.summarize',
  'ai.prompt',
  'ai.agent',
  'kibana.request',
  'kibana.SetAlertsStatus',
  'kibana.SetAlertTags',
  'slack',
  'email',
  'cases.createCase',
  'cases.addComment',
  'cases.getCase',
  'cases.setStatus',
  ...CASE_CATALOG_STEP_TYPES,
  'workflow.fail',
  'workflow.execute',
  'workflow.executeAsync',
  'workflow.output',
]);

/** Members of the official Elasticsearch client that are not APIs: never a step type. */
export const FORBIDDEN_ELASTICSEARCH_NAMES: readonly string[] = Object.freeze([
  'close',
  'transport',
  'helpers',
  'child',
  'extend',
  'diagnostic',
  'connectionPool',
]);

/**
 * `elasticsearch.<api>`: a dotted path of identifiers none of which is a forbidden name, in any
 * segment (`elasticsearch.indices.transport.connectionPool.empty` reaches the client's internals
 * through an API namespace just as well as `elasticsearch.transport` does).
 */
export const ELASTICSEARCH_API_PATTERN =
  `elasticsearch\\.(?!(?:[A-Za-z_][A-Za-z0-9_]*\\.)*(?:${FORBIDDEN_ELASTICSEARCH_NAMES.join('|')})(?:\\.|$))[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*`;

/** The first segment of an API path (`indices.transport.request`) that is a forbidden name, if any. */
export function forbiddenElasticsearchSegment(apiPath: string): string | undefined {
  return apiPath.split('.').find((segment) => FORBIDDEN_ELASTICSEARCH_NAMES.includes(segment));
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The JSON Schema pattern of a valid step type (one keyword, so one clear error). */
export const STEP_TYPE_PATTERN = `^(?:${STEP_TYPES.map(escapeRe).join('|')}|${ELASTICSEARCH_API_PATTERN})$`;

const STEP_TYPE_RE = new RegExp(STEP_TYPE_PATTERN);

export function isKnownStepType(type: unknown): type is string {
  return typeof type === 'string' && STEP_TYPE_RE.test(type);
}

/** `if`, `switch`, `foreach` and `while` hold other steps; every other type is an action (or a wait). */
export function isContainerStep(type: string): boolean {
  return (CONTAINER_STEP_TYPES as readonly string[]).includes(type);
}

/** `foreach` and `while`. */
export function isLoopStep(type: string): boolean {
  return (LOOP_STEP_TYPES as readonly string[]).includes(type);
}

/** `loop.break` and `loop.continue`. */
export function isLoopControlStep(type: string): boolean {
  return (LOOP_CONTROL_STEP_TYPES as readonly string[]).includes(type);
}

export function isWaitStep(type: string): boolean {
  return (WAIT_STEP_TYPES as readonly string[]).includes(type);
}

/** waitForInput and waitForApproval. */
export function isHumanWaitStep(type: string): boolean {
  return (HUMAN_WAIT_STEP_TYPES as readonly string[]).includes(type);
}

/** workflow.execute and workflow.executeAsync: start an execution of another workflow. */
export const COMPOSITION_STEP_TYPES = ['workflow.execute', 'workflow.executeAsync'] as const;
/** How deep workflow.execute may nest (a child of a child ...): a loop of workflows calling each other stops there. */
export const MAX_COMPOSITION_DEPTH = 10;

/** The connector type a step family needs, or undefined when the family takes no connector. */
export function connectorTypeFor(stepType: string): string | undefined {
  if (stepType === 'http' || stepType === 'cases.pushCases') return 'http';
  // ai.agent talks to Kibana's Agent Builder, not to a model: it needs Kibana
  if (stepType === 'ai.agent' || stepType.startsWith('kibana.')) return 'kibana';
  if (stepType === 'slack' || stepType === 'email') return stepType;
  if (stepType.startsWith('ai.')) return 'openai';
  if (stepType.startsWith('elasticsearch.')) return 'elasticsearch';
  return undefined;
}
