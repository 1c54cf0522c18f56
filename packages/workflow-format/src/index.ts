/**
 * @flowgate/workflow-format — the workflow format: YAML → validated, typed WorkflowDefinition; the JSON Schema
 * of the format; durations, sizes, ids.
 */
export * from './types';
export { validateWorkflow, workflowValidator } from './validate';
export { workflowSchema } from './schema';
export { parseDuration, formatDuration, isDuration, DURATION_PATTERN } from './duration';
export { parseSize, SIZE_PATTERN, DEFAULT_MAX_STEP_SIZE } from './size';
export { slugify, isValidWorkflowId, WORKFLOW_ID_PATTERN, RESERVED_WORKFLOW_IDS } from './slug';
export {
  STEP_TYPES,
  TRIGGER_TYPES,
  CONTAINER_STEP_TYPES,
  WAIT_STEP_TYPES,
  HUMAN_WAIT_STEP_TYPES,
  isWaitStep,
  isHumanWaitStep,
  FORBIDDEN_ELASTICSEARCH_NAMES,
  forbiddenElasticsearchSegment,
  isContainerStep,
  isLoopStep,
  COMPOSITION_STEP_TYPES,
  MAX_COMPOSITION_DEPTH,
  isLoopControlStep,
  LOOP_STEP_TYPES,
  LOOP_CONTROL_STEP_TYPES,
  MAX_LOOP_ITERATIONS,
  DEFAULT_WHILE_ITERATIONS,
  isKnownStepType,
  connectorTypeFor,
} from './step-types';
export { inputsToJsonSchema, inputItemToJsonSchema } from './inputs';
export type { InputListItem } from './inputs';
export { walkSteps } from './walk';
export type { WalkInfo, Branch } from './walk';
export { RETRY_DEFAULTS, WAIT_TIMEOUT_DEFAULTS } from './normalize';
export { KIBANA_KEYS, KIBANA_IGNORED_MESSAGE } from './kibana-keys';
export { formatPath } from './path';
export { DATA_STEP_TYPES, MAX_PATTERN_LENGTH, flagsProblem, scanRegex } from './data-steps';
export { ALERT_STATUSES, KIBANA_STEP_TYPES, NOTIFY_STEP_TYPES } from './kibana-steps';
export { connectorTypesFromYaml } from './connector-types';
export type { ConnectorTypes } from './connector-types';
export { APPROVAL_SCHEMA, checkJsonSchema, compileSchema, describeSchemaError, validateAnswer, validateInputs, valueMatches } from './json-schema';
export type { SchemaError, SchemaIssue } from './json-schema';
export { caseTemplatesFromYaml } from './case-templates';
export type { CaseTemplate, CaseTemplateFields, CaseTemplates } from './case-templates';
