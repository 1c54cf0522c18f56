import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { chatJson, fitToTokenBudget, invalidAnswer, type ChatJsonResult, type ConnectorRegistry, type OpenAIConnector } from '@flowgate/connectors';
import { isPlainObject } from '@flowgate/template';
import { validateAnswer } from '@flowgate/workflow-format';
import { connectorsOf, type StepServices } from './services';

type T = StepType<StepServices>;

/**
 * The step's OpenAI-compatible connector (the default AI connector, docs/connectors.md): `connector-id`,
 * else the openai connector marked `default: true`, else the only connector of type openai.
 */
function connectorFor(ctx: StepRunContext, registry: ConnectorRegistry): OpenAIConnector {
  const id = ctx.step.connectorId;
  if (id) return registry.require(id, 'openai', ctx.step.type);
  const { id: chosen, candidates } = registry.defaultOf('openai');
  if (chosen) return registry.require(chosen, 'openai', ctx.step.type);
  throw new StepError(
    'configuration_error',
    candidates.length === 0
      ? `${ctx.step.type}: no connector-id and no default AI connector: no connector of type openai is configured in connectors.yaml`
      : `${ctx.step.type}: no connector-id and no default AI connector: several connectors of type openai (${candidates.join(', ')}) and none has default: true`,
  );
}

/** `with.input` as prompt text: strings as they are, anything else as JSON. */
function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  return JSON.stringify(input === undefined ? null : input) ?? 'null';
}

function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

function optionalString(ctx: StepRunContext, key: string): string | undefined {
  const v = ctx.input[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new StepError('validation_error', `${ctx.step.type}: with.${key} must be a string`);
  return v;
}

/** Runs one structured chat call for a step; connector secrets redacted from errors. */
async function ask(
  ctx: StepRunContext,
  services: StepServices,
  build: (connector: OpenAIConnector) => { system: string; user: string; schemaName: string; schema: Record<string, unknown>; strict: boolean; temperature?: number },
): Promise<{ result: ChatJsonResult; registry: ConnectorRegistry; truncated: boolean }> {
  const registry = connectorsOf(services);
  try {
    const connector = connectorFor(ctx, registry);
    const req = build(connector);
    const fitted = fitToTokenBudget(req.user, connector.maxInputTokens, req.system.length);
    if (fitted.truncated) ctx.log(`${ctx.step.type}: input cut to the token budget of connector "${connector.id}"`, { maxInputTokens: connector.maxInputTokens });
    const result = await chatJson(registry.openai(connector), connector, { ...req, user: fitted.text, label: ctx.step.type, signal: ctx.signal });
    return { result, registry, truncated: fitted.truncated };
  } catch (err) {
    throw registry.redactError(err);
  }
}

/* ---------- ai.classify ---------- */

function categoriesOf(ctx: StepRunContext): string[] {
  let raw = ctx.input.categories;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      /* reported below */
    }
  }
  if (!Array.isArray(raw) || raw.length < 2 || raw.some((c) => typeof c !== 'string' || c.trim() === '')) {
    throw new StepError('validation_error', 'ai.classify: with.categories must be a list of at least 2 non-empty strings');
  }
  const list = raw.map((c: string) => c.trim());
  if (new Set(list).size !== list.length) throw new StepError('validation_error', 'ai.classify: with.categories has duplicates');
  return list;
}

/**
 * ai.classify (docs/workflows.md "Built-in step types"): `with.input`, `categories` (≥ 2), `instructions`, `includeRationale`,
 * `fallbackCategory` → `{ category, rationale?, confidence? }` (+ `truncated: true` when the input
 * was cut). A category outside `categories` becomes `fallbackCategory`, else the step fails.
 */
