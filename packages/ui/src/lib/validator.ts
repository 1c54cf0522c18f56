/**
 * An rjsf validator that works under the API's Content-Security-Policy (`default-src 'self'`).
 *
 * @rjsf/validator-ajv8 compiles every schema to JavaScript with `new Function`, which that policy
 * forbids (no 'unsafe-eval'). This one interprets the schema with @cfworker/json-schema (draft-07,
 * formats incl. date, date-time, email) and hands Ajv-shaped errors to validator-ajv8's own error
 * processing, so messages, titles and the error schema are the same as with Ajv.
 */
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import type { CustomValidator, ErrorTransformer, RJSFSchema, UiSchema, ValidationData, ValidatorType } from '@rjsf/utils';
import processRawValidationErrors from '@rjsf/validator-ajv8/lib/processRawValidationErrors.js';

export interface AjvLikeError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message: string;
  parentSchema?: any;
}

/** Keywords whose errors only say "a sub-schema failed"; the sub-schema's own errors are reported. */
const WRAPPERS = new Set(['properties', 'patternProperties', 'items', 'prefixItems', 'additionalItems', 'allOf', '$ref', 'false', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'if', 'then', 'else', 'propertyNames']);

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

function toAjv(unit: OutputUnit, schema: any): AjvLikeError | null {
  const { keyword, keywordLocation, instanceLocation, error } = unit;
  if (WRAPPERS.has(keyword)) return null;
  const { value: v, parent } = pointer(schema, keywordLocation);
  const instancePath = instanceLocation.replace(/^#/, '');
  const base = { instancePath, schemaPath: keywordLocation, keyword, parentSchema: parent };
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
    case 'uniqueItems':
      return { ...base, params: {}, message: 'must NOT have duplicate items' };
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

/** Validates `data` against `schema` (draft-07) and returns Ajv-shaped errors, [] when valid. */
export function validateJson(schema: any, data: unknown): AjvLikeError[] {
  const result = new Validator(schema, '7', false).validate(data);
  if (result.valid) return [];
  const out: AjvLikeError[] = [];
  const seen = new Set<string>();
  for (const unit of result.errors) {
    const e = toAjv(unit, schema);
    if (!e) continue;
    const k = `${e.instancePath}|${e.schemaPath}|${e.message}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

export class CspSafeValidator implements ValidatorType<any, RJSFSchema, any> {
  rawValidation<Result = any>(schema: RJSFSchema, formData?: any): { errors?: Result[]; validationError?: Error } {
    try {
      const errors = validateJson(schema, formData);
      return { errors: (errors.length ? errors : undefined) as Result[] | undefined };
    } catch (err) {
      return { validationError: err as Error };
    }
  }

  validateFormData(formData: any, schema: RJSFSchema, customValidate?: CustomValidator<any, RJSFSchema, any>, transformErrors?: ErrorTransformer<any, RJSFSchema, any>, uiSchema?: UiSchema<any, RJSFSchema, any>): ValidationData<any> {
    const raw = this.rawValidation<any>(schema, formData);
    return processRawValidationErrors(this as any, raw as any, formData, schema, customValidate, transformErrors, uiSchema) as ValidationData<any>;
  }

  isValid(schema: RJSFSchema, formData: any, rootSchema: RJSFSchema): boolean {
    try {
      const withDefs = { ...(rootSchema?.definitions ? { definitions: rootSchema.definitions } : {}), ...(rootSchema?.$defs ? { $defs: rootSchema.$defs } : {}), ...(schema as object) };
      return validateJson(withDefs, formData).length === 0;
    } catch {
      return false;
    }
  }
}

export const validator = new CspSafeValidator();
