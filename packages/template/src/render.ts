/** Rendering: renderString (text or typed whole value) and renderDeep (every string of a structure). */
import { Context, isTruthy, toValue, toValueSync } from 'liquidjs';
import { compile, toTemplateError, WholeValueTemplate } from './compile';
import { liquid, withEscape } from './liquid';
import { isPlainObject } from './values';

export interface RenderOptions {
  /** applied to the text of every `{{ }}` output that is not the whole string (conditions quote them as KQL values) */
  escapeOutput?: (text: string) => string;
}

function evaluateWhole(compiled: WholeValueTemplate, text: string, ctx: object): unknown {
  const context = new Context(ctx, liquid.options, {}, { liquid });
  try {
    let piece = compiled.then;
    if (compiled.cond) {
      const cond = toValueSync(compiled.cond.value(context, false));
      if (!isTruthy(cond, context)) piece = compiled.otherwise ?? compiled.then;
    }
    const value: unknown = toValue(toValueSync(piece.value(context, false)));
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
      return evaluateWhole(compiled, text, ctx);
    case 'text': {
      const escape = compiled.single ? undefined : opts?.escapeOutput;
      try {
        return String(withEscape(escape, () => liquid.renderSync(compiled.templates, ctx)));
      } catch (e) {
        throw toTemplateError(e, 'render', text, compiled.source, compiled.map, 0);
      }
    }
  }
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
