/**
 * Kibana's steps that reach Kibana and its connectors (docs/workflows.md): `kibana.request`,
 * `kibana.SetAlertsStatus`, `kibana.SetAlertTags` and `ai.agent` (a connector of type `kibana`), `slack`
 * and `email` (connectors of those types). Their `with` schemas, with Kibana's parameter names, the
 * step-level keys each takes, and the checks the JSON Schema cannot express, run when the workflow is saved.
 */

import { KIBANA_KEYS, kibanaKeySchemas } from './kibana-keys';

type Schema = Record<string, unknown>;
type Segment = string | number;
type Raw = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/** A value of `shape`, or a template string rendered at run time (then the shape is checked at run time). */
const tpl = (shape: Schema): Schema => ({ if: ref('templateString'), else: shape });
const any: Schema = {};
const closed = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

export const KIBANA_STEP_TYPES = ['kibana.request', 'kibana.SetAlertsStatus', 'kibana.SetAlertTags', 'ai.agent'] as const;
export const NOTIFY_STEP_TYPES = ['slack', 'email'] as const;

/** Kibana's detection-alert statuses (`in-progress` is its older name of `acknowledged`). */
export const ALERT_STATUSES = ['open', 'acknowledged', 'in-progress', 'closed'] as const;

/** Kibana's `with.fetcher` (HTTP client options of its kibana.* steps): accepted but ignored, with a warning. */
const fetcher = kibanaKeySchemas(KIBANA_KEYS.kibanaWith);
const ids = (what: string): Schema => tpl({ type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: what });
const tagList = tpl({ type: 'array', items: { type: 'string', minLength: 1 } });
const addresses = tpl({ type: ['string', 'array'], minItems: 1, items: { type: 'string', minLength: 1 }, description: 'an address, or a list of them' });

export const kibanaStepWithSchemas: Record<string, Schema> = {
  'kibana.request': closed(
    {
      method: tpl({ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] }),
      path: { type: 'string', minLength: 1, description: 'a Kibana API path such as /api/status (the connector adds /s/<space>)' },
      body: any,
      query: tpl({ type: 'object' }),
      headers: tpl({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } }),
      ...fetcher,
    },
    ['path'],
  ),
  'kibana.SetAlertsStatus': closed(
    {
      signal_ids: ids('the alert ids (or `query`)'),
      query: tpl({ type: 'object', description: 'a query DSL object selecting the alerts (or `signal_ids`)' }),
      status: tpl({ enum: [...ALERT_STATUSES] }),
      reason: { type: 'string', description: 'why, usually with closed: false_positive, duplicate, true_positive, benign_positive, other' },
      conflicts: tpl({ enum: ['abort', 'proceed'] }),
      ...fetcher,
    },
    ['status'],
  ),
  'kibana.SetAlertTags': closed(
    {
      ids: ids('the alert ids'),
      tags: tpl(closed({ tags_to_add: tagList, tags_to_remove: tagList }, ['tags_to_add', 'tags_to_remove'])),
      ...fetcher,
    },
    ['ids', 'tags'],
  ),
  'ai.agent': closed({
    message: { type: 'string', description: 'the text sent to the agent (Kibana\'s step), or `input`' },
    input: { type: 'string', description: 'the text sent to the agent (the converse API\'s name), or `message`' },
    agent_id: { type: 'string', minLength: 1, description: 'the agent, or the step-level agent-id; default: Kibana\'s default agent' },
    conversation_id: { type: 'string', description: 'continue this conversation' },
    connector_id: { type: 'string', minLength: 1, description: 'the AI connector inside Kibana the agent uses (not a connectors.yaml id)' },
    attachments: tpl({ type: 'array', items: { type: 'object' } }),
    schema: { ...ref('jsonSchemaObject'), description: 'a JSON Schema: the agent is asked for JSON matching it (output.structured_output)' },
    timeout: tpl({ ...ref('duration'), description: 'how long the agent may take (default 5m); the step-level timeout still applies' }),
  }),
  slack: closed({ message: { type: 'string', minLength: 1 } }, ['message']),
  email: closed({ to: addresses, cc: addresses, bcc: addresses, subject: { type: 'string', minLength: 1 }, message: { type: 'string', minLength: 1 } }, ['to', 'subject', 'message']),
};

/** The step-level keys each type takes besides an action's and `connector-id`, and those it requires. */
export const kibanaStepRules: Record<string, { keys: string[]; required: string[] }> = {
  'kibana.request': { keys: [], required: ['with'] },
  'kibana.SetAlertsStatus': { keys: [], required: ['with'] },
  'kibana.SetAlertTags': { keys: [], required: ['with'] },
  'ai.agent': { keys: ['agent-id', 'create-conversation', 'inference-id'], required: ['with'] },
  // Kibana's connector steps name their connector: there is no default Slack or mail server
  slack: { keys: [], required: ['with', 'connector-id'] },
  email: { keys: [], required: ['with', 'connector-id'] },
};

/** `agent-id`: meaningful on ai.agent (the agent), a Kibana key accepted but ignored on the other ai.* steps. */
export const agentIdSchema: Schema = { type: 'string', minLength: 1, description: 'ai.agent: the Agent Builder agent; other ai.* steps: accepted but ignored (Kibana key)' };

export function isKibanaStepType(type: unknown): boolean {
  return typeof type === 'string' && ((KIBANA_STEP_TYPES as readonly string[]).includes(type) || (NOTIFY_STEP_TYPES as readonly string[]).includes(type));
}

/* ---------- checks when the workflow is saved ---------- */

export interface KibanaStepReport {
  error(path: Segment[], message: string): void;
}

const TEMPLATE_MARK = /\{\{|\{%|\$\{\{/;
const literal = (v: unknown): v is string => typeof v === 'string' && !TEMPLATE_MARK.test(v);
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null;

/** The checks the JSON Schema cannot express, for one step of these types (its shape may be wrong: defensive). */
export function checkKibanaStep(raw: Raw, path: Segment[], report: KibanaStepReport): void {
  const w = raw.with;
  if (!isObject(w)) return;
  const at = (...keys: Segment[]) => [...path, 'with', ...keys];
  switch (raw.type) {
    case 'kibana.request':
      if (literal(w.path) && (!w.path.trim().startsWith('/') || w.path.trim().startsWith('//'))) {
        report.error(at('path'), `expected a Kibana API path starting with "/" (such as /api/status), got ${JSON.stringify(w.path)}: the connector's url gives the host`);
      }
      break;
    case 'kibana.SetAlertsStatus':
      if (given(w.signal_ids) === given(w.query)) report.error([...path, 'with'], 'give either "signal_ids" (alert ids) or "query" (a query DSL object), not both or neither');
      break;
    case 'kibana.SetAlertTags': {
      const tags = isObject(w.tags) ? w.tags : {};
      const add = Array.isArray(tags.tags_to_add) ? tags.tags_to_add : [];
      const remove = Array.isArray(tags.tags_to_remove) ? tags.tags_to_remove : [];
      const both = add.filter((t) => literal(t) && remove.includes(t));
      if (both.length > 0) report.error(at('tags'), `a tag cannot be both added and removed: ${both.join(', ')}`);
      break;
    }
    case 'ai.agent':
      if (given(w.message) === given(w.input)) report.error([...path, 'with'], 'give the text sent to the agent as "message" (or "input"), once');
      if (given(raw['agent-id']) && given(w.agent_id)) report.error(at('agent_id'), 'the agent is given twice: keep the step-level agent-id or with.agent_id');
      break;
    default:
      break;
  }
}
