import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Manual-run inputs (SPEC §6.2, §1): validated against the workflow's inputs JSON Schema with its
 * defaults applied first (ajv useDefaults), draft-07, every error reported, no coercion.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
addFormats(ajv);

const cache = new Map<string, ValidateFunction>();

export interface SchemaError {
  path: string;
  keyword: string;
  message: string;
}

function compile(schema: object, cacheKey: string): ValidateFunction {
  let fn = cache.get(cacheKey);
  if (!fn) {
    fn = ajv.compile(schema);
    if (cache.size > 500) cache.clear();
    cache.set(cacheKey, fn);
  }
  return fn;
}

/** Applies the schema's defaults to a copy of `inputs` and validates it. */
export function validateInputs(schema: object | undefined, inputs: Record<string, unknown>, cacheKey: string): { value: Record<string, unknown>; errors: SchemaError[] } {
  const value = structuredClone(inputs);
  if (!schema) return { value, errors: [] };
  let validate: ValidateFunction;
  try {
    validate = compile(schema, cacheKey || JSON.stringify(schema));
  } catch (err) {
    return { value, errors: [{ path: '/', keyword: 'schema', message: `the workflow's inputs schema does not compile: ${(err as Error).message}` }] };
  }
  if (validate(value)) return { value, errors: [] };
  return { value, errors: (validate.errors ?? []).map(describeSchemaError) };
}

/** One ajv error as `{path, keyword, message}`; for `required` the path is the missing property's. */
export function describeSchemaError(e: ErrorObject): SchemaError {
  if (e.keyword === 'required') {
    const prop = (e.params as { missingProperty: string }).missingProperty;
    return { path: `${e.instancePath}/${prop}`, keyword: e.keyword, message: `${prop} is required` };
  }
  if (e.keyword === 'additionalProperties') {
    const prop = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: `${e.instancePath}/${prop}`, keyword: e.keyword, message: `${prop} is not allowed` };
  }
  const path = e.instancePath || '/';
  return { path, keyword: e.keyword, message: `${e.instancePath ? e.instancePath.slice(1) : 'inputs'} ${e.message ?? 'is invalid'}` };
}
