/**
 * @flowgate/template — Liquid templates of docs/workflows.md "Templates": `{{ }}` text, whole `${{ }}` typed values,
 * ternaries, deep rendering of `with`, static checks and step references for the validator.
 */
import { compile, wholeValueRange } from './compile';
import { TemplateError } from './errors';

export { TemplateError } from './errors';
export type { TemplateErrorKind, TemplatePosition } from './errors';
export { isTemplate, wholeValueRange, templateCache, dollarOutputs } from './compile';
export { renderString, renderDeep, renderBudget, renderMarkdownMessage } from './render';
export { escapeHtml, escapeMarkdown, unescapeMarkdown } from './markdown';
export { LruCache } from './lru';
export { isPlainObject } from './values';
export type { RenderBudget, RenderOptions } from './render';
export { stepReferences } from './refs';
export { ALLOWED_TAGS, LIMITS, liquid, toText, TrustedMarkdown } from './liquid';

/** True when the trimmed text is a whole `${{ expr }}` value (rendered to a typed value). */
export function isWholeValue(text: string): boolean {
  return wholeValueRange(text) !== null;
}

/**
 * Static check for the workflow validator: Liquid syntax, tags outside the allowed list, `${{` other than
 * as the whole value, nested ternaries. Returns the error, or null when the template is valid.
 */
export function checkTemplate(text: string): TemplateError | null {
  const compiled = compile(text);
  return compiled.kind === 'error' ? compiled.error : null;
}
