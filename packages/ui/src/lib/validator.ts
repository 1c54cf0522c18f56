/**
 * An rjsf validator that works under the API's Content-Security-Policy (`default-src 'self'`).
 *
 * @rjsf/validator-ajv8 compiles every schema to JavaScript with `new Function`, which that policy
 * forbids (no 'unsafe-eval'). This one validates with json-validate.ts (@cfworker/json-schema, draft-07,
 * made to agree with the server's ajv) and hands its Ajv-shaped errors to validator-ajv8's own error
 * processing, so messages, titles and the error schema are the same as with Ajv.
 */
import type { CustomValidator, ErrorTransformer, RJSFSchema, UiSchema, ValidationData, ValidatorType } from '@rjsf/utils';
import processRawValidationErrors from '@rjsf/validator-ajv8/lib/processRawValidationErrors.js';
import { validateJson } from './json-validate';

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
