/**
 * Validation of a JSON value against a draft-07 JSON Schema, in the browser, under the API's
 * Content-Security-Policy (`default-src 'self'`, no eval): @cfworker/json-schema interprets the schema
 * instead of compiling it to JavaScript as ajv does. Errors come out Ajv-shaped (instancePath, keyword,
 * params, message), so that rjsf's error processing and the server's error details line up.
 *
 * The server (packages/workflow-format, ajv + ajv-formats) decides whether an answer is taken; this is the
 * browser's prediction of it, so where the two engines differ, this module does what the server does:
 * - formats are ajv-formats' own (the server's "full" set), replacing @cfworker/json-schema's;
 * - `$ref` with sibling keywords applies the siblings too, as ajv does (draft-07 says to ignore them);
 * - errors are reported where ajv reports them (see `toAjv`).
 * What remains different is listed in test/contract/answer-validators.test.ts, which runs this module and
 * the server's `validateAnswer` over one table of cases. Only @cfworker/json-schema and ajv-formats' format
 * table here (no rjsf, no React, nothing that compiles code).
 */
import { encodePointer, format as cfworkerFormats, Validator, type OutputUnit } from '@cfworker/json-schema';
import { fullFormats } from 'ajv-formats/dist/formats';

export interface AjvLikeError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message: string;
  parentSchema?: any;
  /** errors of `propertyNames`: the property name that failed (the path is the object's, as with ajv) */
  propertyName?: string;
}

/** Keywords whose errors only say "a sub-schema failed"; the sub-schema's own errors are reported (as ajv does). */
const WRAPPERS = new Set(['properties', 'patternProperties', 'items', 'prefixItems', 'allOf', '$ref', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', 'then', 'else']);

/** A format of ajv-formats as a check of a string; null for formats of numbers (int32, int64, float, double). */
function stringFormat(f: unknown): ((s: string) => boolean) | null {
  if (f === true) return () => true;
  if (f instanceof RegExp) {
    return (s) => {
      f.lastIndex = 0;
      return f.test(s);
    };
  }
  if (typeof f === 'function') return f as (s: string) => boolean;
  if (f && typeof f === 'object' && 'validate' in f) {
    const def = f as { type?: string; async?: boolean; validate: unknown };
    return (def.type ?? 'string') === 'string' && !def.async ? stringFormat(def.validate) : null;
  }
  return null;
}

// @cfworker/json-schema looks formats up in this table (its only way to configure them): the server's.
for (const [name, f] of Object.entries(fullFormats)) {
  const check = stringFormat(f);
  if (check) cfworkerFormats[name] = check;
}

/** Keywords that are not assertions, kept beside a `$ref` as they are. */
const ANNOTATIONS = new Set(['$id', '$schema', '$comment', 'definitions', '$defs', 'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly']);
const SUBSCHEMA = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'if', 'then', 'else', 'not'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];

/**
 * ajv applies the keywords beside a `$ref` (draft-07 says to ignore them, @cfworker/json-schema does):
 * `{$ref, ...rest}` becomes `{...rest, allOf: [...allOf, {$ref}]}`, everywhere a schema can be. The input
 * is not changed; an unchanged schema is returned as is.
 */
export function applyRefSiblings(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const s = schema as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  const set = (k: string, v: unknown) => {
    if (v === s[k]) return;
    out ??= { ...s };
    out[k] = v;
  };
  const map = (v: unknown, f: (x: unknown) => unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    let changed = false;
    const next: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      next[k] = f(x);
      if (next[k] !== x) changed = true;
    }
    return changed ? next : v;
  };
  const list = (v: unknown) => {
    if (!Array.isArray(v)) return v;
    const next = v.map(applyRefSiblings);
    return next.some((x, i) => x !== v[i]) ? next : v;
  };
  for (const k of SUBSCHEMA) set(k, applyRefSiblings(s[k]));
  for (const k of SUBSCHEMA_MAPS) set(k, map(s[k], applyRefSiblings));
  for (const k of SUBSCHEMA_LISTS) set(k, list(s[k]));
  set('items', Array.isArray(s.items) ? list(s.items) : applyRefSiblings(s.items));
  const current: Record<string, unknown> = out ?? s;
  if (typeof current.$ref === 'string' && Object.keys(current).some((k) => k !== '$ref' && !ANNOTATIONS.has(k))) {
    const { $ref, ...rest } = current;
    return { ...rest, allOf: [...(Array.isArray(rest.allOf) ? rest.allOf : []), { $ref }] };
  }
  return current;
}

