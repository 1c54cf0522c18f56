/**
 * A step failure, with whether it may be retried as data on the error (not inferred from its class),
 * so that on-failure retry decisions stay in one place.
 */
export type StepErrorType =
  | 'timeout'
  | 'network'
  | 'http_error'
  | 'template_error'
  | 'template_limit'
  | 'condition_error'
  | 'validation_error'
  | 'configuration_error'
  | 'size_exceeded'
  | 'url_not_allowed'
  | 'cancelled'
  | 'workflow_fail'
  | 'step_error';

export interface StepErrorInfo {
  type: StepErrorType | string;
  message: string;
  details?: unknown;
}

export class StepError extends Error {
  readonly type: StepErrorType | string;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(type: StepErrorType | string, message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
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

/** Turns anything thrown by a step into a StepError; unknown errors are not retryable. */
export function toStepError(err: unknown): StepError {
  if (err instanceof StepError) return err;
  if (err instanceof Error) {
    const name = err.name;
    if (name === 'TemplateError') {
      const kind = (err as { kind?: string }).kind;
      return new StepError(kind === 'limit' ? 'template_limit' : 'template_error', err.message);
    }
    if (name === 'ConditionError') return new StepError('condition_error', err.message);
    if (name === 'AbortError' || name === 'TimeoutError') return new StepError('timeout', err.message, { retryable: true });
    return new StepError('step_error', err.message);
  }
  return new StepError('step_error', String(err));
}
