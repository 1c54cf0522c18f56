/**
 * THE JSON Schema (draft-07) of the workflow format (docs/workflows.md). One object, used by the validator
 * through ajv and written verbatim to docs/workflow.schema.json (`pnpm --filter @flowgate/workflow-format gen-schema`;
 * a test fails when the file differs).
 *
 * Design rules, so that ajv's errors map to one clear message per real problem (messages.ts):
 * - discriminated objects (steps, triggers) are one object with every known key and
 *   `additionalProperties: false`, plus `allOf` of `if {type: const} / then {...}`; a key that exists
 *   but does not apply to a type is `false` in that type's `then`;
 * - no `oneOf`/`anyOf` fan-out, except the schedule's "exactly one of every/rrule/cron";
 * - a value that may also be a template is `{ if: templateString, else: <shape> }`;
 * - shared shapes live in `definitions` and are matched by identity (`definitions.duration`, ...).
 */
import { casesStepRules, casesStepWithSchemas } from './cases-steps';
import { dataStepLevelSchemas, dataStepRules, dataStepWithSchemas } from './data-steps';
import { DURATION_PATTERN } from './duration';
import { KIBANA_KEYS, kibanaKeySchemas } from './kibana-keys';
import { agentIdSchema, kibanaStepRules, kibanaStepWithSchemas } from './kibana-steps';
import { SIZE_PATTERN } from './size';
import { MAX_LOOP_ITERATIONS, STEP_TYPE_PATTERN, TRIGGER_TYPES } from './step-types';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/** A value of `shape`, or a template string rendered at run time (then the shape is checked at run time). */
const tpl = (shape: Schema): Schema => ({ if: ref('templateString'), else: shape });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const obj: Schema = { type: 'object' };
const any: Schema = {};
const stringArray: Schema = { type: 'array', items: str };
const intArray = (min: number, max: number): Schema => ({
  type: 'array',
  items: { type: 'integer', minimum: min, maximum: max },
});

/* ---------- `with` of each built-in step type ---------- */

const closed = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});
const open = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});