export const aiClassify: T = {
  type: 'ai.classify',
  async run(ctx, services) {
    const categories = categoriesOf(ctx);
    const includeRationale = bool(ctx.input.includeRationale);
    const instructions = optionalString(ctx, 'instructions');
    const fallbackCategory = optionalString(ctx, 'fallbackCategory');
    const properties: Record<string, unknown> = {
      category: { type: 'string', enum: categories, description: 'exactly one of the categories' },
      ...(includeRationale ? { rationale: { type: 'string', description: 'why this category, in one to three sentences' } } : {}),
      confidence: { type: 'number', description: 'confidence in the category, from 0 to 1' },
    };
    const { result, registry, truncated } = await ask(ctx, services, () => ({
      system: [
        'You classify security data (alerts, logs, events) for a security operations team.',
        `Choose exactly one category from this list: ${JSON.stringify(categories)}.`,
        ...(instructions ? [`Instructions: ${instructions}`] : []),
        ...(includeRationale ? ['Explain the choice briefly in "rationale".'] : []),
        'Give your confidence, from 0 to 1, in "confidence".',
        'Answer only with a JSON object that matches the given schema. The data to classify is the user message.',
      ].join('\n'),
      user: inputText(ctx.input.input),
      schemaName: 'classification',
      schema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
      strict: true,
    }));
    if (!result.json || !isPlainObject(result.value)) throw registry.redactError(invalidAnswer('ai.classify', result, 'is not a JSON object'));
    const answer = result.value;
    const said = typeof answer.category === 'string' ? answer.category.trim() : undefined;
    let category = said === undefined ? undefined : categories.find((c) => c === said) ?? categories.find((c) => c.toLowerCase() === said.toLowerCase());
    if (category === undefined) {
      const what = said === undefined ? 'no category' : `category "${said}"`;
      if (fallbackCategory === undefined) {
        throw registry.redactError(
          new StepError('ai_invalid_response', `ai.classify: the model answered ${what}, not one of ${categories.join(', ')}, and there is no fallbackCategory`, {
            details: { answer: said ?? null, categories },
          }),
        );
      }
      ctx.log(`ai.classify: the model answered ${what}; using fallbackCategory "${fallbackCategory}"`, { answer: said ?? null });
      category = fallbackCategory;
    }
    const output: Record<string, unknown> = { category };
    if (includeRationale && typeof answer.rationale === 'string') output.rationale = answer.rationale;
    if (typeof answer.confidence === 'number' && Number.isFinite(answer.confidence)) output.confidence = Math.min(1, Math.max(0, answer.confidence));
    if (truncated) output.truncated = true;
    return { kind: 'output', output: registry.redact(output) };
  },
};

/* ---------- ai.summarize ---------- */

/**
 * ai.summarize: `with.input`, `instructions`, `maxLength` (characters) → `{ content }`
 * (+ `truncated: true` when the input was cut). A summary longer than maxLength is cut to it.
 */
export const aiSummarize: T = {
  type: 'ai.summarize',
  async run(ctx, services) {
    const instructions = optionalString(ctx, 'instructions');
    const rawMax = ctx.input.maxLength;
    let maxLength: number | undefined;
    if (rawMax !== undefined && rawMax !== null && rawMax !== '') {
      maxLength = Number(rawMax);
      if (!Number.isInteger(maxLength) || maxLength < 1) throw new StepError('validation_error', 'ai.summarize: with.maxLength must be a positive integer');
    }
    const { result, registry, truncated } = await ask(ctx, services, () => ({
      system: [
        'You summarize security data (alerts, logs, events) for a security analyst: what happened, where, and what matters.',
        ...(instructions ? [`Instructions: ${instructions}`] : []),
        ...(maxLength ? [`The summary must be at most ${maxLength} characters long.`] : []),
        'Answer only with a JSON object {"content": "<the summary>"}. The data to summarize is the user message.',
      ].join('\n'),
      user: inputText(ctx.input.input),
      schemaName: 'summary',
      schema: { type: 'object', properties: { content: { type: 'string' } }, required: ['content'], additionalProperties: false },
      strict: true,
    }));
    let content: string;
    if (result.json && isPlainObject(result.value) && typeof result.value.content === 'string') content = result.value.content;
    else if (!result.json) content = result.text; // a server that ignores response_format: its text is the summary
    else throw registry.redactError(invalidAnswer('ai.summarize', result, 'has no "content" string'));
    if (maxLength !== undefined && content.length > maxLength) content = maxLength > 1 ? `${content.slice(0, maxLength - 1)}…` : content.slice(0, maxLength);
    return { kind: 'output', output: registry.redact(truncated ? { content, truncated: true } : { content }) };
  },
};

/* ---------- ai.prompt ---------- */

