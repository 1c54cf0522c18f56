/**
 * Kibana's steps (docs/workflows.md "kibana.request", "kibana.SetAlertsStatus", "kibana.SetAlertTags",
 * "ai.agent"), through a connector of type `kibana` (docs/connectors.md): `connector-id`, else the
 * kibana connector marked `default: true`, else the only one. Parameter names and outputs are Kibana's.
 */
import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { kibanaCall, type ConnectorRegistry, type KibanaConnector, type KibanaRequest } from '@flowgate/connectors';
import { isPlainObject } from '@flowgate/template';
import { ALERT_STATUSES, parseDuration, validateAnswer } from '@flowgate/workflow-format';
import { idempotencyKey } from './http';
import { connectorsOf, type StepServices } from './services';

type T = StepType<StepServices>;

/** The step's kibana connector: `connector-id`, else the one marked `default: true`, else the only one. */
export function kibanaConnectorFor(ctx: StepRunContext, registry: ConnectorRegistry): KibanaConnector {
  const id = ctx.step.connectorId;
  if (id && !kibanaAiConnectorId(ctx, registry)) return registry.require(id, 'kibana', ctx.step.type);
  const { id: chosen, candidates } = registry.defaultOf('kibana');
  if (chosen) return registry.require(chosen, 'kibana', ctx.step.type);
  throw new StepError(
    'configuration_error',
    candidates.length === 0
      ? `${ctx.step.type}: no connector-id and no connector of type kibana in connectors.yaml`
      : `${ctx.step.type}: no connector-id and several connectors of type kibana (${candidates.join(', ')}), none with default: true`,
  );
}

/**
 * Kibana's ai.agent names one of Kibana's AI connectors in `connector-id`: an id that is not in
 * connectors.yaml is that (sent as `connector_id`), and the default kibana connector carries the call.
 */
export function kibanaAiConnectorId(ctx: StepRunContext, registry: ConnectorRegistry): string | undefined {
  const id = ctx.step.connectorId;
  return ctx.step.type === 'ai.agent' && id && !registry.get(id) ? id : undefined;
}

