/**
 * Every JSON Schema a workflow declares goes through here: the schema of a wait's answer
 * (waitForInput, waitForApproval), of a manual run's inputs, of an ai.prompt's structured reply.
 * Draft-07 with ajv-formats, every error reported, `strict: false` (workflows written for Kibana use
 * keywords ajv does not know), no coercion and no removal of properties: a value is stored exactly
 * as sent. Only run inputs get the schema's defaults applied (docs/workflows.md, "Manual trigger").
 *
 * Compiled validators are cached by the schema's JSON text (an LRU of 500 per mode): a schema
 * arrives with every answer, and compiling it costs far more than validating.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { LruCache } from '@flowgate/template';
import { pointerToPath, type Segment } from './path';

/** One validation error: the JSON pointer of the value, the keyword that failed, a readable message. */
export interface SchemaError {
  path: string;
  keyword: string;
  message: string;
}

/** The fixed answer schema of waitForApproval (docs/workflows.md, "waitForApproval"). */
export const APPROVAL_SCHEMA = {
  type: 'object',
  properties: { approved: { type: 'boolean' }, notes: { type: 'string' } },
  required: ['approved'],
  additionalProperties: false,
};

type Mode = 'exact' | 'defaults';

const CACHE_SIZE = 500;

function newAjv(mode: Mode): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: mode === 'defaults', coerceTypes: false, removeAdditional: false });
  addFormats(ajv);
  return ajv;
}

const compilers: Record<Mode, { ajv: Ajv; cache: LruCache<string, ValidateFunction> } | undefined> = { exact: undefined, defaults: undefined };

function compilerFor(mode: Mode) {
  let c = compilers[mode];
  if (!c) compilers[mode] = c = { ajv: newAjv(mode), cache: new LruCache(CACHE_SIZE) };
  return c;
}

/**
 * The validator of `schema` (a missing or non-object schema accepts any JSON object), compiled once.
 * Throws ajv's error when the schema does not compile.
 */
export function compileSchema(schema: unknown, mode: Mode = 'exact', cacheKey?: string): ValidateFunction {
  const effective = schema && typeof schema === 'object' ? schema : { type: 'object' };
  const key = cacheKey ?? JSON.stringify(effective);
  const { ajv, cache } = compilerFor(mode);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(effective as object);
    // ajv keeps every compiled schema too; the LRU above is the only cache that should hold them.
    ajv.removeSchema(effective as object);
    cache.set(key, validate);
  }
  return validate;
}

/** A reviewer's answer against the wait's schema: [] when valid, else every error. */
export function validateAnswer(schema: unknown, answer: unknown): SchemaError[] {
  const validate = compileSchema(schema);
  if (validate(answer)) return [];
  return (validate.errors ?? []).map((e) => describeSchemaError(e));
}

/**
 * A manual run's inputs: the schema's defaults are applied to a copy, which is then validated.
 * `cacheKey` (the workflow version) saves serializing the schema on every run.
 */
export function validateInputs(schema: object | undefined, inputs: Record<string, unknown>, cacheKey?: string): { value: Record<string, unknown>; errors: SchemaError[] } {
  const value = structuredClone(inputs);
  if (!schema) return { value, errors: [] };
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema, 'defaults', cacheKey || undefined);
  } catch (err) {
    return { value, errors: [{ path: '/', keyword: 'schema', message: `the workflow's inputs schema does not compile: ${(err as Error).message}` }] };
  }
  if (validate(value)) return { value, errors: [] };
  return { value, errors: (validate.errors ?? []).map((e) => describeSchemaError(e, 'inputs')) };
}

/**
 * One ajv error as `{path, keyword, message}`; for `required` and `additionalProperties` the path is
 * the property's. `whole` names the value itself in messages about the root ("the answer", "inputs").
 */
export function describeSchemaError(e: ErrorObject, whole = 'the answer'): SchemaError {
  if (e.keyword === 'required') {
    const prop = (e.params as { missingProperty: string }).missingProperty;
    return { path: `${e.instancePath}/${prop}`, keyword: e.keyword, message: `${prop} is required` };
  }
  if (e.keyword === 'additionalProperties') {
    const prop = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: `${e.instancePath}/${prop}`, keyword: e.keyword, message: `${prop} is not allowed` };
  }
  return { path: e.instancePath || '/', keyword: e.keyword, message: `${e.instancePath ? e.instancePath.slice(1) : whole} ${e.message ?? 'is invalid'}` };
}

export interface SchemaIssue {
  /** path inside the schema */
  path: Segment[];
  message: string;
}

/** For the validator: null when `schema` is a valid draft-07 JSON Schema that compiles, else the first issue. */
export function checkJsonSchema(schema: unknown): SchemaIssue | null {
  const { ajv } = compilerFor('exact');
  if (!ajv.validateSchema(schema as object)) {
    const e = ajv.errors?.[0];
    if (!e) return { path: [], message: 'invalid JSON Schema' };
    const params = e.params as Record<string, unknown>;
    const detail =
      e.keyword === 'enum'
        ? `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`
        : e.keyword === 'type'
          ? `must be ${Array.isArray(params.type) ? params.type.join(' or ') : params.type}`
          : (e.message ?? e.keyword);
    return { path: pointerToPath(e.instancePath, schema), message: `invalid JSON Schema: ${detail}` };
  }
  try {
    compileSchema(schema);
    return null;
  } catch (err) {
    return { path: [], message: `invalid JSON Schema: ${(err as Error).message}` };
  }
}

/** Does `value` satisfy `schema`? The first error's message, or null (for defaults of list-form inputs). */
export function valueMatches(schema: object, value: unknown): string | null {
  try {
    const validate = compileSchema(schema);
    return validate(value) ? null : (validate.errors?.[0]?.message ?? 'invalid');
  } catch (err) {
    return (err as Error).message;
  }
}
