/**
 * Validated YAML data → WorkflowDefinition: kebab-case → camelCase, durations → ms, sizes → bytes,
 * retry defaults, inputs list form → JSON Schema, Kibana keys dropped. Call only on data that validated.
 */
import { parseDuration } from './duration';
import { InputListItem, inputsToJsonSchema } from './inputs';
import { KIBANA_KEYS } from './kibana-keys';
import { DEFAULT_WHILE_ITERATIONS, isContainerStep } from './step-types';
import { DEFAULT_MAX_STEP_SIZE, parseSize } from './size';
import type {
  JsonSchema,
  OnFailure,
  RetryPolicy,
  StepDefinition,
  Trigger,
  WorkflowDefinition,
  WorkflowSettings,
} from './types';

type Raw = Record<string, any>;

export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  maxAttempts: 1,
  delayMs: 1_000,
  strategy: 'fixed',
  multiplier: 2,
  maxDelayMs: 3_600_000,
}) as RetryPolicy;

function normalizeInputs(inputs: unknown): JsonSchema | undefined {
  if (inputs === undefined || inputs === null) return undefined;
  return inputsToJsonSchema(inputs as InputListItem[] | JsonSchema);
}

export function normalizeRetry(raw: Raw): RetryPolicy {
  return {
    maxAttempts: raw['max-attempts'] ?? RETRY_DEFAULTS.maxAttempts,
    delayMs: raw.delay !== undefined ? parseDuration(raw.delay) : RETRY_DEFAULTS.delayMs,
    strategy: raw.strategy ?? RETRY_DEFAULTS.strategy,
    multiplier: raw.multiplier ?? RETRY_DEFAULTS.multiplier,
    maxDelayMs: raw['max-delay'] !== undefined ? parseDuration(raw['max-delay']) : RETRY_DEFAULTS.maxDelayMs,
  };
}

function normalizeOnFailure(raw: Raw | undefined): OnFailure | undefined {
  if (!raw) return undefined;
  const out: OnFailure = {};
  if (raw.retry) out.retry = normalizeRetry(raw.retry);
  if (raw.fallback) out.fallback = normalizeSteps(raw.fallback);
  if (raw.continue !== undefined) out.continue = raw.continue;
  return out;
}

function normalizeWith(type: string, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  const out = { ...(raw as Record<string, unknown>) };
  const ignored: readonly string[] =
    type === 'http'
      ? KIBANA_KEYS.httpWith
      : type === 'workflow.fail'
        ? KIBANA_KEYS.failWith
        : type === 'cases.createCase'
          ? KIBANA_KEYS.createCaseWith
          : type.startsWith('kibana.')
            ? KIBANA_KEYS.kibanaWith
            : [];
  for (const key of ignored) delete out[key];
  return out;
}

/**
 * Kibana 9.5's default timeouts of the human waits (docs/workflows.md "Timeouts and a default outcome"): a wait
 * without `timeout` fails after them, so no execution waits forever unnoticed.
 */
export const WAIT_TIMEOUT_DEFAULTS: Record<string, number> = {
  waitForInput: 72 * 3_600_000,
  waitForApproval: 24 * 3_600_000,
};

/** The name of the foreach container a step-level `foreach` makes (Kibana's name for it). */
export function stepLevelLoopName(name: string): string {
  return `foreach_${name}`;
}

