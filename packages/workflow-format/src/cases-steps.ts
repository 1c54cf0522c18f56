/**
 * Kibana's cases.* step catalog beyond cases.createCase/addComment/getCase/setStatus
 * (docs/workflows.md "Kibana's case catalog"): their `with` schemas (Kibana's parameter names: `case_id`, `alerts`,
 * `observables`, `updates`, ...), their step-level keys (`push-case`, `connector-id` of pushCases),
 * and the warnings for Kibana keys Flowgate accepts and does not act on (`version`, `owner`,
 * `reporters`, `push-case`, and `settings`/`connector`/`owner` inside `updates`), run when the
 * workflow is saved.
 */
import { KIBANA_KEYS, kibanaKeySchemas } from './kibana-keys';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/** A value of `shape`, or a template string rendered at run time (then the shape is checked at run time). */
const tpl = (shape: Schema): Schema => ({ if: ref('templateString'), else: shape });
const str: Schema = { type: 'string' };
const text: Schema = { type: 'string', minLength: 1 };
const nullableText: Schema = { type: ['string', 'null'] };
/** ids name index keys and hash fields in the case store: bounded (CASE_LIMITS.idLength) */
const idText: Schema = { type: 'string', minLength: 1, maxLength: 512 };
const closed = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

export const CASE_CATALOG_STEP_TYPES = [
  'cases.addAlerts',
  'cases.addEvents',
  'cases.addObservables',
  'cases.updateObservable',
  'cases.deleteObservable',
  'cases.addTags',
  'cases.removeTags',
  'cases.assignCase',
  'cases.unassignCase',
  'cases.closeCase',
  'cases.deleteCases',
  'cases.findCases',
  'cases.findSimilarCases',
  'cases.getCases',
  'cases.getCasesByAlertId',
  'cases.getAllAttachments',
  'cases.addAttachments',
  'cases.setCategory',
  'cases.setCustomField',
  'cases.setDescription',
  'cases.setSeverity',
  'cases.setTitle',
  'cases.updateCase',
  'cases.updateCases',
  'cases.createCaseFromTemplate',
  'cases.pushCases',
] as const;

/** Kibana's read-only and internal case steps: no `push-case` (Kibana refuses it there too). */
const READ_ONLY = ['cases.getCase', 'cases.deleteCases', 'cases.findCases', 'cases.findSimilarCases', 'cases.getAllAttachments', 'cases.getCases', 'cases.getCasesByAlertId', 'cases.pushCases'];

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const STATUSES = ['open', 'in-progress', 'closed'];

const caseId: Schema = { type: ['string', 'number'], description: 'a case id, usually "{{ steps.<createCase step>.output.case.id }}"' };
const caseIds = (max: number): Schema => tpl({ type: 'array', minItems: 1, maxItems: max, items: caseId });
const oneOrMany = (item: Schema): Schema => ({ if: { type: 'array' }, then: { type: 'array', items: tpl(item) }, else: tpl(item) });
const positive = (max?: number): Schema => tpl({ type: 'integer', minimum: 1, ...(max ? { maximum: max } : {}) });
const version = kibanaKeySchemas(KIBANA_KEYS.casesVersionWith);

const tags: Schema = tpl({ type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 256 } });
const assignees = (min: number): Schema => tpl({ type: 'array', minItems: min, maxItems: 10, items: tpl(closed({ uid: idText }, ['uid'])) });
const customFieldValue: Schema = { type: ['string', 'boolean', 'number', 'null'] };
const customFields: Schema = tpl({ type: 'array', maxItems: 50, items: closed({ key: idText, type: str, value: customFieldValue }, ['key', 'value']) });

/** Kibana's case update (`updates`, `overwrites`): the fields to set; settings, connector, owner accepted and ignored. */
const caseFields: Schema = {
  title: text,
  description: nullableText,
  severity: tpl({ enum: SEVERITIES }),
  status: tpl({ enum: STATUSES }),
  tags: tpl({ type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 256 } }),
  assignees: { if: { type: 'null' }, else: assignees(0) },
  category: { type: ['string', 'null'], maxLength: 512 },
  customFields,
  ...kibanaKeySchemas(KIBANA_KEYS.caseUpdateWith),
};
const updates: Schema = tpl({ ...closed(caseFields), minProperties: 1 });

