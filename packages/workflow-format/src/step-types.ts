/** The built-in step and trigger types (docs/workflows.md "Triggers" and "Built-in step types"). */
import { CASE_CATALOG_STEP_TYPES } from './cases-steps';

export const TRIGGER_TYPES = ['alert', 'manual', 'scheduled'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** Step families, each defined here once. Containers hold other steps and decide which run. */
export const CONTAINER_STEP_TYPES = ['if', 'switch', 'foreach'] as const;
/** Steps that park the execution without holding a worker: until a timer, or until a human answers. */
export const WAIT_STEP_TYPES = ['wait', 'waitForInput', 'waitForApproval'] as const;
/** The waits a human answers (WAITING_FOR_INPUT): their records keep who answered and every attempt. */
export const HUMAN_WAIT_STEP_TYPES = ['waitForInput', 'waitForApproval'] as const;

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
  'http',
  'elasticsearch.search',
  'elasticsearch.index',
  'elasticsearch.request',
  'ai.classify',
  'ai.summarize',
  'ai.prompt',
  'cases.createCase',
  'cases.addComment',
  'cases.getCase',
  'cases.setStatus',
  ...CASE_CATALOG_STEP_TYPES,
  'workflow.fail',
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

/** `if`, `switch` and `foreach` hold other steps; every other type is an action (or a wait). */
export function isContainerStep(type: string): boolean {
  return (CONTAINER_STEP_TYPES as readonly string[]).includes(type);
}

export function isWaitStep(type: string): boolean {
  return (WAIT_STEP_TYPES as readonly string[]).includes(type);
}

/** waitForInput and waitForApproval. */
export function isHumanWaitStep(type: string): boolean {
  return (HUMAN_WAIT_STEP_TYPES as readonly string[]).includes(type);
}

/** The connector type a step family needs, or undefined when the family takes no connector. */
export function connectorTypeFor(stepType: string): string | undefined {
  if (stepType === 'http' || stepType === 'cases.pushCases') return 'http';
  if (stepType.startsWith('ai.')) return 'openai';
  if (stepType.startsWith('elasticsearch.')) return 'elasticsearch';
  return undefined;
}
