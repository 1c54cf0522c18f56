/** TemplateError and the helpers that turn an offset into a readable position. */

export type TemplateErrorKind = 'syntax' | 'render' | 'limit';

/**
 * The step-error type a TemplateError fails a step with (docs/workflows.md "Failure handling"), carried as
 * data so that the engine, which imports this package, need not recognise the class. Spelled out here
 * because this package cannot import the engine; the engine checks that its StepErrorType covers it.
 */
export type TemplateStepErrorType = 'template_error' | 'template_limit';

export interface TemplatePosition {
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  /** 0-based character offset in the template */
  offset: number;
}

export class TemplateError extends Error {
  /** `template_limit` for a limit exceeded, `template_error` for any other problem */
  readonly stepErrorType: TemplateStepErrorType;

  constructor(
    message: string,
    public readonly kind: TemplateErrorKind,
    public readonly template: string,
    public readonly position?: TemplatePosition,
  ) {
    super(message);
    this.name = 'TemplateError';
    this.stepErrorType = kind === 'limit' ? 'template_limit' : 'template_error';
  }
}

const MAX_QUOTED = 120;

/** The template as it appears in messages: JSON-quoted, cut to a readable length. */
export function quoteTemplate(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(shown);
}

export function positionAt(text: string, offset: number): TemplatePosition {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1, offset: at };
}

const LEAD: Record<TemplateErrorKind, string> = {
  syntax: 'invalid template',
  render: 'cannot render template',
  limit: 'template limit exceeded in',
};

/** Builds the error: `invalid template "Hi {{ x | }}" at line 1, column 4: <cause>`. */
export function templateError(kind: TemplateErrorKind, cause: string, template: string, offset?: number): TemplateError {
  const position = offset === undefined ? undefined : positionAt(template, offset);
  const where = position ? ` at line ${position.line}, column ${position.column}` : '';
  return new TemplateError(`${LEAD[kind]} ${quoteTemplate(template)}${where}: ${cause}`, kind, template, position);
}
