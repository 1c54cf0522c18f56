import { StepError } from '@flowgate/engine';

/**
 * A list parameter (foreach's `foreach`, data.map/data.filter's `items`): an array, or a string
 * holding JSON of one (what `{{ }}` renders an array to). Anything else fails the step, naming it.
 */
export function arrayValue(value: unknown, what: string): unknown[] {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new StepError('validation_error', `${what}: expected an array or a JSON array, got the text "${value.slice(0, 100)}"`);
    }
  }
  if (!Array.isArray(parsed)) throw new StepError('validation_error', `${what}: expected an array, got ${parsed === null ? 'null' : typeof parsed}`);
  return parsed;
}
