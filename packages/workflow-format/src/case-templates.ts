/**
 * case-templates.yaml (docs/workflows.md "cases.createCaseFromTemplate"): the templates
 * cases.createCaseFromTemplate opens cases from, by id, in the shape of Kibana's case templates
 * (`name`, `description`, `caseFields`). Parsed here so that the worker and `flowgate validate` read
 * it alike; every problem is one line naming the template and the field.
 *
 * templates:
 *   triage_template:
 *     name: Triage
 *     caseFields: { title: "...", description: "...", severity: high, tags: [...], category: "...",
 *                   assignees: [{uid}], customFields: [{key, type, value}], status: open }
 */
import { parse } from 'yaml';

export interface CaseTemplateFields {
  title?: string;
  description?: string;
  severity?: string;
  status?: string;
  tags?: string[];
  category?: string;
  assignees?: { uid: string }[];
  customFields?: { key: string; type: string; value: string | number | boolean | null }[];
}

export interface CaseTemplate {
  id: string;
  name: string;
  description: string | null;
  caseFields: CaseTemplateFields;
}

export type CaseTemplates = Record<string, CaseTemplate>;

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const STATUSES = ['open', 'in-progress', 'closed'];
/** Kibana template fields Flowgate's cases do not hold: accepted, not applied. */
const IGNORED_FIELDS = ['connector', 'settings'];
const FIELDS = ['title', 'description', 'severity', 'status', 'tags', 'category', 'assignees', 'customFields', ...IGNORED_FIELDS];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldsOf(raw: unknown, at: string): CaseTemplateFields {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new Error(`${at}: expected a mapping of case fields`);
  const bad = (field: string, expected: string) => new Error(`${at}.${field}: expected ${expected}`);
  const out: CaseTemplateFields = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!FIELDS.includes(field)) throw new Error(`${at}: unknown case field "${field}" (expected some of ${FIELDS.join(', ')})`);
    if (IGNORED_FIELDS.includes(field)) continue;
    if (field === 'title' || field === 'description' || field === 'category') {
      if (typeof value !== 'string' || value === '') throw bad(field, 'a non-empty string');
      out[field] = value;
    } else if (field === 'severity' || field === 'status') {
      const allowed = field === 'severity' ? SEVERITIES : STATUSES;
      if (typeof value !== 'string' || !allowed.includes(value)) throw bad(field, `one of ${allowed.join(', ')}`);
      out[field] = value;
    } else if (field === 'tags') {
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string' && t !== '')) throw bad(field, 'a list of strings');
      out.tags = value as string[];
    } else if (field === 'assignees') {
      if (!Array.isArray(value) || !value.every((a) => isObject(a) && typeof a.uid === 'string' && a.uid !== '')) throw bad(field, 'a list of {uid}');
      out.assignees = (value as { uid: string }[]).map((a) => ({ uid: a.uid }));
    } else {
      const ok = Array.isArray(value) && value.every((f) => isObject(f) && typeof f.key === 'string' && f.key !== '' && (f.value === null || ['string', 'number', 'boolean'].includes(typeof f.value)));
      if (!ok) throw bad(field, 'a list of {key, type, value}');
      out.customFields = (value as Record<string, unknown>[]).map((f) => ({
        key: f.key as string,
        type: typeof f.type === 'string' ? f.type : typeof f.value === 'boolean' ? 'toggle' : typeof f.value === 'number' ? 'number' : 'text',
        value: (f.value ?? null) as string | number | boolean | null,
      }));
    }
  }
  return out;
}

/** Parses case-templates.yaml; throws an Error whose message names the file, the template and the field. */
export function caseTemplatesFromYaml(text: string, source = 'case-templates.yaml'): CaseTemplates {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new Error(`${source}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const templates = isObject(data) ? data.templates : undefined;
  if (!isObject(templates)) throw new Error(`${source}: expected a "templates" mapping of id → { name, caseFields }`);
  const out: CaseTemplates = {};
  for (const [id, raw] of Object.entries(templates)) {
    const at = `${source}: template "${id}"`;
    if (!isObject(raw)) throw new Error(`${at}: expected a mapping`);
    const unknown = Object.keys(raw).find((k) => !['name', 'description', 'tags', 'caseFields'].includes(k));
    if (unknown) throw new Error(`${at}: unknown key "${unknown}" (expected name, description, tags, caseFields)`);
    if (raw.name !== undefined && typeof raw.name !== 'string') throw new Error(`${at}: name: expected a string`);
    if (raw.description !== undefined && typeof raw.description !== 'string') throw new Error(`${at}: description: expected a string`);
    out[id] = { id, name: (raw.name as string | undefined) ?? id, description: (raw.description as string | undefined) ?? null, caseFields: fieldsOf(raw.caseFields, `${at}: caseFields`) };
  }
  return out;
}