const observable: Schema = tpl(
  closed({
    typeKey: { type: 'string', minLength: 1, maxLength: 512, description: 'observable-type-ipv4, -ipv6, -url, -hostname, -file-hash, -file-path, -email, -domain, or a custom type key' },
    type: { type: 'string', minLength: 1, maxLength: 512, description: 'the same as typeKey (either one)' },
    value: { type: 'string', minLength: 1, maxLength: 4096 },
    description: nullableText,
  }, ['value']),
);
const alert: Schema = tpl(closed({ alertId: idText, index: idText, rule: tpl({ if: { type: 'null' }, else: closed({ id: nullableText, name: nullableText }) }) }, ['alertId', 'index']));
const event: Schema = tpl(closed({ eventId: idText, index: idText }, ['eventId', 'index']));
const attachment: Schema = tpl({ type: 'object', required: ['type'], properties: { type: text }, description: 'comment (data.content), an alert type (attachmentId, metadata.index, metadata.rule), event (eventId, index), or any other type, kept as given' });
const list = (item: Schema, max: number): Schema => tpl({ type: 'array', minItems: 1, maxItems: max, items: item });

export const casesStepWithSchemas: Record<string, Schema> = {
  'cases.addAlerts': closed({ case_id: caseId, alerts: list(alert, 1000) }, ['case_id', 'alerts']),
  'cases.addEvents': closed({ case_id: caseId, events: list(event, 100) }, ['case_id', 'events']),
  'cases.addObservables': closed({ case_id: caseId, observables: list(observable, 1000) }, ['case_id', 'observables']),
  'cases.updateObservable': closed({ case_id: caseId, observable_id: text, value: { type: 'string', minLength: 1, maxLength: 4096 }, description: nullableText }, ['case_id', 'observable_id', 'value']),
  'cases.deleteObservable': closed({ case_id: caseId, observable_id: text }, ['case_id', 'observable_id']),
  'cases.addTags': closed({ case_id: caseId, tags }, ['case_id', 'tags']),
  'cases.removeTags': closed({ case_id: caseId, tags }, ['case_id', 'tags']),
  'cases.assignCase': closed({ case_id: caseId, assignees: assignees(1), ...version }, ['case_id', 'assignees']),
  'cases.unassignCase': closed({ case_id: caseId, assignees: { if: { type: 'null' }, else: assignees(1) }, ...version }, ['case_id']),
  'cases.closeCase': closed({ case_id: caseId, ...version }, ['case_id']),
  'cases.deleteCases': closed({ case_ids: caseIds(100) }, ['case_ids']),
  'cases.findCases': closed({
    status: oneOrMany({ enum: STATUSES }),
    severity: oneOrMany({ enum: SEVERITIES }),
    tags: oneOrMany(str),
    assignees: oneOrMany(str),
    category: oneOrMany(str),
    search: str,
    searchFields: oneOrMany({ enum: ['title', 'description'] }),
    defaultSearchOperator: tpl({ enum: ['AND', 'OR'] }),
    from: str,
    to: str,
    customFields: tpl({ type: 'object', additionalProperties: tpl({ type: 'array', items: customFieldValue }) }),
    sortField: tpl({ enum: ['createdAt', 'updatedAt', 'closedAt', 'title', 'severity', 'status', 'category'] }),
    sortOrder: tpl({ enum: ['asc', 'desc'] }),
    page: positive(),
    perPage: positive(100),
    ...kibanaKeySchemas(KIBANA_KEYS.findCasesWith),
  }),
  'cases.findSimilarCases': closed({ case_id: caseId, page: positive(), perPage: positive(100) }, ['case_id']),
  'cases.getCases': closed({ case_ids: caseIds(1000) }, ['case_ids']),
  'cases.getCasesByAlertId': closed({ alert_id: idText, ...kibanaKeySchemas(KIBANA_KEYS.casesByAlertWith) }, ['alert_id']),
  'cases.getAllAttachments': closed({ case_id: caseId }, ['case_id']),
  'cases.addAttachments': closed({ case_id: caseId, attachments: list(attachment, 100) }, ['case_id', 'attachments']),
  'cases.setCategory': closed({ case_id: caseId, category: idText, ...version }, ['case_id', 'category']),
  'cases.setCustomField': closed({ case_id: caseId, field_name: idText, value: customFieldValue }, ['case_id', 'field_name', 'value']),
  'cases.setDescription': closed({ case_id: caseId, description: str, ...version }, ['case_id', 'description']),
  'cases.setSeverity': closed({ case_id: caseId, severity: tpl({ enum: SEVERITIES }), ...version }, ['case_id', 'severity']),
  'cases.setTitle': closed({ case_id: caseId, title: text, ...version }, ['case_id', 'title']),
  'cases.updateCase': closed({ case_id: caseId, updates }, ['case_id', 'updates']),
  'cases.updateCases': closed(
    { cases: tpl({ type: 'array', minItems: 1, maxItems: 100, items: tpl(closed({ case_id: caseId, updates, ...version }, ['case_id', 'updates'])) }) },
    ['cases'],
  ),
  'cases.createCaseFromTemplate': closed({ case_template_id: text, overwrites: tpl(closed(caseFields)) }, ['case_template_id']),
  'cases.pushCases': closed({ case_ids: caseIds(100), path: { type: 'string', minLength: 1, description: "where to POST each case, relative to the connector's url (default: the url itself)" } }, ['case_ids']),
};

