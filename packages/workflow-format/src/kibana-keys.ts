/**
 * Keys of Kibana's workflow format that Flowgate accepts but does not act on (docs/workflows.md "Kibana keys accepted but ignored").
 * The schema lists them (so they are not "unknown"), the validator warns
 * `<path>: accepted but ignored (Kibana key)`, and normalization drops them.
 */

export const KIBANA_IGNORED_MESSAGE = 'accepted but ignored (Kibana key)';

export const KIBANA_KEYS = {
  /** top level */
  workflow: ['template-metadata'],
  settings: ['timezone', 'concurrency', 'liquid'],
  /** `on-failure.retry` */
  retry: ['jitter', 'condition'],
  /** a trigger's `on` */
  triggerOn: ['workflowEvents'],
  /** on every step */
  step: ['max-step-size'],
  /** on `foreach` steps */
  loop: ['max-iterations', 'iteration-on-failure', 'iteration-timeout'],
  /** on `ai.*` steps but ai.agent */
  ai: ['agent-id', 'inference-id'],
  /** on `ai.agent` (its `agent-id` is used: the agent) */
  aiAgent: ['create-conversation', 'inference-id'],
  /** under `with` of an `http` step */
  httpWith: ['fetcher'],
  /** under `with` of the `kibana.*` steps */
  kibanaWith: ['fetcher'],
  /** under `with` of a `workflow.fail` step */
  failWith: ['reason'],
  /** under `with` of a `cases.createCase` step: Kibana case fields Flowgate's case store does not hold */
  createCaseWith: ['owner', 'settings', 'connector'],
  /** on cases.* steps that change a case: Kibana pushes the case to its connector after the step; Flowgate has cases.pushCases */
  casesStep: ['push-case'],
  /** under `with` of cases.assignCase, unassignCase, closeCase, set* and each item of updateCases: Kibana's optimistic-concurrency version (every write here is atomic) */
  casesVersionWith: ['version'],
  /** under `with` of cases.findCases: Kibana's solution and reporter filters (Flowgate's cases have neither) */
  findCasesWith: ['owner', 'reporters'],
  /** under `with` of cases.getCasesByAlertId */
  casesByAlertWith: ['owner'],
  /** inside `updates` (cases.updateCase, updateCases) and `overwrites` (createCaseFromTemplate) */
  caseUpdateWith: ['settings', 'connector', 'owner'],
} as const;

/** A schema that accepts anything, described as ignored. */
export function kibanaKeySchemas(keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = { description: `Kibana key: ${KIBANA_IGNORED_MESSAGE}` };
  return out;
}
