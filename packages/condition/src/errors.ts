/** ConditionError: names the condition and the 1-based column of the problem. */

export class ConditionError extends Error {
  /**
   * The step-error type this error fails a step with, carried as data so that the engine (which imports this
   * package; this package cannot import it) need not recognise the class. The engine checks its StepErrorType covers it.
   */
  readonly stepErrorType = 'condition_error' as const;

  constructor(
    message: string,
    public readonly condition: string,
    /** 1-based column (character offset + 1) in the condition text */
    public readonly position: number,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

const MAX_QUOTED = 200;

/** `invalid condition "a : (b" at column 6: expected ")"`; `offset` is 0-based. */
export function conditionError(condition: string, offset: number, what: string): ConditionError {
  const shown = condition.length > MAX_QUOTED ? `${condition.slice(0, MAX_QUOTED)}…` : condition;
  const column = offset + 1;
  return new ConditionError(`invalid condition ${JSON.stringify(shown)} at column ${column}: ${what}`, condition, column);
}