/** Calls Kibana for a step; the answer's body, or a StepError without the registry's secrets. */
async function callKibana(ctx: StepRunContext, services: StepServices, request: KibanaRequest, timeoutMs?: number): Promise<unknown> {
  const registry = connectorsOf(services);
  try {
    const connector = kibanaConnectorFor(ctx, registry);
    const result = await kibanaCall(connector, request, {
      label: ctx.step.type,
      dispatcher: registry.dispatcher(connector),
      idempotencyKey: idempotencyKey(ctx),
      signal: ctx.signal,
      maxBodyBytes: ctx.maxStepSize,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    return registry.redact(result.body);
  } catch (err) {
    throw registry.redactError(err);
  }
}

function invalid(ctx: StepRunContext, message: string): StepError {
  return new StepError('validation_error', `${ctx.step.type}: ${message}`);
}

/** A template may give a list as its JSON text ("${{ }}" kept it a list; "{{ }}" made it text). */
function listOf(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('[')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** `with.<key>`: a list of non-empty strings (at least one unless `allowEmpty`). */
function stringList(ctx: StepRunContext, value: unknown, key: string, allowEmpty = false): string[] {
  const list = listOf(value);
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.trim() === '') || (!allowEmpty && list.length === 0)) {
    throw invalid(ctx, `with.${key} must be a list of ${allowEmpty ? '' : 'one or more '}non-empty strings`);
  }
  return list as string[];
}

function optionalString(ctx: StepRunContext, key: string): string | undefined {
  const v = ctx.input[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(ctx, `with.${key} must be a string`);
  return v;
}

/**
 * kibana.request: any Kibana API, `with: {method (GET), path, body, query, headers}`. Output: the
 * answer's body, as Kibana's step gives it. `kbn-xsrf` and the connector's credentials are always sent.
 */
export const kibanaRequest: T = {
  type: 'kibana.request',
  async run(ctx, services) {
    const { method, path, body, query, headers } = ctx.input;
    const output = await callKibana(ctx, services, { method, path, body, query, headers });
    return { kind: 'output', output: output ?? null };
  },
};

/**
 * kibana.SetAlertsStatus: `POST /api/detection_engine/signals/status` with `signal_ids` or `query`,
 * `status`, and optional `reason` and `conflicts`. Output: Kibana's answer (`updated`, `total`, ...).
 */
export const kibanaSetAlertsStatus: T = {
  type: 'kibana.SetAlertsStatus',
  async run(ctx, services) {
    const status = ctx.input.status;
    if (typeof status !== 'string' || !(ALERT_STATUSES as readonly string[]).includes(status)) {
      throw invalid(ctx, `with.status must be one of ${ALERT_STATUSES.join(', ')}`);
    }
    const hasIds = ctx.input.signal_ids !== undefined && ctx.input.signal_ids !== null;
    const hasQuery = ctx.input.query !== undefined && ctx.input.query !== null;
    if (hasIds === hasQuery) throw invalid(ctx, 'give either with.signal_ids (alert ids) or with.query (a query DSL object), not both or neither');
    const body: Record<string, unknown> = { status };
    if (hasIds) body.signal_ids = stringList(ctx, ctx.input.signal_ids, 'signal_ids');
    else if (isPlainObject(ctx.input.query)) body.query = ctx.input.query;
    else throw invalid(ctx, 'with.query must be a query DSL object');
    const reason = optionalString(ctx, 'reason');
    if (reason !== undefined) body.reason = reason;
    const conflicts = optionalString(ctx, 'conflicts');
    if (conflicts !== undefined && conflicts !== 'abort' && conflicts !== 'proceed') throw invalid(ctx, 'with.conflicts must be abort or proceed');
    if (conflicts !== undefined) body.conflicts = conflicts;
    const output = await callKibana(ctx, services, { method: 'POST', path: '/api/detection_engine/signals/status', body });
    return { kind: 'output', output: output ?? null };
  },
};

/**
 * kibana.SetAlertTags: `POST /api/detection_engine/signals/tags` with `ids` and
 * `tags: {tags_to_add, tags_to_remove}` (both required, either may be empty; no tag in both), as Kibana.
 */
export const kibanaSetAlertTags: T = {
  type: 'kibana.SetAlertTags',
  async run(ctx, services) {
    const ids = stringList(ctx, ctx.input.ids, 'ids');
    const tags = ctx.input.tags;
    if (!isPlainObject(tags)) throw invalid(ctx, 'with.tags must be an object {tags_to_add: [...], tags_to_remove: [...]}');
    const add = stringList(ctx, tags.tags_to_add, 'tags.tags_to_add', true);
    const remove = stringList(ctx, tags.tags_to_remove, 'tags.tags_to_remove', true);
    const both = add.filter((t) => remove.includes(t));
    if (both.length > 0) throw invalid(ctx, `a tag cannot be both added and removed: ${both.join(', ')}`);
    const output = await callKibana(ctx, services, { method: 'POST', path: '/api/detection_engine/signals/tags', body: { ids, tags: { tags_to_add: add, tags_to_remove: remove } } });
    return { kind: 'output', output: output ?? null };
  },
};

/** `with.schema` of ai.agent: a JSON Schema object, compiled now so that a bad one fails before any call. */
function answerSchemaOf(ctx: StepRunContext): Record<string, unknown> | undefined {
  const schema = ctx.input.schema;
  if (schema === undefined || schema === null) return undefined;
  if (!isPlainObject(schema)) throw invalid(ctx, 'with.schema must be a JSON Schema object');
  try {
    validateAnswer(schema, null);
  } catch (err) {
    throw invalid(ctx, `with.schema is not a valid JSON Schema: ${(err as Error).message}`);
  }
  return schema;
}

/** `with.timeout` of ai.agent (Kibana's): how long the agent may take, instead of the client's 5 minutes. */
function agentTimeoutOf(ctx: StepRunContext): number | undefined {
  const raw = ctx.input.timeout;
  if (raw === undefined || raw === null || raw === '') return undefined;
  try {
    return parseDuration(String(raw));
  } catch (err) {
    throw invalid(ctx, `with.timeout: ${(err as Error).message}`);
  }
}

/** The JSON an agent answered: the text itself, or the first fenced block or object in it. */
export function jsonInAnswer(text: string): unknown {
  const candidates = [text.trim(), /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1]?.trim(), text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      /* the next candidate */
    }
  }
  return undefined;
}