const withSchemas: Record<string, Schema> = {
  console: closed({ message: str }, ['message']),
  'data.set': { type: 'object', minProperties: 1, description: 'any keys: the values set' },
  'data.parseJson': closed({}),
  'data.stringifyJson': closed({ pretty: tpl(bool) }),
  'data.map': closed({ fields: tpl(obj) }, ['fields']),
  'data.filter': closed({ condition: ref('condition'), limit: tpl({ type: 'integer', minimum: 0 }) }, ['condition']),
  ...dataStepWithSchemas,
  wait: closed({ duration: tpl(ref('duration')) }, ['duration']),
  waitForInput: closed({
    message: str,
    schema: { ...ref('jsonSchemaObject'), description: 'JSON Schema draft-07 of the answer; never rendered' },
    channels: ref('waitChannels'),
  }),
  waitForApproval: closed({ message: str, approveLabel: str, rejectLabel: str, channels: ref('waitChannels') }),
  http: closed(
    {
      method: tpl({ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] }),
      url: { type: 'string', minLength: 1 },
      path: { type: 'string', minLength: 1, description: "Kibana's form: a path relative to the connector's url, instead of url (needs connector-id)" },
      headers: tpl({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } }),
      body: any,
      query: tpl(obj),
      ...kibanaKeySchemas(KIBANA_KEYS.httpWith),
    },
  ),
  'elasticsearch.search': open(
    {
      index: tpl({ type: ['string', 'array'], items: str }),
      query: tpl(obj),
      size: tpl({ type: 'integer', minimum: 0 }),
      sort: any,
      aggs: tpl(obj),
      _source: any,
    },
    ['index'],
  ),
  'elasticsearch.index': open({ index: str, document: tpl(obj), id: { type: ['string', 'number'] } }, ['index', 'document']),
  'elasticsearch.request': closed(
    {
      method: tpl({ enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] }),
      path: { type: 'string', minLength: 1 },
      body: any,
      query: tpl(obj),
    },
    ['path'],
  ),
  'ai.classify': closed(
    {
      input: any,
      categories: tpl({ type: 'array', minItems: 2, items: str }),
      instructions: str,
      includeRationale: tpl(bool),
      fallbackCategory: str,
    },
    ['input', 'categories'],
  ),
  'ai.summarize': closed({ input: any, instructions: str, maxLength: tpl({ type: 'integer', minimum: 1 }) }, ['input']),
  'ai.prompt': closed(
    {
      prompt: str,
      systemPrompt: { type: 'string', description: 'the system message (instructions to the model)' },
      temperature: tpl({ type: 'number', minimum: 0, maximum: 2 }),
      schema: ref('jsonSchemaObject'),
    },
    ['prompt'],
  ),
  'cases.createCase': closed(
    {
      title: { type: 'string', minLength: 1 },
      description: str,
      severity: tpl({ enum: ['low', 'medium', 'high', 'critical'] }),
      tags: tpl(stringArray),
      // Kibana's case fields: accepted with a warning, not stored
      owner: tpl({ enum: ['securitySolution', 'observability', 'cases'] }),
      settings: tpl({ type: 'object', properties: { syncAlerts: tpl(bool) } }),
      category: { type: ['string', 'null'] },
      assignees: tpl({ type: 'array' }),
      connector: tpl(obj),
      customFields: tpl({ type: 'array' }),
    },
    ['title'],
  ),
  'cases.addComment': closed({ case_id: { type: ['string', 'number'] }, comment: str }, ['case_id', 'comment']),
  'cases.getCase': closed({ case_id: { type: ['string', 'number'] } }, ['case_id']),
  'cases.setStatus': closed(
    { case_id: { type: ['string', 'number'] }, status: tpl({ enum: ['open', 'in-progress', 'closed'] }) },
    ['case_id', 'status'],
  ),
  ...casesStepWithSchemas,
  'workflow.fail': closed({ message: str, ...kibanaKeySchemas(KIBANA_KEYS.failWith) }),
  'workflow.execute': closed({ 'workflow-id': { type: 'string', minLength: 1, description: 'the id of the workflow to run (a template is allowed)' }, inputs: tpl(obj) }, ['workflow-id']),
  'workflow.executeAsync': closed({ 'workflow-id': { type: 'string', minLength: 1, description: 'the id of the workflow to run (a template is allowed)' }, inputs: tpl(obj) }, ['workflow-id']),
  'workflow.output': { type: 'object', description: "the execution's outputs (checked against the workflow's `outputs` when it declares them)" },
  ...kibanaStepWithSchemas,
};

/* ---------- step-level keys, and which apply to which type ---------- */

const stepProperties: Schema = {
  name: ref('stepName'),
  type: ref('stepType'),
  with: obj,
  if: ref('condition'),
  'connector-id': { type: 'string', minLength: 1, description: 'a configured connector; literal, not a template' },
  timeout: ref('duration'),
  'on-failure': ref('onFailure'),
  'on-timeout': {
    type: 'object',
    required: ['outcome'],
    additionalProperties: false,
    properties: { outcome: { type: 'object', description: "the answer taken when the wait's timeout elapses, checked against its schema" } },
  },
  condition: ref('condition'),
  steps: ref('steps'),
  else: ref('stepList'),
  expression: { type: 'string', description: 'a template; the trimmed result is compared with each case' },
  cases: { type: 'array', minItems: 1, items: ref('switchCase') },
  default: ref('stepList'),
  foreach: {
    type: ['array', 'string'],
    maxItems: 10000,
    description: 'the items: an array, or a string holding JSON of one (usually "${{ ... }}")',
  },
  items: { type: ['array', 'string'], description: 'an array, or a template producing one' },
  source: { description: 'the value to parse or stringify (templated)' },
  ...dataStepLevelSchemas,
  ...kibanaKeySchemas(KIBANA_KEYS.step),
  ...kibanaKeySchemas(KIBANA_KEYS.loop),
  ...kibanaKeySchemas(KIBANA_KEYS.ai),
  ...kibanaKeySchemas(KIBANA_KEYS.aiAgent),
  'agent-id': agentIdSchema,
  ...kibanaKeySchemas(KIBANA_KEYS.casesStep),
};

const BASE_KEYS = ['name', 'type', 'if', 'timeout', ...KIBANA_KEYS.step];
// `foreach` on an action step: Kibana's step-level loop (normalized to a foreach container around the step)
const ACTION_KEYS = [...BASE_KEYS, 'with', 'on-failure', 'foreach'];
const CONNECTOR_KEYS = [...ACTION_KEYS, 'connector-id'];

