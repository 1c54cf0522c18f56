/** Conditions of docs/workflows.md "Conditions": booleans, templated strings (interpolations KQL-quoted), "true"/"false", KQL. */
import { checkTemplate, isTemplate, renderString, type RenderBudget } from '@flowgate/template';
import { KqlNode } from './ast';
import { ConditionError } from './errors';
import { evaluateKql } from './evaluate';
import { LruCache } from '@flowgate/template';
import { parseKql } from './parser';

const CACHE_SIZE = 5000;
const MAX_CACHED_LENGTH = 10_000;
const cache = new LruCache<string, KqlNode | ConditionError>(CACHE_SIZE);

/** A double-quoted KQL string with `\` and `"` escaped: always a literal value, never KQL syntax. */
export function kqlQuote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The parsed condition, parsed once per distinct text (LRU); throws ConditionError. */
export function compileCondition(text: string): KqlNode {
  const hit = cache.get(text);
  if (hit !== undefined) {
    if (hit instanceof ConditionError) throw hit;
    return hit;
  }
  let result: KqlNode | ConditionError;
  try {
    result = parseKql(text);
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    result = e;
  }
  if (text.length <= MAX_CACHED_LENGTH) cache.set(text, result);
  if (result instanceof ConditionError) throw result;
  return result;
}

/** For tests and benchmarks: how many conditions are cached; clears the cache when asked. */
export function conditionCache(clear = false): number {
  if (clear) cache.clear();
  return cache.size;
}

/**
 * Static check for the validator: a boolean is fine; a string with templates is checked as a template only
 * (its KQL exists only after rendering); any other string must be "true", "false" or valid KQL.
 */
export function checkCondition(value: unknown): ConditionError | Error | null {
  if (typeof value === 'boolean') return null;
  if (typeof value !== 'string') return new Error(`a condition must be a boolean or a string, not ${value === null ? 'null' : typeof value}`);
  if (isTemplate(value)) return checkTemplate(value);
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === 'false') return null;
  try {
    compileCondition(value);
    return null;
  } catch (e) {
    return e as Error;
  }
}

/**
 * Evaluates a condition against the context (docs/workflows.md "Conditions" steps 1–3). A string is rendered first with every
 * interpolation that is not the whole string KQL-quoted; a whole `${{ }}` value that is not a string
 * counts by Liquid truthiness (null/false → false). Throws TemplateError or ConditionError.
 * `budget`: the render time the condition shares with the step's other templates.
 */
export function evaluateCondition(value: string | boolean, ctx: object, budget?: RenderBudget): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') throw new Error(`a condition must be a boolean or a string, not ${value === null ? 'null' : typeof value}`);
  let text = value;
  if (isTemplate(value)) {
    const rendered = renderString(value, ctx, { escapeOutput: kqlQuote, budget });
    if (typeof rendered !== 'string') return rendered !== null && rendered !== undefined && rendered !== false;
    text = rendered;
  }
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  return evaluateKql(compileCondition(text), ctx);
}
