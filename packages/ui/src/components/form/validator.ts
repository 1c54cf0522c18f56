/**
 * The generated form's validator: lib/validator.ts (CSP-safe, agrees with the server's ajv), with every
 * error put in words (messages.ts) while the answer being checked is at hand, so that an emptied list
 * item reads "is empty" rather than "must be text". A `transformErrors` given to the form still runs after.
 */
import type { CustomValidator, ErrorTransformer, RJSFSchema, UiSchema, ValidationData } from '@rjsf/utils';
import { CspSafeValidator } from '../../lib/validator';
import { humanizeRjsfErrors } from './messages';

export class HumanValidator extends CspSafeValidator {
  validateFormData(formData: any, schema: RJSFSchema, customValidate?: CustomValidator<any, RJSFSchema, any>, transformErrors?: ErrorTransformer<any, RJSFSchema, any>, uiSchema?: UiSchema<any, RJSFSchema, any>): ValidationData<any> {
    const human: ErrorTransformer<any, RJSFSchema, any> = (errors, ui) => {
      const worded = humanizeRjsfErrors(schema, errors, formData);
      return transformErrors ? transformErrors(worded, ui) : worded;
    };
    return super.validateFormData(formData, schema, customValidate, human, uiSchema);
  }
}

export const humanValidator = new HumanValidator();
