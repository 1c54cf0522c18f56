import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validates a reviewer's answer against the wait's JSON Schema (SPEC §4.3): draft-07, all errors,
 * no defaults, no coercion, no removal of properties — the answer is stored exactly as sent.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false, coerceTypes: false, removeAdditional: false });
addFormats(ajv);

const cache = new Map<string, ValidateFunction>();

export interface AnswerError {
  path: string;
  keyword: string;
  message: string;
}

export { APPROVAL_SCHEMA } from '@flowgate/engine';

export function validateAnswer(schema: unknown, answer: unknown): AnswerError[] {
  const effective = schema && typeof schema === 'object' ? schema : { type: 'object' };
  const key = JSON.stringify(effective);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(effective as object);
    if (cache.size > 500) cache.clear();
    cache.set(key, validate);
  }
  if (validate(answer)) return [];
  return (validate.errors ?? []).map((e) => describeSchemaError(e));
}

/**
 * One ajv error as `{path, keyword, message}`; for `required` and `additionalProperties` the path is
 * the property's. `whole` names the value itself in messages about the root ("the answer", "inputs").
 */
export function describeSchemaError(e: ErrorObject, whole = 'the answer'): AnswerError {
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
