/**
 * A yes/no question asked as a schema: exactly one required boolean, plus at most one optional string
 * (notes). Such a form is answered in one click, as a waitForApproval step is: "Yes: <the boolean's
 * title>" / "No", with the notes field kept. Pure (no React), so that it can be unit tested.
 */

/** Keywords of the root that change nothing about how the answer is made. */
const ROOT_KEYS = new Set(['type', 'title', 'description', 'properties', 'required', 'additionalProperties', '$schema', '$id', '$comment', 'examples']);
/** Keywords the boolean may have: annotations only (a `const` or an `enum` would forbid one of the buttons). */
const BOOL_KEYS = new Set(['type', 'title', 'description', 'default', '$comment', 'examples']);
/** Keywords the notes may have: a free text, checked before it is sent. */
const NOTES_KEYS = new Set(['type', 'title', 'description', 'default', '$comment', 'examples', 'minLength', 'maxLength', 'pattern']);

export interface QuickAnswerShape {
  /** the boolean's property name */
  decision: string;
  /** what the "Yes" button says after "Yes: " */
  question: string;
  description?: string;
  /** the optional string's property name, if there is one */
  notes?: string;
  notesTitle?: string;
  notesDescription?: string;
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const onlyKeys = (o: Record<string, any>, allowed: Set<string>) => Object.keys(o).every((k) => allowed.has(k));
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** "isolateHost" / "isolate_host" → "Isolate host": a property name as words, when the boolean has no title. */
export function words(name: string): string {
  const w = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return w ? w[0].toUpperCase() + w.slice(1) : name;
}

/** The shape of a one-click answer, or null when `schema` is not exactly that. */
export function quickAnswerShape(schema: unknown): QuickAnswerShape | null {
  if (!isObject(schema) || !onlyKeys(schema, ROOT_KEYS)) return null;
  if (schema.type !== undefined && schema.type !== 'object') return null;
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') return null;
  const props = schema.properties;
  if (!isObject(props)) return null;
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : [];
  const names = Object.keys(props);
  const bools = names.filter((n) => isObject(props[n]) && props[n].type === 'boolean');
  const strings = names.filter((n) => isObject(props[n]) && props[n].type === 'string');
  if (bools.length !== 1 || strings.length > 1 || bools.length + strings.length !== names.length) return null;
  const [decision] = bools;
  const notes = strings[0];
  const b = props[decision];
  if (!onlyKeys(b, BOOL_KEYS) || (b.default !== undefined && typeof b.default !== 'boolean')) return null;
  if (!required.includes(decision) || required.some((r) => r !== decision)) return null;
  if (notes !== undefined && !onlyKeys(props[notes], NOTES_KEYS)) return null;
  return {
    decision,
    question: text(b.title) ?? words(decision),
    ...(text(b.description) ? { description: text(b.description) } : {}),
    ...(notes !== undefined
      ? { notes, notesTitle: text(props[notes].title) ?? words(notes), ...(text(props[notes].description) ? { notesDescription: text(props[notes].description) } : {}) }
      : {}),
  };
}

/** The answer the buttons send: the decision, and the notes only when some were written. */
export function quickAnswer(shape: QuickAnswerShape, yes: boolean, notes: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { [shape.decision]: yes };
  if (shape.notes !== undefined && typeof notes === 'string' && notes.trim() !== '') out[shape.notes] = notes;
  return out;
}