/** `with.temperature`: a number from 0 to 2 (a template may give it as text). */
function temperatureOf(ctx: StepRunContext): number | undefined {
  const raw = ctx.input.temperature;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const t = Number(raw);
  if (!Number.isFinite(t) || t < 0 || t > 2) throw new StepError('validation_error', 'ai.prompt: with.temperature must be a number from 0 to 2');
  return t;
}

/**
 * Whether OpenAI's strict structured outputs accept the schema: every object lists all its
 * properties in `required` and has `additionalProperties: false`. Other schemas are sent with
 * `strict: false` (OpenAI would refuse them in strict mode) and checked here after the answer.
 */
export function isStrictCompatible(schema: unknown, depth = 0): boolean {
  if (typeof schema === 'boolean') return true;
  if (depth > 50 || !isPlainObject(schema)) return false;
  if (schema.type === 'object' || isPlainObject(schema.properties)) {
    const props = isPlainObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    if (schema.additionalProperties !== false) return false;
    if (Object.keys(props).some((k) => !required.includes(k))) return false;
    if (Object.values(props).some((p) => !isStrictCompatible(p, depth + 1))) return false;
  }
  if (schema.items !== undefined && !isStrictCompatible(schema.items, depth + 1)) return false;
  for (const key of ['anyOf', 'allOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list) && list.some((s) => !isStrictCompatible(s, depth + 1))) return false;
  }
  for (const key of ['$defs', 'definitions']) {
    const defs = schema[key];
    if (isPlainObject(defs) && Object.values(defs).some((s) => !isStrictCompatible(s, depth + 1))) return false;
  }
  return true;
}

/**
 * ai.prompt: `with.prompt`, optional `systemPrompt` (the system message, before Flowgate's answer-format
 * instructions), `temperature` and `schema` → `{ response }`: the parsed object (validated
 * against `schema`) when a schema is given, else the answer's text.
 */
export const aiPrompt: T = {
  type: 'ai.prompt',
  async run(ctx, services) {
    const prompt = ctx.input.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '') throw new StepError('validation_error', 'ai.prompt: with.prompt is required');
    const systemPrompt = optionalString(ctx, 'systemPrompt');
    const temperature = temperatureOf(ctx);
    const system = (text: string) => (systemPrompt ? `${systemPrompt}\n\n${text}` : text);
    const userSchema = ctx.input.schema;
    if (userSchema !== undefined && userSchema !== null && !isPlainObject(userSchema)) throw new StepError('validation_error', 'ai.prompt: with.schema must be a JSON Schema object');
    const structured = isPlainObject(userSchema);
    if (structured) {
      try {
        validateAnswer(userSchema, null); // compiles (and caches) the schema: an invalid one fails now, before any call
      } catch (err) {
        throw new StepError('validation_error', `ai.prompt: with.schema is not a valid JSON Schema: ${(err as Error).message}`);
      }
    }
    const { result, registry, truncated } = await ask(ctx, services, () =>
      structured
        ? {
            system: system('Answer the user. Answer only with JSON that matches the given schema.'),
            user: prompt,
            schemaName: 'response',
            schema: userSchema,
            strict: isStrictCompatible(userSchema),
            ...(temperature !== undefined ? { temperature } : {}),
          }
        : {
            system: system('Answer the user. Put your whole answer, as text, in "response" of a JSON object {"response": "..."}.'),
            user: prompt,
            schemaName: 'response',
            schema: { type: 'object', properties: { response: { type: 'string' } }, required: ['response'], additionalProperties: false },
            strict: true,
            ...(temperature !== undefined ? { temperature } : {}),
          },
    );
    let response: unknown;
    if (structured) {
      if (!result.json) throw registry.redactError(invalidAnswer('ai.prompt', result));
      const errors = validateAnswer(userSchema, result.value);
      if (errors.length > 0) {
        const list = errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; ');
        throw registry.redactError(new StepError('ai_invalid_response', `ai.prompt: the model's answer does not match the schema: ${list}`, { details: errors }));
      }
      response = result.value;
    } else if (result.json && isPlainObject(result.value) && typeof result.value.response === 'string') {
      response = result.value.response;
    } else {
      response = result.text; // a server that ignores response_format: its text is the answer
    }
    return { kind: 'output', output: registry.redact(truncated ? { response, truncated: true } : { response }) };
  },
};

export const aiStepTypes: T[] = [aiClassify, aiSummarize, aiPrompt];
