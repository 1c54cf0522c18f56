/**
 * Reading the `with` of the cases.* steps of Kibana's catalog (docs/workflows.md "Kibana's case catalog"). A literal
 * is checked when the workflow is saved; one rendered from a template is checked here, and a bad value
 * fails the step with a validation_error naming the field. Lists and objects may also come as JSON
 * text (what `{{ }}` renders them to).
 */
import { StepError, type StepRunContext } from '@flowgate/engine';
import { CASE_LIMITS, CASE_SEVERITIES, CASE_STATUSES, CaseInputError, type CaseAssignee, type CaseCustomField, type CaseUpdate, type CustomFieldValue } from '@flowgate/store';
import { arrayValue } from '../array-value';

type Row = Record<string, unknown>;

/** Writes are keyed by `<executionId>/<path>`: a step that runs twice writes once (docs/semantics.md "Guarantees"). */
export const opKeyOf = (ctx: StepRunContext): string => `${ctx.executionId}/${ctx.path}`;

export const fail = (ctx: StepRunContext, message: string): StepError => new StepError('validation_error', `${ctx.step.type}: ${message}`);

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the text ${JSON.stringify(value.slice(0, 100))}` : typeof value;
}

/** A case id: a non-empty string (a number is read as its text). */
export function caseIdOf(ctx: StepRunContext, value: unknown = ctx.input.case_id, where = 'with.case_id'): string {
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== 'string' || id.trim() === '') throw fail(ctx, `${where} must be a case id, got ${describeValue(value)}`);
  return id.trim();
}

/** A required non-empty string, of at most `max` characters when given. */
export function requiredText(ctx: StepRunContext, value: unknown, where: string, max?: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw fail(ctx, `${where} must be a non-empty string, got ${describeValue(value)}`);
  if (max !== undefined && value.length > max) throw fail(ctx, `${where} is at most ${max} characters, got ${value.length}`);
  return value;
}

/** An id-like string (alertId, index, uid, a custom field's key): it names index keys and hash fields, so it is bounded. */
export const idText = (ctx: StepRunContext, value: unknown, where: string): string => requiredText(ctx, value, where, CASE_LIMITS.idLength);

/** An object, or JSON text of one. */
export function objectOf(ctx: StepRunContext, value: unknown, where: string): Row {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw fail(ctx, `${where} must be an object, got ${describeValue(value)}`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail(ctx, `${where} must be an object, got ${describeValue(parsed)}`);
  return parsed as Row;
}

/** A list of at least `min` and at most `max` items (an array, or JSON text of one). */
export function listOf(ctx: StepRunContext, value: unknown, where: string, max: number, min = 1): unknown[] {
  if (value === undefined || value === null) throw fail(ctx, `${where} is required: a list`);
  const list = arrayValue(value, `${ctx.step.type}: ${where}`);
  if (list.length < min) throw fail(ctx, `${where} must hold at least ${min} item${min === 1 ? '' : 's'}`);
  if (list.length > max) throw fail(ctx, `${where} holds ${list.length} items, at most ${max}`);
  return list;
}

/** Each item a non-empty string (numbers read as text). */
export function stringsOf(ctx: StepRunContext, value: unknown, where: string, max: number, min = 1): string[] {
  return listOf(ctx, value, where, max, min).map((v, i) => {
    const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
    if (typeof s !== 'string' || s.trim() === '') throw fail(ctx, `${where}[${i}] must be a non-empty string, got ${describeValue(v)}`);
    return s.trim();
  });
}

/** One string or a list of them (Kibana's filters of findCases). */
export function oneOrMany(ctx: StepRunContext, value: unknown, where: string, max = 100): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && !value.trim().startsWith('[')) return [requiredText(ctx, value, where).trim()];
  return stringsOf(ctx, value, where, max);
}

export function tagsOf(ctx: StepRunContext, value: unknown, where = 'with.tags', min = 1): string[] {
  const tags = stringsOf(ctx, value, where, CASE_LIMITS.tags, min);
  const long = tags.find((t) => t.length > CASE_LIMITS.tagLength);
  if (long !== undefined) throw fail(ctx, `${where}: a tag is at most ${CASE_LIMITS.tagLength} characters, got ${long.length}`);
  return tags;
}

export function severityOf(ctx: StepRunContext, value: unknown, where = 'with.severity'): string {
  if (typeof value !== 'string' || !(CASE_SEVERITIES as readonly string[]).includes(value)) {
    throw fail(ctx, `${where} must be one of ${CASE_SEVERITIES.join(', ')}, got ${describeValue(value)}`);
  }
  return value;
}

export function statusOf(ctx: StepRunContext, value: unknown, where = 'with.status'): string {
  if (typeof value !== 'string' || !(CASE_STATUSES as readonly string[]).includes(value)) {
    throw fail(ctx, `${where} must be one of ${CASE_STATUSES.join(', ')}, got ${describeValue(value)}`);
  }
  return value;
}

/** Kibana's assignees: `[{uid}]` (at most 10). */
export function assigneesOf(ctx: StepRunContext, value: unknown, where = 'with.assignees', min = 1): string[] {
  return listOf(ctx, value, where, CASE_LIMITS.assignees, min).map((a, i) => {
    const uid = (a as CaseAssignee | null)?.uid;
    if (a === null || typeof a !== 'object' || typeof uid !== 'string' || uid.trim() === '') {
      throw fail(ctx, `${where}[${i}] must be {uid: "<user id>"}, got ${describeValue(a)}`);
    }
    return idText(ctx, uid.trim(), `${where}[${i}].uid`);
  });
}

/** A custom field's value: text, a boolean (Kibana's toggle), a number, or null. */
export function customValueOf(ctx: StepRunContext, value: unknown, where: string): CustomFieldValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw fail(ctx, `${where} must be text, a boolean, a number or null, got ${describeValue(value)}`);
}

export function customFieldTypeOf(value: CustomFieldValue): string {
  if (typeof value === 'boolean') return 'toggle';
  if (typeof value === 'number') return 'number';
  return 'text';
}

/** Kibana's customFields: `[{key, type, value}]`. */
export function customFieldsOf(ctx: StepRunContext, value: unknown, where: string): CaseCustomField[] {
  return listOf(ctx, value, where, CASE_LIMITS.customFields, 0).map((f, i) => {
    const row = objectOf(ctx, f, `${where}[${i}]`);
    const key = idText(ctx, row.key, `${where}[${i}].key`);
    const v = customValueOf(ctx, row.value === undefined ? null : row.value, `${where}[${i}].value`);
    const type = row.type === undefined ? customFieldTypeOf(v) : requiredText(ctx, row.type, `${where}[${i}].type`);
    return { key, type, value: v };
  });
}

/** Keys of Kibana's case update that Flowgate accepts and does not act on (the validator warns). */
const IGNORED_UPDATE_KEYS = ['settings', 'connector', 'owner', 'version'];
export const UPDATE_KEYS = ['title', 'description', 'severity', 'status', 'tags', 'assignees', 'category', 'customFields', ...IGNORED_UPDATE_KEYS];

/** Kibana's `updates` / `overwrites` object: the fields of a case to set. */
export function caseUpdateOf(ctx: StepRunContext, value: unknown, where: string, requireOne = true): CaseUpdate {
  const u = objectOf(ctx, value, where);
  const unknown = Object.keys(u).find((k) => !UPDATE_KEYS.includes(k));
  if (unknown !== undefined) throw fail(ctx, `${where}.${unknown} is not a case field (expected some of ${UPDATE_KEYS.slice(0, -IGNORED_UPDATE_KEYS.length).join(', ')})`);
  const out: CaseUpdate = {};
  if (u.title !== undefined) out.title = requiredText(ctx, u.title, `${where}.title`);
  if (u.description !== undefined) out.description = u.description === null ? null : requiredText(ctx, u.description, `${where}.description`);
  if (u.severity !== undefined) out.severity = severityOf(ctx, u.severity, `${where}.severity`);
  if (u.status !== undefined) out.status = statusOf(ctx, u.status, `${where}.status`);
  if (u.tags !== undefined) out.tags = tagsOf(ctx, u.tags, `${where}.tags`, 0);
  if (u.assignees !== undefined) out.assignees = u.assignees === null ? [] : assigneesOf(ctx, u.assignees, `${where}.assignees`, 0);
  if (u.category !== undefined) out.category = u.category === null ? null : idText(ctx, u.category, `${where}.category`);
  if (u.customFields !== undefined) out.customFields = customFieldsOf(ctx, u.customFields, `${where}.customFields`);
  if (requireOne && Object.keys(out).length === 0) throw fail(ctx, `${where} must set at least one of ${UPDATE_KEYS.slice(0, -IGNORED_UPDATE_KEYS.length).join(', ')}`);
  return out;
}

/** A positive integer parameter (page, perPage) within bounds; `fallback` when absent. */
export function intOf(ctx: StepRunContext, value: unknown, where: string, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) throw fail(ctx, `${where} must be a whole number from 1 to ${max}, got ${describeValue(value)}`);
  return n;
}

/** The case a store write answered; the case's absence or a refused write (a bound) fail the step, naming it. */
export async function written<T>(ctx: StepRunContext, caseId: string, write: () => Promise<T | null>): Promise<T> {
  let result: T | null;
  try {
    result = await write();
  } catch (err) {
    if (err instanceof CaseInputError) throw fail(ctx, `case "${caseId}": ${err.message}`);
    throw err;
  }
  if (result === null) throw fail(ctx, `case "${caseId}" does not exist`);
  return result;
}