export function normalizeStep(raw: Raw): StepDefinition {
  if (raw.foreach !== undefined && !isContainerStep(String(raw.type))) {
    // Kibana's step-level `foreach` on an action step: a foreach container around the step, which runs
    // once per item (`foreach_<name>[i]/<name>`); its `if` is evaluated once, before the loop.
    const { foreach, if: condition, ...inner } = raw;
    const loop: StepDefinition = { name: stepLevelLoopName(String(raw.name)), type: 'foreach', with: {}, foreach, steps: [normalizeStep(inner)] };
    if (condition !== undefined) loop.if = condition;
    return loop;
  }
  const step: StepDefinition = { name: String(raw.name), type: String(raw.type), with: normalizeWith(raw.type, raw.with) };
  // ai.agent: Kibana puts the agent at step level; the step reads it where the converse API has it
  if (raw.type === 'ai.agent' && raw['agent-id'] !== undefined) step.with.agent_id = raw['agent-id'];
  if (raw.if !== undefined) step.if = raw.if;
  if (raw['connector-id'] !== undefined) step.connectorId = raw['connector-id'];
  if (raw.timeout !== undefined) step.timeoutMs = parseDuration(raw.timeout);
  else if (WAIT_TIMEOUT_DEFAULTS[step.type] !== undefined) step.timeoutMs = WAIT_TIMEOUT_DEFAULTS[step.type];
  if (raw['on-timeout'] !== undefined) step.onTimeout = { outcome: { ...raw['on-timeout'].outcome } };
  const onFailure = normalizeOnFailure(raw['on-failure']);
  if (onFailure) step.onFailure = onFailure;
  if (raw.steps !== undefined) step.steps = normalizeSteps(raw.steps);
  if (raw.else !== undefined) step.else = normalizeSteps(raw.else);
  if (raw.expression !== undefined) step.expression = raw.expression;
  if (raw.cases !== undefined) {
    step.cases = (raw.cases as Raw[]).map((c) => ({ match: c.match, steps: normalizeSteps(c.steps) }));
  }
  if (raw.default !== undefined) step.default = normalizeSteps(raw.default);
  if (raw.condition !== undefined) step.condition = raw.condition;
  if (step.type === 'while') step.maxIterations = normalizeMaxIterations(raw['max-iterations']);
  if (raw.foreach !== undefined) step.foreach = raw.foreach;
  if (raw.items !== undefined) step.items = raw.items;
  if (raw.source !== undefined) step.source = raw.source;
  for (const key of ['arrays', 'strategy', 'errorIfNoMatch', 'detailed'] as const) if (raw[key] !== undefined) step[key] = raw[key];
  return step;
}

/** A bare number is Kibana's `{limit: N, on-limit: continue}`; none is the default cap. */
function normalizeMaxIterations(raw: unknown): { limit: number; onLimit: 'continue' | 'fail' } {
  if (typeof raw === 'number') return { limit: raw, onLimit: 'continue' };
  if (raw && typeof raw === 'object') {
    const r = raw as Raw;
    return { limit: r.limit, onLimit: r['on-limit'] ?? 'continue' };
  }
  return { limit: DEFAULT_WHILE_ITERATIONS, onLimit: 'continue' };
}

export function normalizeSteps(raw: unknown): StepDefinition[] {
  return ((raw as Raw[] | null) ?? []).map(normalizeStep);
}

export function normalizeTrigger(raw: Raw): Trigger {
  switch (raw.type) {
    case 'alert':
      return raw.on?.condition !== undefined ? { type: 'alert', condition: raw.on.condition } : { type: 'alert' };
    case 'manual': {
      const inputs = normalizeInputs(raw.inputs);
      return inputs ? { type: 'manual', inputs } : { type: 'manual' };
    }
    default: {
      const w: Raw = raw.with ?? {};
      const t: Trigger = { type: 'scheduled' };
      if (w.every !== undefined) t.everyMs = parseDuration(w.every);
      if (w.rrule !== undefined) t.rrule = { ...w.rrule };
      if (w.cron !== undefined) t.cron = String(w.cron).trim();
      if (w.timezone !== undefined) t.timezone = w.timezone;
      return t;
    }
  }
}

function normalizeSettings(raw: Raw | undefined): WorkflowSettings {
  const settings: WorkflowSettings = { maxStepSize: DEFAULT_MAX_STEP_SIZE };
  if (!raw) return settings;
  if (raw.timeout !== undefined) settings.timeoutMs = parseDuration(raw.timeout);
  const onFailure = normalizeOnFailure(raw['on-failure']);
  if (onFailure) settings.onFailure = onFailure;
  if (raw['max-step-size'] !== undefined) settings.maxStepSize = parseSize(raw['max-step-size']);
  return settings;
}

export function normalizeWorkflow(raw: Raw): WorkflowDefinition {
  const triggers = (raw.triggers as Raw[]).map(normalizeTrigger);
  const manualRaw = (raw.triggers as Raw[]).find((t) => t.type === 'manual' && t.inputs !== undefined);
  const inputs = normalizeInputs(raw.inputs ?? manualRaw?.inputs);
  const def: WorkflowDefinition = {
    name: raw.name,
    enabled: raw.enabled ?? true,
    tags: raw.tags ?? [],
    triggers,
    consts: raw.consts ?? {},
    settings: normalizeSettings(raw.settings),
    steps: normalizeSteps(raw.steps),
  };
  if (raw.version !== undefined) def.version = String(raw.version);
  if (raw.description !== undefined) def.description = raw.description;
  if (inputs) def.inputs = inputs;
  const outputs = normalizeInputs(raw.outputs);
  if (outputs) def.outputs = outputs;
  return def;
}