/**
 * ai.agent: one round with an Agent Builder agent, `POST /api/agent_builder/converse` `{agent_id, input,
 * conversation_id?, connector_id?, attachments?}`. The agent is the step-level `agent-id` (Kibana's
 * place, normalized into `with.agent_id`) or `with.agent_id`, else Kibana's default agent; the text is
 * `with.message` (Kibana's step) or `with.input` (the API's name). Output: `{message, conversation_id}`,
 * plus `structured_output` with `with.schema`: the agent is asked for JSON matching it, and its answer
 * is checked against it.
 */
export const aiAgent: T = {
  type: 'ai.agent',
  async run(ctx, services) {
    const message = ctx.input.message ?? ctx.input.input;
    if (ctx.input.message !== undefined && ctx.input.input !== undefined) throw invalid(ctx, 'give either with.message or with.input, not both');
    if (typeof message !== 'string' || message.trim() === '') throw invalid(ctx, 'with.message is required: the text sent to the agent');
    const schema = answerSchemaOf(ctx);
    const timeoutMs = agentTimeoutOf(ctx);
    const input = schema ? `${message}\n\nAnswer only with one JSON value that matches this JSON Schema, without any other text:\n${JSON.stringify(schema)}` : message;
    const body: Record<string, unknown> = { input };
    for (const key of ['agent_id', 'conversation_id', 'connector_id']) {
      const value = optionalString(ctx, key);
      if (value !== undefined) body[key] = value;
    }
    const aiConnector = kibanaAiConnectorId(ctx, connectorsOf(services));
    if (aiConnector !== undefined && body.connector_id === undefined) body.connector_id = aiConnector;
    const attachments = listOf(ctx.input.attachments);
    if (attachments !== undefined && attachments !== null) {
      if (!Array.isArray(attachments) || !attachments.every(isPlainObject)) throw invalid(ctx, 'with.attachments must be a list of objects ({type, data, ...})');
      body.attachments = attachments;
    }
    const answer = await callKibana(ctx, services, { method: 'POST', path: '/api/agent_builder/converse', body }, timeoutMs);
    const response = isPlainObject(answer) && isPlainObject(answer.response) ? answer.response : undefined;
    if (!isPlainObject(answer) || typeof response?.message !== 'string') {
      throw new StepError('ai_invalid_response', 'ai.agent: Kibana answered without response.message: is the connector\'s url a Kibana with Agent Builder?', {
        details: { answer: JSON.stringify(answer ?? null).slice(0, 500) },
      });
    }
    const output: Record<string, unknown> = { message: response.message };
    if (schema) output.structured_output = structuredOutput(response.message, schema);
    if (typeof answer.conversation_id === 'string') output.conversation_id = answer.conversation_id;
    return { kind: 'output', output };
  },
};

/** The agent's answer as JSON matching the schema, or an ai_invalid_response (not retried: ask again with on-failure). */
function structuredOutput(text: string, schema: Record<string, unknown>): unknown {
  const value = jsonInAnswer(text);
  if (value === undefined) {
    throw new StepError('ai_invalid_response', 'ai.agent: the agent\'s answer is not JSON, but with.schema asks for it', { details: { answer: text.slice(0, 500) } });
  }
  const errors = validateAnswer(schema, value);
  if (errors.length > 0) {
    const list = errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    throw new StepError('ai_invalid_response', `ai.agent: the agent's answer does not match with.schema: ${list}`, { details: errors });
  }
  return value;
}

export const kibanaStepTypes: T[] = [kibanaRequest, kibanaSetAlertsStatus, kibanaSetAlertTags, aiAgent];
