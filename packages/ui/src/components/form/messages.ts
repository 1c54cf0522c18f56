/**
 * Validation errors in words a reviewer reads: the field's title (its property name when it has none),
 * never a JSON path (".indicators.0", "/indicators/0") and never a regular expression. The server (ajv)
 * decides whether an answer is taken; these messages only predict its verdict for a human.
 *
 * Pure functions (no React, no rjsf at run time), so that they can be unit tested under jest.
 */

/** What is needed of an error: the keyword that failed, where (path segments) and ajv's params. */
export interface RawError {
  keyword: string;
  /** the failing value's path, as segments: ["indicators", "0"]; for `required`, the missing property's path */
  segments: string[];
  params?: Record<string, any>;
  /** the answer being checked, when known: an empty list item is told apart from a wrong type */
  data?: unknown;
}

/** The smallest part of an rjsf validation error that `humanizeRjsfErrors` reads and writes. */
export interface RjsfErrorLike {
  name?: string;
  property?: string;
  params?: any;
  message?: string;
  stack: string;
  title?: string;
}

/** An Ajv-shaped error (instancePath "/a/0", params.missingProperty for `required`) → its field's segments. */
export function ajvSegments(e: { instancePath: string; keyword: string; params?: Record<string, any> }): string[] {
  const parts = String(e.instancePath ?? '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return e.keyword === 'required' && e.params?.missingProperty !== undefined ? [...parts, String(e.params.missingProperty)] : parts;
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

/** rjsf's dotted property (".a.b.0", "a" for a missing root property) → segments, JSON-pointer escapes undone. */
export function propertySegments(property: string | undefined): string[] {
  return String(property ?? '')
    .split('.')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The field at `segments` in `schema` and its name for people: the field's title (else its property
 * name); an item of an array is its array's name and its number ("Indicators to block #2"); a field
 * inside an item says which item ("Contacts #1 › E-mail").
 */
export function resolveField(schema: unknown, segments: string[]): { label: string; schema: Record<string, any> | undefined } {
  let s: Record<string, any> | undefined = isObject(schema) ? schema : undefined;
  let label = '';
  let inItem = false;
  for (const seg of segments) {
    const child = isObject(s?.properties) ? s!.properties[seg] : undefined;
    if (child !== undefined || !/^\d+$/.test(seg)) {
      const name = isObject(child) && typeof child.title === 'string' && child.title.trim() ? child.title.trim() : seg;
      label = inItem && label ? `${label} › ${name}` : name;
      s = isObject(child) ? child : undefined;
      continue;
    }
    label = `${label || 'Item'} #${Number(seg) + 1}`;
    inItem = true;
    s = isObject(s?.items) ? s!.items : undefined;
  }
  return { label: label || 'The answer', schema: s };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const FORMATS: Record<string, string> = {
  email: 'an e-mail address',
  'idn-email': 'an e-mail address',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (HH:MM:SS)',
  'date-time': 'a date and time',
  duration: 'a duration (like P3D or PT4H)',
  uri: 'a full URL (like https://example.com/)',
  url: 'a full URL (like https://example.com/)',
  'uri-reference': 'a URL or a path',
  iri: 'a full URL',
  'iri-reference': 'a URL or a path',
  hostname: 'a host name (like host.example.com)',
  'idn-hostname': 'a host name',
  ipv4: 'an IPv4 address (like 192.0.2.1)',
  ipv6: 'an IPv6 address',
  uuid: 'a UUID',
  regex: 'a regular expression',
  'json-pointer': 'a JSON pointer',
  'relative-json-pointer': 'a relative JSON pointer',
  'uri-template': 'a URI template',
  byte: 'base64-encoded data',
  password: 'a password',
  binary: 'binary data',
};

const TYPES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of fields',
  null: 'empty',
};

/** A value as a reviewer reads it in a list of choices. */
function shown(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return JSON.stringify(v);
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/** The value at `segments` in `data` (undefined when there is none). */
export function valueAt(data: unknown, segments: string[]): unknown {
  let v: any = data;
  for (const seg of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[seg];
  }
  return v;
}

/** The description of a field, as a sentence to show after "has the wrong format". */
const descriptionOf = (s: Record<string, any> | undefined): string | null => (s && typeof s.description === 'string' && s.description.trim() ? s.description.trim() : null);

/** One error in words, naming the field by its title. */
export function humanMessage(schema: unknown, e: RawError): string {
  const { label, schema: field } = resolveField(schema, e.segments);
  const p = e.params ?? {};
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
  switch (e.keyword) {
    case 'required':
      return `${label} is required`;
    case 'pattern': {
      const d = descriptionOf(field);
      return d ? `${label} has the wrong format: ${d}` : `${label} has the wrong format`;
    }
    case 'format': {
      const what = FORMATS[String(p.format)];
      if (what) return `${label} must be ${what}`;
      const d = descriptionOf(field);
      return d ? `${label} has the wrong format: ${d}` : `${label} has the wrong format`;
    }
    case 'minLength': {
      const n = num(p.limit);
      return n <= 1 ? `${label} must not be empty` : `${label} must be at least ${plural(n, 'character')} long`;
    }
    case 'maxLength':
      return `${label} must be at most ${plural(num(p.limit), 'character')} long`;
    case 'minimum':
      return `${label} must be ${p.limit} or more`;
    case 'maximum':
      return `${label} must be ${p.limit} or less`;
    case 'exclusiveMinimum':
      return `${label} must be more than ${p.limit}`;
    case 'exclusiveMaximum':
      return `${label} must be less than ${p.limit}`;
    case 'multipleOf':
      return `${label} must be a multiple of ${p.multipleOf}`;
    case 'enum': {
      const values: unknown[] = Array.isArray(p.allowedValues) ? p.allowedValues : Array.isArray(field?.enum) ? field!.enum : [];
      return values.length > 0 && values.length <= 8 ? `${label} must be one of: ${values.map(shown).join(', ')}` : `${label} must be one of the listed choices`;
    }
    case 'const':
      return `${label} must be ${shown(p.allowedValue ?? field?.const)}`;
    case 'type': {
      if (e.data !== undefined && isEmpty(valueAt(e.data, e.segments))) {
        // What a form leaves when a field is emptied: in a list, a hole; elsewhere, nothing.
        return /^\d+$/.test(e.segments[e.segments.length - 1] ?? '') ? `${label} is empty: fill it in or remove it` : `${label} is required`;
      }
      const types = String(p.type ?? '').split(',').map((t) => TYPES[t] ?? t).filter(Boolean);
      return types.length ? `${label} must be ${types.join(' or ')}` : `${label} has the wrong type`;
    }
    case 'minItems': {
      const n = num(p.limit);
      return n <= 1 ? `${label} needs at least one entry` : `${label} needs at least ${plural(n, 'entry', 'entries')}`;
    }
    case 'maxItems':
      return `${label} can have at most ${plural(num(p.limit), 'entry', 'entries')}`;
    case 'additionalItems':
      return `${label} has too many entries`;
    case 'uniqueItems':
      return Number.isInteger(p.i) && Number.isInteger(p.j) ? `${label} lists the same entry twice (#${p.j + 1} and #${p.i + 1})` : `${label} lists the same entry twice`;
    case 'contains':
      return `${label} is missing a required entry`;
    case 'minProperties':
      return `${label} needs at least ${plural(num(p.limit), 'field')}`;
    case 'maxProperties':
      return `${label} can have at most ${plural(num(p.limit), 'field')}`;
    case 'additionalProperties':
      return `${label} has a field that is not allowed${p.additionalProperty ? `: ${p.additionalProperty}` : ''}`;
    case 'dependencies':
      return p.property && p.missingProperty ? `${resolveField(schema, [...e.segments, String(p.missingProperty)]).label} is required with ${resolveField(schema, [...e.segments, String(p.property)]).label}` : `${label} is incomplete`;
    default:
      return `${label} is not valid`;
  }
}

/**
 * rjsf `transformErrors`: each error's message (shown beside the field) and stack (the list at the
 * top) become the same full sentence. rjsf's `property` is the failing value's dotted path; for
 * `required`, the missing property's.
 */
export function humanizeRjsfErrors<E extends RjsfErrorLike>(schema: unknown, errors: E[], data?: unknown): E[] {
  return errors.map((e) => {
    if (!e.name) return e; // not a schema error (e.g. the schema itself could not be read): as it is
    const sentence = humanMessage(schema, { keyword: e.name, segments: propertySegments(e.property), params: e.params, data });
    return { ...e, message: sentence, stack: sentence, title: resolveField(schema, propertySegments(e.property)).label };
  });
}