/** The step-level keys each type takes besides the action keys, and those it requires. */
export const casesStepRules: Record<string, { keys: string[]; required: string[]; connector?: boolean }> = Object.fromEntries(
  [...CASE_CATALOG_STEP_TYPES, 'cases.createCase', 'cases.addComment', 'cases.getCase', 'cases.setStatus'].map((type) => [
    type,
    {
      keys: READ_ONLY.includes(type) ? [] : [...KIBANA_KEYS.casesStep],
      required: type === 'cases.pushCases' ? ['with', 'connector-id'] : ['with'],
      ...(type === 'cases.pushCases' ? { connector: true } : {}),
    },
  ]),
);

/* ---------- warnings when the workflow is saved ---------- */

type Segment = string | number;
type Raw = Record<string, unknown>;

export interface CasesStepReport {
  /** `<path>: accepted but ignored (Kibana key)` */
  kibana(path: Segment[]): void;
  error(path: Segment[], message: string): void;
}

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isCasesCatalogStepType(type: unknown): boolean {
  return typeof type === 'string' && (CASE_CATALOG_STEP_TYPES as readonly string[]).includes(type);
}

/** The Kibana keys of one step's `with` that Flowgate does not act on, each named in a warning; an observable needs its type. */
export function checkCasesStep(raw: Raw, path: Segment[], report: CasesStepReport): void {
  const w = raw.with;
  if (!isObject(w)) return;
  const at = (...keys: Segment[]) => [...path, 'with', ...keys];
  const warnKeys = (obj: unknown, keys: readonly string[], where: Segment[]) => {
    if (isObject(obj)) for (const key of keys) if (key in obj) report.kibana([...where, key]);
  };
  warnKeys(w, [...new Set([...KIBANA_KEYS.casesVersionWith, ...KIBANA_KEYS.findCasesWith, ...KIBANA_KEYS.casesByAlertWith])], at());
  warnKeys(w.updates, KIBANA_KEYS.caseUpdateWith, at('updates'));
  warnKeys(w.overwrites, KIBANA_KEYS.caseUpdateWith, at('overwrites'));
  if (Array.isArray(w.cases)) {
    w.cases.forEach((item, i) => {
      warnKeys(item, KIBANA_KEYS.casesVersionWith, at('cases', i));
      if (isObject(item)) warnKeys(item.updates, KIBANA_KEYS.caseUpdateWith, at('cases', i, 'updates'));
    });
  }
  if (raw.type === 'cases.addObservables' && Array.isArray(w.observables)) {
    w.observables.forEach((o, i) => {
      if (isObject(o) && o.typeKey === undefined && o.type === undefined) report.error(at('observables', i), 'missing required key "typeKey" (the observable\'s type, e.g. observable-type-ipv4)');
    });
  }
}