interface TypeRule {
  /** step-level keys that apply */
  keys: string[];
  /** step-level keys that are required */
  required?: string[];
}

const action = (extra: string[] = [], required: string[] = ['with']): TypeRule => ({
  keys: [...ACTION_KEYS, ...extra],
  required,
});

const typeRules: Record<string, TypeRule> = {
  console: action(),
  'data.set': action(),
  'data.parseJson': action(['source'], ['source']),
  'data.stringifyJson': action(['source'], ['source']),
  'data.map': action(['items'], ['items', 'with']),
  'data.filter': action(['items'], ['items', 'with']),
  ...Object.fromEntries(Object.entries(dataStepRules).map(([type, r]) => [type, action(r.keys, r.required)])),
  wait: action(),
  waitForInput: action(['on-timeout'], []),
  waitForApproval: action(['on-timeout'], []),
  if: { keys: [...BASE_KEYS, 'condition', 'steps', 'else'], required: ['condition', 'steps'] },
  switch: { keys: [...BASE_KEYS, 'expression', 'cases', 'default'], required: ['expression', 'cases'] },
  foreach: { keys: [...BASE_KEYS, 'foreach', 'steps', 'on-failure', ...KIBANA_KEYS.loop], required: ['foreach', 'steps'] },
  while: { keys: [...BASE_KEYS, 'condition', 'steps', 'on-failure', ...KIBANA_KEYS.loop], required: ['condition', 'steps'] },
  'loop.break': { keys: ['name', 'type', 'if', ...KIBANA_KEYS.step], required: [] },
  'loop.continue': { keys: ['name', 'type', 'if', ...KIBANA_KEYS.step], required: [] },
  http: { keys: CONNECTOR_KEYS, required: ['with'] },
  'ai.classify': { keys: [...CONNECTOR_KEYS, ...KIBANA_KEYS.ai], required: ['with'] },
  'ai.summarize': { keys: [...CONNECTOR_KEYS, ...KIBANA_KEYS.ai], required: ['with'] },
  'ai.prompt': { keys: [...CONNECTOR_KEYS, ...KIBANA_KEYS.ai], required: ['with'] },
  ...Object.fromEntries(
    Object.entries(casesStepRules).map(([type, r]) => [type, r.connector ? { keys: [...CONNECTOR_KEYS, ...r.keys], required: r.required } : action(r.keys, r.required)]),
  ),
  'workflow.fail': { keys: [...BASE_KEYS, 'with'], required: [] },
  'workflow.execute': action(),
  'workflow.executeAsync': action(),
  'workflow.output': { keys: [...BASE_KEYS, 'with'], required: ['with'] },
  ...Object.fromEntries(Object.entries(kibanaStepRules).map(([type, r]) => [type, { keys: [...CONNECTOR_KEYS, ...r.keys], required: r.required }])),
};

function thenFor(rule: TypeRule, withDef: string | undefined): Schema {
  const properties: Schema = {};
  for (const key of Object.keys(stepProperties)) {
    if (!rule.keys.includes(key)) properties[key] = false;
  }
  if (withDef) properties.with = ref(withDef);
  return { ...(rule.required?.length ? { required: rule.required } : {}), properties };
}

const isType = (type: string): Schema => ({ properties: { type: { const: type } }, required: ['type'] });

const stepAllOf: Schema[] = [
  ...Object.entries(typeRules).map(([type, rule]) => ({
    if: isType(type),
    then: thenFor(rule, withSchemas[type] ? `with-${type}` : undefined),
  })),
  // elasticsearch.<api>: `with` holds that API's parameters
  {
    if: { properties: { type: { type: 'string', pattern: '^elasticsearch\\.' } }, required: ['type'] },
    then: thenFor({ keys: CONNECTOR_KEYS }, undefined),
  },
  // a while acts on its `max-iterations` (a foreach accepts and ignores it)
  { if: isType('while'), then: { properties: { 'max-iterations': ref('maxIterations') } } },
  ...['elasticsearch.search', 'elasticsearch.index', 'elasticsearch.request'].map((type) => ({
    if: isType(type),
    then: { required: ['with'], properties: { with: ref(`with-${type}`) } },
  })),
];

