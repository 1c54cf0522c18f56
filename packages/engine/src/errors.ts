import type { ConditionError } from '@flowgate/condition';
import type { TemplateError } from '@flowgate/template';

/**
 * A step failure, with whether it may be retried as data on the error (not inferred from its class),
 * so that on-failure retry decisions stay in one place. The types of docs/workflows.md "Failure handling",
 * plus `cancelled` and `workflow_fail`, which no fallback sees (they are never caught).
 */
export type StepErrorType =
  | 'timeout'
  | 'network'
  | 'tls_error'
  | 'http_error'
  | 'url_not_allowed'
  | 'template_error'
  | 'template_limit'
  | 'condition_error'
  | 'validation_error'
  | 'configuration_error'
  | 'size_exceeded'
  | 'ai_invalid_response'
  | 'ai_refused'
  | 'stalled'
  | 'loop_limit'
  | 'child_failed'
  | 'cancelled'
  | 'workflow_fail'
  | 'step_error';

/** A step's error as stored on its record. Read back from Redis it is data: `type` is not checked again. */
export interface StepErrorInfo {
  type: StepErrorType;
  message: string;
  details?: unknown;
}

export class StepError extends Error {
  readonly type: StepErrorType;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(type: StepErrorType, message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.type = type;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  toInfo(): StepErrorInfo {
    return this.details === undefined ? { type: this.type, message: this.message } : { type: this.type, message: this.message, details: this.details };
  }

  /** HTTP statuses that docs/workflows.md "Failure handling" calls retryable: 408, 429 and 5xx. */
  static retryableStatus(status: number): boolean {
    return status === 408 || status === 429 || status >= 500;
  }
}

/**
 * The step-error types that errors of packages the engine imports carry as data (`stepErrorType`): those
 * packages cannot import the engine, so they spell the types out themselves. `Record` makes this list
 * exactly theirs, and `carriedType` returning a StepErrorType checks that the union covers them.
 */
type CarriedStepErrorType = TemplateError['stepErrorType'] | ConditionError['stepErrorType'];
const CARRIED: Record<CarriedStepErrorType, true> = { template_error: true, template_limit: true, condition_error: true };

function carriedType(err: Error): StepErrorType | undefined {
  const type = (err as { stepErrorType?: unknown }).stepErrorType;
  return typeof type === 'string' && Object.hasOwn(CARRIED, type) ? (type as CarriedStepErrorType) : undefined;
}

/**
 * Turns anything thrown by a step into a StepError: template and condition errors by the type they carry,
 * Node's AbortError/TimeoutError as a retryable timeout; anything else is a step_error, not retryable.
 */
export function toStepError(err: unknown): StepError {
  if (err instanceof StepError) return err;
  if (err instanceof Error) {
    const carried = carriedType(err);
    if (carried) return new StepError(carried, err.message);
    if (err.name === 'AbortError' || err.name === 'TimeoutError') return new StepError('timeout', err.message, { retryable: true });
    return new StepError('step_error', err.message);
  }
  return new StepError('step_error', String(err));
}
