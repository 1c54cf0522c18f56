/**
 * The normalized, typed workflow definition produced by `validateWorkflow`.
 * YAML keys in kebab-case (`connector-id`, `on-failure`, `max-attempts`) become camelCase here;
 * durations and sizes are resolved to milliseconds and bytes.
 */
export type JsonSchema = Record<string, unknown>;

export interface RetryPolicy {
  maxAttempts: number;
  delayMs: number;
  strategy: 'fixed' | 'exponential';
  multiplier: number;
  maxDelayMs: number;
}

export interface OnFailure {
  retry?: RetryPolicy;
  fallback?: StepDefinition[];
  continue?: boolean;
}

export interface SwitchCase {
  match: unknown;
  steps: StepDefinition[];
}

export interface StepDefinition {
  name: string;
  type: string;
  with: Record<string, unknown>;
  if?: string | boolean;
  connectorId?: string;
  timeoutMs?: number;
  onFailure?: OnFailure;
  /** waitForInput/waitForApproval: the answer taken when the step's timeout elapses (instead of failing) */
  onTimeout?: { outcome: Record<string, unknown> };
  /** children of `if` (then), `foreach`, `while` */
  steps?: StepDefinition[];
  /** `if` else branch */
  else?: StepDefinition[];
  /** `switch` */
  expression?: string;
  cases?: SwitchCase[];
  default?: StepDefinition[];
  /** `if` and `while` condition */
  condition?: string | boolean;
  /** `while`: the most iterations, and what reaching them does (the step succeeds, or fails) */
  maxIterations?: { limit: number; onLimit: 'continue' | 'fail' };
  /** `foreach` items (array, or a template producing one) */
  foreach?: unknown;
  /** `data.map` / `data.filter` items */
  items?: unknown;
  /** `data.parseJson` / `data.stringifyJson` / `data.regex*` source */
  source?: unknown;
  /** `data.concat` arrays */
  arrays?: unknown;
  /** `data.dedupe`: keep_first or keep_last */
  strategy?: unknown;
  /** `data.regexExtract`: fail when a string does not match */
  errorIfNoMatch?: unknown;
  /** `data.regexReplace`: output {original, replaced, matchCount} */
  detailed?: unknown;
}

export type Trigger =
  | { type: 'alert'; condition?: string }
  | { type: 'manual'; inputs?: JsonSchema }
  | {
      type: 'scheduled';
      everyMs?: number;
      rrule?: Record<string, unknown>;
      cron?: string;
      timezone?: string;
    };

export interface WorkflowSettings {
  timeoutMs?: number;
  onFailure?: OnFailure;
  /** bytes; default 1 MiB */
  maxStepSize: number;
}

export interface WorkflowDefinition {
  version?: string;
  name: string;
  description?: string;
  enabled: boolean;
  tags: string[];
  triggers: Trigger[];
  /** JSON Schema of the manual inputs (Kibana's list form already converted), from the top level or the manual trigger */
  inputs?: JsonSchema;
  /** JSON Schema of what a workflow.output step sets (Kibana's list form already converted) */
  outputs?: JsonSchema;
  consts: Record<string, unknown>;
  settings: WorkflowSettings;
  steps: StepDefinition[];
}

export interface Problem {
  /** `steps[3].with.schema` */
  path: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  definition?: WorkflowDefinition;
  errors: Problem[];
  warnings: Problem[];
}

export interface ValidateOptions {
  /** When given, every `connector-id` must be one of these ids (and of a type that fits the step, when known). */
  connectors?: Record<string, { type: string }>;
}