/* ---------- definitions ---------- */

const definitions: Record<string, Schema> = {
  // Where a wait is announced (docs/workflows.md "Answering from Slack, e-mail or a webhook").
  waitChannels: {
    ...closed({
      slack: closed({ 'connector-id': { type: 'string', minLength: 1 }, message: str }, ['connector-id']),
      slack_api: closed({ 'connector-id': { type: 'string', minLength: 1 }, channels: tpl({ ...stringArray, minItems: 1 }), message: str }, ['connector-id', 'channels']),
      email: closed({ 'connector-id': { type: 'string', minLength: 1 }, to: tpl({ ...stringArray, minItems: 1 }), subject: str, message: str }, ['connector-id', 'to']),
      webhook: closed({ 'connector-id': { type: 'string', minLength: 1 }, message: str }, ['connector-id']),
    }),
    minProperties: 1,
  },
  maxIterations: {
    description: `while: the most iterations, at most ${MAX_LOOP_ITERATIONS}: a number (the loop then ends there and the step succeeds), or {limit, on-limit: continue | fail}`,
    if: { type: 'object' },
    then: closed({ limit: { type: 'integer', minimum: 1, maximum: MAX_LOOP_ITERATIONS }, 'on-limit': { enum: ['continue', 'fail'] } }, ['limit']),
    else: { type: 'integer', minimum: 1, maximum: MAX_LOOP_ITERATIONS },
  },
  duration: {
    type: 'string',
    pattern: DURATION_PATTERN,
    description: 'a number and a unit (ms, s, m, h, d, w), compound in descending order: 90s, 1h30m, 2d',
  },
  size: { type: 'string', pattern: SIZE_PATTERN, description: '<n>(b|kb|mb|gb), 1kb = 1024 bytes' },
  templateString: {
    type: 'string',
    pattern: '\\{\\{|\\{%',
    description: 'a Liquid template ({{ }}, {% %} or a whole-value ${{ }}), checked when the workflow is saved',
  },
  stepName: {
    type: 'string',
    pattern: '^[^/#:\\[\\]\\u0000-\\u001f\\u007f]+$',
    description: 'unique in the whole workflow; any text without "/", "#", ":", "[", "]" (spaces allowed: read it as steps[\'open ticket\'])',
  },
  stepType: {
    type: 'string',
    pattern: STEP_TYPE_PATTERN,
    description: 'a built-in step type, or elasticsearch.<api> (an API of the official client by its dotted path)',
  },
  triggerType: { type: 'string', enum: [...TRIGGER_TYPES] },
  condition: {
    type: ['string', 'boolean'],
    description: 'a YAML boolean, or a template rendered then parsed as KQL (docs/workflows.md, Conditions)',
  },
  kql: { type: 'string', minLength: 1, description: 'KQL evaluated against the event itself; not a template' },
  cron: {
    type: 'string',
    pattern: '^\\s*[0-9A-Za-z*,/?#LW-]+(\\s+[0-9A-Za-z*,/?#LW-]+){4}\\s*$',
    description: 'five fields: minute hour day-of-month month day-of-week',
  },
  jsonSchemaObject: { type: 'object', description: 'a JSON Schema (draft-07) object' },
  inputsObject: { type: 'object', description: 'a JSON Schema (draft-07) object of the inputs' },
  inputs: {
    description: "a JSON Schema object, or Kibana's list form [{ name, type, description, default, required, options }]",
    if: { type: 'array' },
    then: { type: 'array', items: ref('inputItem') },
    else: ref('inputsObject'),
  },
  inputItem: {
    type: 'object',
    required: ['name', 'type'],
    properties: {
      name: { type: 'string', minLength: 1 },
      type: { enum: ['string', 'number', 'boolean', 'choice', 'array', 'object'] },
      description: str,
      default: any,
      required: bool,
      options: { type: 'array', minItems: 1, items: { type: ['string', 'number', 'boolean'] } },
      minItems: { type: 'integer', minimum: 0 },
      maxItems: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
    allOf: [{ if: { properties: { type: { const: 'choice' } }, required: ['type'] }, then: { required: ['options'] } }],
  },
  trigger: {
    type: 'object',
    required: ['type'],
    properties: { type: ref('triggerType'), on: ref('triggerOn'), inputs: ref('inputs'), with: ref('scheduleWith') },
    additionalProperties: false,
    allOf: [
      { if: isType('alert'), then: { properties: { inputs: false, with: false } } },
      { if: isType('manual'), then: { properties: { on: false, with: false } } },
      { if: isType('scheduled'), then: { required: ['with'], properties: { on: false, inputs: false } } },
    ],
  },
  triggerOn: {
    type: 'object',
    properties: { condition: ref('kql'), ...kibanaKeySchemas(KIBANA_KEYS.triggerOn) },
    additionalProperties: false,
  },
  scheduleWith: {
    type: 'object',
    properties: {
      every: { ...ref('duration'), description: 'an interval, at least 1m' },
      rrule: ref('rrule'),
      cron: ref('cron'),
      timezone: { type: 'string', minLength: 1, description: 'an IANA time zone for cron' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['every'] }, { required: ['rrule'] }, { required: ['cron'] }],
    dependencies: { timezone: ['cron'] },
  },
  rrule: {
    type: 'object',
    required: ['freq'],
    properties: {
      freq: { enum: ['DAILY', 'WEEKLY', 'MONTHLY'] },
      interval: { type: 'integer', minimum: 1 },
      tzid: { type: 'string', minLength: 1 },
      dtstart: str,
      byhour: intArray(0, 23),
      byminute: intArray(0, 59),
      byweekday: { type: 'array', items: { enum: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] } },
      bymonthday: intArray(1, 31),
    },
    additionalProperties: false,
  },
  settings: {
    type: 'object',
    properties: {
      timeout: { ...ref('duration'), description: 'the whole execution, waits included' },
      'on-failure': ref('onFailure'),
      'max-step-size': ref('size'),
      ...kibanaKeySchemas(KIBANA_KEYS.settings),
    },
    additionalProperties: false,
  },
  onFailure: {
    type: 'object',
    properties: { retry: ref('retry'), fallback: ref('steps'), continue: bool },
    additionalProperties: false,
  },
  retry: {
    type: 'object',
    properties: {
      'max-attempts': { type: 'integer', minimum: 1, description: 'all attempts, the first included; default 1' },
      delay: { ...ref('duration'), description: 'default 1s' },
      strategy: { enum: ['fixed', 'exponential'] },
      multiplier: { type: 'number', minimum: 1, description: 'default 2' },
      'max-delay': { ...ref('duration'), description: 'default 1h' },
      ...kibanaKeySchemas(KIBANA_KEYS.retry),
    },
    additionalProperties: false,
  },
  steps: { type: 'array', minItems: 1, items: ref('step') },
  stepList: { type: 'array', items: ref('step') },
  switchCase: {
    type: 'object',
    required: ['match', 'steps'],
    properties: { match: { type: ['string', 'number', 'boolean'] }, steps: ref('steps') },
    additionalProperties: false,
  },
  step: {
    type: 'object',
    required: ['name', 'type'],
    properties: stepProperties,
    additionalProperties: false,
    allOf: stepAllOf,
  },
  ...Object.fromEntries(Object.entries(withSchemas).map(([type, schema]) => [`with-${type}`, schema])),
};

export const workflowSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Flowgate workflow',
  description: 'A Flowgate workflow (YAML). Kibana keys that Flowgate does not act on are accepted and ignored.',
  type: 'object',
  required: ['name', 'triggers', 'steps'],
  properties: {
    version: { enum: ['1', 1] },
    name: { type: 'string', minLength: 1 },
    description: str,
    enabled: bool,
    tags: stringArray,
    triggers: { type: 'array', minItems: 1, items: ref('trigger') },
    inputs: ref('inputs'),
    outputs: { ...ref('inputs'), description: 'what the workflow answers to a parent (workflow.execute): a JSON Schema object, or the list form of inputs' },
    consts: obj,
    settings: ref('settings'),
    steps: ref('steps'),
    ...kibanaKeySchemas(KIBANA_KEYS.workflow),
  },
  additionalProperties: false,
  definitions,
};

/** Shared shapes, by name (messages.ts recognises them by identity). */
export const schemaDefinitions = definitions;
