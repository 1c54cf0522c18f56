/** Rendering: renderString (text or typed whole value) and renderDeep (every string of a structure). */
import { Context, isTruthy, toValue, toValueSync } from 'liquidjs';
import { compile, toTemplateError, WholeValueTemplate } from './compile';
import { templateError, type TemplateError } from './errors';
import { escapedText, liquid, LIMITS, withEscape } from './liquid';
import { escapeMarkdown } from './markdown';
import { isPlainObject } from './values';

export interface RenderOptions {
  /** applied to the text of every `{{ }}` output that is not the whole string (conditions quote them as KQL values) */
  escapeOutput?: (text: string) => string;
  /**
   * Apply escapeOutput to a string that is one `{{ expr }}` too, and to a whole `${{ expr }}`, whose
   * value then renders as text like a `{{ }}` (wait messages: every value in them is escaped).
   */
  escapeWhole?: boolean;
  /** the render time left to the strings of one step, shared by all of them (see renderBudget) */
  budget?: RenderBudget;
}

/**
 * Render time shared by every string one step renders: without it each string gets the whole
 * render limit, and a step with a thousand strings could hold a worker for a thousand seconds.
 */
export interface RenderBudget {
  /** when the time runs out (ms since the epoch) */
  readonly until: number;
  readonly ms: number;
}

export function renderBudget(ms: number = LIMITS.renderLimit, now = Date.now()): RenderBudget {
  return { until: now + ms, ms };
}

const budgetSpent = (text: string, budget: RenderBudget) => templateError('limit', `the step's templates used up their render time (${budget.ms} ms in all)`, text);

/** The render limit of the next string: the budget's time left, at most the engine's own limit. */
function renderLimitOf(text: string, budget: RenderBudget | undefined): number {
  if (!budget) return LIMITS.renderLimit;
  const left = budget.until - Date.now();
  if (left <= 0) throw budgetSpent(text, budget);
  return Math.min(LIMITS.renderLimit, left);
}

/** A render limit hit when the limit was what the budget had left: say so, rather than name the engine's limit. */
function withBudget(err: TemplateError, text: string, renderLimit: number, budget: RenderBudget | undefined): TemplateError {
  return budget && err.kind === 'limit' && renderLimit < LIMITS.renderLimit && Date.now() >= budget.until ? budgetSpent(text, budget) : err;
}

function evaluateWhole(compiled: WholeValueTemplate, text: string, ctx: object, opts?: RenderOptions): unknown {
  const context = new Context(ctx, liquid.options, { renderLimit: renderLimitOf(text, opts?.budget) }, { liquid });
  try {
    let piece = compiled.then;
    if (compiled.cond) {
      const cond = toValueSync(compiled.cond.value(context, false));
      if (!isTruthy(cond, context)) piece = compiled.otherwise ?? compiled.then;
    }
    const raw: unknown = toValueSync(piece.value(context, false));
    if (opts?.escapeWhole && opts.escapeOutput) return escapedText(raw, opts.escapeOutput);
    const value: unknown = toValue(raw);
    return value === undefined ? null : value;
  } catch (e) {
    throw toTemplateError(e, 'render', text, text, null, compiled.offset);
  }
}

/**
 * Renders one string synchronously. A whole `${{ expr }}` returns the value itself (missing → null);
 * anything else returns the rendered text. Throws TemplateError.
 */
export function renderString(text: string, ctx: object, opts?: RenderOptions): unknown {
  const compiled = compile(text);
  switch (compiled.kind) {
    case 'static':
      return text;
    case 'error':
      throw compiled.error;
    case 'whole':
      return evaluateWhole(compiled, text, ctx, opts);
    case 'text': {
      const escape = compiled.single && !opts?.escapeWhole ? undefined : opts?.escapeOutput;
      const renderLimit = renderLimitOf(text, opts?.budget);
      try {
        return String(withEscape(escape, () => liquid.renderSync(compiled.templates, ctx, { renderLimit })));
      } catch (e) {
        throw withBudget(toTemplateError(e, 'render', text, compiled.source, compiled.map, 0), text, renderLimit, opts?.budget);
      }
    }
  }
}

/**
 * Renders the Markdown message of a wait (docs/workflows.md "Writing the message"): the author's text
 * as written, every interpolated value escaped by escapeMarkdown, unless its last filter is `markdown`.
 */
export function renderMarkdownMessage(text: string, ctx: object, opts?: Pick<RenderOptions, 'budget'>): unknown {
  return renderString(text, ctx, { ...opts, escapeOutput: escapeMarkdown, escapeWhole: true });
}

/** Renders every string in objects and arrays (keys are not rendered) into a new structure. */
export function renderDeep(value: unknown, ctx: object, opts?: RenderOptions): unknown {
  if (typeof value === 'string') return renderString(value, ctx, opts);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, ctx, opts));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const rendered = renderDeep(value[key], ctx, opts);
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: rendered, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = rendered;
      }
    }
    return out;
  }
  return value;
}
