/**
 * Plain-text views of JSON values for the execution page: an alert flattened to dotted paths, an
 * answer labelled with its schema's titles, a search hit as columns. Everything stays text (React
 * escapes it); nothing here parses or renders Markdown or HTML.
 */
import type { JSONSchema } from '../lib/api';

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A scalar as text; objects and arrays of objects as compact JSON. */
export function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

export interface FieldRow {
  path: string;
  value: string;
}

/**
 * Every leaf of `value` as a dotted path ("host.name", "process.args", "threat.indicator[0].ip").
 * Arrays of scalars are one row (values joined with ", "); arrays of objects are indexed. Keys that
 * already contain dots (a flat Kibana alert: "kibana.alert.rule.name") are kept as written.
 */
export function flatten(value: unknown, limit = 2000): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (rows.length >= limit) return;
    if (Array.isArray(v)) {
      if (v.length === 0) rows.push({ path, value: '[]' });
      else if (v.every((x) => !isObject(x) && !Array.isArray(x))) rows.push({ path, value: v.map(scalarText).join(', ') });
      else v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      return;
    }
    if (isObject(v) && depth < 32) {
      const keys = Object.keys(v);
      if (keys.length === 0) {
        if (path) rows.push({ path, value: '{}' });
        return;
      }
      for (const k of keys) walk(v[k], path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    rows.push({ path: path || '(value)', value: scalarText(v) });
  };
  walk(value, '', 0);
  return rows;
}

/** The alert an execution is about: the first alert of `event.alerts`, else the event itself. */
export function alertOf(event: unknown): Record<string, unknown> | null {
  if (!isObject(event)) return null;
  const alerts = event.alerts;
  if (Array.isArray(alerts) && isObject(alerts[0])) return alerts[0];
  return Object.keys(event).length ? event : null;
}

/* ---------- Answers labelled with the schema ---------- */

export interface AnswerRow {
  key: string;
  label: string;
  value: string;
}

/** The labels of a wait for approval's answer (its schema has no titles). */
export interface ApprovalLabels {
  approveLabel?: string;
  rejectLabel?: string;
}

const titleOf = (schema: JSONSchema | undefined, key: string): string => (typeof schema?.title === 'string' && schema.title.trim() ? schema.title : key);

/** An enum value's title when the schema names it (oneOf/anyOf of {const, title}), else the value. */
function constTitle(schema: JSONSchema | undefined, v: unknown): string | null {
  const options = schema?.oneOf ?? schema?.anyOf;
  if (!Array.isArray(options)) return null;
  const hit = options.find((o: any) => isObject(o) && 'const' in o && o.const === v && typeof o.title === 'string');
  return hit ? (hit as any).title : null;
}

/** One value in words: booleans as Yes/No, arrays joined, objects as "key: value; …" with their titles. */
export function valueText(v: unknown, schema?: JSONSchema): string {
  if (v === null || v === undefined || v === '') return '—';
  const named = constTitle(schema, v);
  if (named) return named;
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.length ? v.map((x) => valueText(x, isObject(schema?.items) ? (schema!.items as JSONSchema) : undefined)).join(', ') : '—';
  if (isObject(v)) {
    const props: Record<string, JSONSchema> = isObject(schema?.properties) ? (schema!.properties as Record<string, JSONSchema>) : {};
    return Object.keys(v)
      .map((k) => `${titleOf(props[k], k)}: ${valueText(v[k], props[k])}`)
      .join('; ');
  }
  return scalarText(v);
}

/**
 * The answer as labelled rows, in the schema's property order (then any key the schema does not
 * name); a nested object's fields become "Owner › Owner e-mail". `approval`: the answer of a
 * waitForApproval ("Decision: Approved — Block domain", "Notes").
 */
export function answerRows(answer: unknown, schema: JSONSchema | null | undefined, approval?: ApprovalLabels): AnswerRow[] {
  if (approval) {
    const a = isObject(answer) ? answer : {};
    const rows: AnswerRow[] = [];
    if (typeof a.approved === 'boolean') {
      const label = a.approved ? approval.approveLabel : approval.rejectLabel;
      const word = a.approved ? 'Approved' : 'Rejected';
      const custom = label && label !== (a.approved ? 'Approve' : 'Decline') ? ` — ${label}` : '';
      rows.push({ key: 'approved', label: 'Decision', value: `${word}${custom}` });
    }
    if (typeof a.notes === 'string' && a.notes.trim()) rows.push({ key: 'notes', label: 'Notes', value: a.notes });
    for (const k of Object.keys(a)) if (k !== 'approved' && k !== 'notes') rows.push({ key: k, label: k, value: valueText(a[k]) });
    return rows;
  }
  if (!isObject(answer)) return answer === undefined || answer === null ? [] : [{ key: '', label: 'Answer', value: valueText(answer, schema ?? undefined) }];
  const rows: AnswerRow[] = [];
  const walk = (obj: Record<string, unknown>, sch: JSONSchema | undefined, prefix: string, keyPrefix: string) => {
    const props: Record<string, JSONSchema> = isObject(sch?.properties) ? (sch!.properties as Record<string, JSONSchema>) : {};
    const keys = [...Object.keys(props).filter((k) => k in obj), ...Object.keys(obj).filter((k) => !(k in props))];
    for (const k of keys) {
      const v = obj[k];
      const label = `${prefix}${titleOf(props[k], k)}`;
      if (isObject(v) && Object.keys(v).length && !constTitle(props[k], v)) walk(v, props[k], `${label} › `, `${keyPrefix}${k}.`);
      else rows.push({ key: `${keyPrefix}${k}`, label, value: valueText(v, props[k]) });
    }
  };
  walk(answer, schema ?? undefined, '', '');
  return rows;
}

/* ---------- AI verdicts ---------- */

export interface Verdict {
  step: string;
  category: string | null;
  confidence: number | null;
  rationale: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() && Number.isFinite(Number(v)) ? Number(v) : null);

/** A classification in a step's output: category with a confidence or a rationale (also under `result`/`classification`). */
export function verdictOf(step: { path: string; type: string; output: unknown; status: string }): Verdict | null {
  if (step.status !== 'COMPLETED') return null;
  const o = step.output;
  const candidates = [o, isObject(o) ? o.result : undefined, isObject(o) ? o.classification : undefined, isObject(o) ? o.output : undefined].filter(isObject);
  for (const c of candidates) {
    const category = str(c.category) ?? str(c.label) ?? str(c.verdict);
    const confidence = num(c.confidence) ?? num(c.score);
    const rationale = str(c.rationale) ?? str(c.reason) ?? str(c.explanation);
    if (category && (confidence !== null || rationale !== null || step.type.startsWith('ai.'))) return { step: step.path, category, confidence, rationale };
    if (step.type.startsWith('ai.') && (confidence !== null || rationale !== null)) return { step: step.path, category, confidence, rationale };
  }
  return null;
}

/** 0.87 → "87%", 87 → "87%". */
export function percent(confidence: number | null): string {
  if (confidence === null) return '—';
  const p = confidence <= 1 ? confidence * 100 : confidence;
  return `${Math.round(p * 10) / 10}%`;
}
