import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describeSchemaError, type AnswerError } from '@flowgate/steps';

/**
 * Manual-run inputs (SPEC §6.2, §1): validated against the workflow's inputs JSON Schema with its
 * defaults applied first (ajv useDefaults), draft-07, every error reported, no coercion.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
addFormats(ajv);

const cache = new Map<string, ValidateFunction>();

/** One schema error: `{path, keyword, message}` (the same shape as a resume's validation errors). */
export type SchemaError = AnswerError;

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
  return { value, errors: (validate.errors ?? []).map((e) => describeSchemaError(e, 'inputs')) };
}