/** `#/a%20b/c~1d` (cfworker's URI-encoded pointers) → `/a b/c~1d` (ajv's JSON pointers). */
const jsonPointer = (location: string): string =>
  location
    .replace(/^#/, '')
    .split('/')
    .map((p) => decodeURIComponent(p))
    .join('/');

function pointer(root: any, location: string): { value: any; parent: any } {
  const parts = location.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let parent: any = undefined;
  let value: any = root;
  for (const p of parts) {
    parent = value;
    value = value == null ? undefined : value[p];
  }
  return { value, parent };
}

const typeName = (t: unknown): string => (Array.isArray(t) ? t.join(',') : String(t));

/** What `toAjv` needs to know about the other errors of the same validation. */
interface Context {
  schema: any;
  units: OutputUnit[];
  /** instance locations that `additionalProperties: false` / `additionalItems: false` refuse (ajv reports them once, on the parent) */
  refused: Set<string>;
}

const hasDescendant = (u: OutputUnit, ctx: Context) => ctx.units.some((v) => v !== u && v.keywordLocation.startsWith(`${u.keywordLocation}/`));

function refusedChildren(schema: any, units: OutputUnit[]): Set<string> {
  const refused = new Set<string>();
  for (const u of units) {
    if (u.keyword !== 'additionalProperties' && u.keyword !== 'additionalItems') continue;
    const { value, parent } = pointer(schema, u.keywordLocation);
    if (value !== false) continue;
    if (u.keyword === 'additionalProperties') {
      const m = /Property "(.*)" does not match/.exec(u.error);
      if (m) refused.add(`${u.instanceLocation}/${encodePointer(m[1])}`);
    } else {
      const first = Array.isArray(parent?.items) ? parent.items.length : 0;
      for (const v of units) {
        const m = v.keyword === 'false' && v.instanceLocation.startsWith(`${u.instanceLocation}/`) ? /^\d+$/.exec(v.instanceLocation.slice(u.instanceLocation.length + 1)) : null;
        if (m && Number(m[0]) >= first) refused.add(v.instanceLocation);
      }
    }
  }
  return refused;
}

/** The propertyNames error `unit` is under, if any (ajv reports those errors on the object, with the property's name). */
const propertyNamesOf = (u: OutputUnit, ctx: Context) => ctx.units.find((p) => p.keyword === 'propertyNames' && u.keywordLocation.startsWith(`${p.keywordLocation}/`));

function toAjv(unit: OutputUnit, ctx: Context): AjvLikeError | null {
  const { keyword, keywordLocation, instanceLocation, error } = unit;
  if (WRAPPERS.has(keyword)) return null;
  if (keyword === 'false' && ctx.refused.has(instanceLocation)) return null;
  // A sub-schema failed (not `false`): its own errors are reported.
  if ((keyword === 'additionalProperties' || keyword === 'additionalItems' || keyword === 'dependencies') && hasDescendant(unit, ctx)) return null;
  const { value: v, parent } = pointer(ctx.schema, keywordLocation);
  const names = propertyNamesOf(unit, ctx);
  const instancePath = jsonPointer(names ? names.instanceLocation : instanceLocation);
  const base = { instancePath, schemaPath: keywordLocation, keyword, parentSchema: parent, ...(names ? { propertyName: decodeURIComponent(instanceLocation.slice(names.instanceLocation.length + 1)).replace(/~1/g, '/').replace(/~0/g, '~') } : {}) };
  switch (keyword) {
    case 'required': {
      const m = /property "(.*)"\.?$/.exec(error);
      const missingProperty = m ? m[1] : String(v?.[0] ?? '');
      return { ...base, params: { missingProperty }, message: `must have required property '${missingProperty}'` };
    }
    case 'type':
      return { ...base, params: { type: typeName(v) }, message: `must be ${typeName(v)}` };
    case 'minimum':
      return { ...base, params: { comparison: '>=', limit: v }, message: `must be >= ${v}` };
    case 'maximum':
      return { ...base, params: { comparison: '<=', limit: v }, message: `must be <= ${v}` };
    case 'exclusiveMinimum':
      return { ...base, params: { comparison: '>', limit: v }, message: `must be > ${v}` };
    case 'exclusiveMaximum':
      return { ...base, params: { comparison: '<', limit: v }, message: `must be < ${v}` };
    case 'minLength':
      return { ...base, params: { limit: v }, message: `must NOT have fewer than ${v} characters` };
    case 'maxLength':
      return { ...base, params: { limit: v }, message: `must NOT have more than ${v} characters` };
    case 'minItems':
      return { ...base, params: { limit: v }, message: `must NOT have fewer than ${v} items` };
    case 'maxItems':
      return { ...base, params: { limit: v }, message: `must NOT have more than ${v} items` };
    case 'minProperties':
      return { ...base, params: { limit: v }, message: `must NOT have fewer than ${v} properties` };
    case 'maxProperties':
      return { ...base, params: { limit: v }, message: `must NOT have more than ${v} properties` };
    case 'pattern':
      return { ...base, params: { pattern: v }, message: `must match pattern "${v}"` };
    case 'format':
      return { ...base, params: { format: v }, message: `must match format "${v}"` };
    case 'enum':
      return { ...base, params: { allowedValues: v }, message: 'must be equal to one of the allowed values' };
    case 'const':
      return { ...base, params: { allowedValue: v }, message: 'must be equal to constant' };
    case 'multipleOf':
      return { ...base, params: { multipleOf: v }, message: `must be multiple of ${v}` };
    case 'uniqueItems': {
      const m = /indexes (\d+) and (\d+)/.exec(error);
      return m ? { ...base, params: { i: Number(m[2]), j: Number(m[1]) }, message: `must NOT have duplicate items (items ## ${m[1]} and ${m[2]} are identical)` } : { ...base, params: {}, message: 'must NOT have duplicate items' };
    }
    case 'additionalItems': {
      const limit = Array.isArray(parent?.items) ? parent.items.length : 0;
      return { ...base, params: { limit }, message: `must NOT have more than ${limit} items` };
    }
    case 'contains':
      return { ...base, params: { minContains: 1 }, message: 'must contain at least 1 valid item(s)' };
    case 'dependencies': {
      const m = /has "(.*)" but does not have "(.*)"/.exec(error);
      const deps = m && Array.isArray(v?.[m[1]]) ? v[m[1]] : [];
      return m
        ? { ...base, params: { property: m[1], missingProperty: m[2], depsCount: deps.length, deps: deps.join(', ') }, message: `must have ${deps.length === 1 ? 'property' : 'properties'} ${deps.join(', ')} when property ${m[1]} is present` }
        : { ...base, params: {}, message: error };
    }
    case 'propertyNames': {
      const m = /Property name "(.*)" does not match/.exec(error);
      return { ...base, params: { propertyName: m?.[1] ?? '' }, message: 'property name must be valid' };
    }
    case 'if': {
      const failingKeyword = /"(then|else)"/.exec(error)?.[1] ?? 'then';
      return { ...base, params: { failingKeyword }, message: `must match "${failingKeyword}" schema` };
    }
    case 'false':
      return { ...base, keyword: 'false schema', params: {}, message: 'boolean schema is false' };
    case 'additionalProperties': {
      const m = /Property "(.*)" does not match/.exec(error);
      return { ...base, params: { additionalProperty: m?.[1] ?? '' }, message: 'must NOT have additional properties' };
    }
    case 'anyOf':
      return { ...base, params: {}, message: 'must match a schema in anyOf' };
    case 'oneOf':
      return { ...base, params: {}, message: 'must match exactly one schema in oneOf' };
    case 'not':
      return { ...base, params: {}, message: 'must NOT be valid' };
    default:
      return { ...base, params: {}, message: error };
  }
}

/** Validates `data` against `schema` (draft-07, as the server does) and returns Ajv-shaped errors, [] when valid. */
export function validateJson(schema: any, data: unknown): AjvLikeError[] {
  const effective = applyRefSiblings(schema);
  const result = new Validator(effective as any, '7', false).validate(data);
  if (result.valid) return [];
  const ctx: Context = { schema: effective, units: result.errors, refused: refusedChildren(effective, result.errors) };
  const out: AjvLikeError[] = [];
  const seen = new Set<string>();
  for (const unit of result.errors) {
    const e = toAjv(unit, ctx);
    if (!e) continue;
    const k = `${e.instancePath}|${e.schemaPath}|${e.message}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  // Never "invalid" without a reason to show.
  if (out.length === 0) {
    const u = result.errors[result.errors.length - 1];
    out.push({ instancePath: u ? jsonPointer(u.instanceLocation) : '', schemaPath: u?.keywordLocation ?? '#', keyword: u?.keyword ?? 'invalid', params: {}, message: u?.error ?? 'is invalid' });
  }
  return out;
}
