/**
 * Turns a template text into its cached compiled form: plain text, a whole `${{ }}` value, or parsed Liquid.
 * Every syntax problem becomes a TemplateError with the position in the original text.
 */
import { Template, Tokenizer, Value } from 'liquidjs';
import { TemplateError, templateError } from './errors';
import { LIMITS, liquid } from './liquid';
import { LruCache } from './lru';
import { isSingleOutput, scanTemplate, skipQuoted, type Segment } from './scan';
import { OffsetMap, Range, TemplateSyntaxIssue, findTernary, rewriteTernaries, trimRange } from './ternary';

export interface StaticTemplate {
  kind: 'static';
}
export interface WholeValueTemplate {
  kind: 'whole';
  /** the condition of a ternary, else null */
  cond: Value | null;
  then: Value;
  otherwise: Value | null;
  /** offset of the expression, for render errors without a token */
  offset: number;
}
export interface LiquidTemplate {
  kind: 'text';
  templates: Template[];
  /** the whole text is one `{{ expr }}`: escapeOutput does not apply */
  single: boolean;
  /** the text Liquid parsed (the ternaries rewritten) and the map back to the original */
  source: string;
  map: OffsetMap | null;
}
export interface InvalidTemplate {
  kind: 'error';
  error: TemplateError;
}
export type Compiled = StaticTemplate | WholeValueTemplate | LiquidTemplate | InvalidTemplate;

const STATIC: StaticTemplate = { kind: 'static' };
const CACHE_SIZE = 5000;
const MAX_CACHED_LENGTH = 20_000;
const cache = new LruCache<string, Compiled>(CACHE_SIZE);

export function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/**
 * The range of the expression of a whole value: the trimmed text starts with `${{`, ends with `}}`
 * and holds no other `}}`. Null when the text is not a whole value.
 */
export function wholeValueRange(text: string): Range | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('${{') || !trimmed.endsWith('}}') || trimmed.length < 5) return null;
  const lead = text.length - text.trimStart().length;
  let start = lead + 3;
  let end = lead + trimmed.length - 2;
  if (text.slice(start, end).includes('}}')) return null;
  if (text[start] === '-') start++;
  if (end > start && text[end - 1] === '-') end--;
  return [start, end];
}

const FORBIDDEN_TAGS = ['include', 'render', 'layout', 'block', 'tablerow'];

interface LiquidLikeError {
  message: string;
  token?: { begin?: number; input?: string };
  originalError?: Error;
}

function describe(message: string): string {
  const m = /^tag "?([^"\s]+)"? not found$/.exec(message);
  const filter = /^undefined filter: (.+)$/.exec(message);
  if (filter) return `unknown filter "${filter[1]}"`;
  if (m) return FORBIDDEN_TAGS.includes(m[1]) ? `tag "${m[1]}" is not allowed` : `unknown tag "${m[1]}"`;
  if (message === 'parse length limit exceeded') return `${message} (${LIMITS.parseLimit} characters)`;
  if (message === 'template render limit exceeded') return `${message} (${LIMITS.renderLimit} ms)`;
  if (message === 'memory alloc limit exceeded') return `${message} (${LIMITS.memoryLimit})`;
  return message;
}

/**
 * Any error of LiquidJS (or of a filter) → TemplateError. `map` brings offsets of a rewritten text back;
 * `fallback` is the offset used when the error carries no token of `text`.
 */
export function toTemplateError(
  error: unknown,
  kind: 'syntax' | 'render',
  text: string,
  source: string,
  map: OffsetMap | null,
  fallback?: number,
): TemplateError {
  if (error instanceof TemplateError) return error;
  const e = (error ?? {}) as LiquidLikeError;
  const root = e.originalError ?? e;
  const raw = String(root.message ?? error).replace(/(, file:[^,]*)?, line:\d+, col:\d+$/, '');
  const isLimit = /limit exceeded$/.test(raw);
  let offset = fallback;
  if (e.token && typeof e.token.begin === 'number' && e.token.input === source) {
    offset = map ? map.toSource(e.token.begin) : e.token.begin;
  }
  const filter = /^undefined filter: (.+)$/.exec(raw);
  if (filter && offset !== undefined) {
    // point at the filter's name rather than at the start of the output
    const at = text.indexOf(filter[1], offset);
    if (at >= 0) offset = at;
  }
  return templateError(isLimit ? 'limit' : kind, describe(raw), text, offset);
}

function valueOf(text: string, [start, end]: Range): Value {
  if (start === end) throw new TemplateSyntaxIssue('empty expression', start);
  const tokenizer = new Tokenizer(text, liquid.options.operators, undefined, [start, end], liquid.options.groupedExpressions);
  try {
    return new Value(tokenizer.readFilteredValue(), liquid);
  } catch (e) {
    throw toTemplateError(e, 'syntax', text, text, null, start);
  }
}

/** Throws on a quote opened in text[start, end) and not closed there. */
function checkQuotes(text: string, start: number, end: number): void {
  for (let p = start; p < end; p++) {
    const ch = text[p];
    if (ch !== '"' && ch !== "'") continue;
    const after = skipQuoted(text, p);
    if (after > end || text[after - 1] !== ch || after === p + 1) throw new TemplateSyntaxIssue('unterminated string', p);
    p = after - 1;
  }
}

function compileWhole(text: string, range: Range): Compiled {
  const expr = trimRange(text, range[0], range[1]);
  checkQuotes(text, expr[0], expr[1]);
  const t = findTernary(text, expr[0], expr[1]);
  if (!t) return { kind: 'whole', cond: null, then: valueOf(text, expr), otherwise: null, offset: expr[0] };
  return {
    kind: 'whole',
    cond: valueOf(text, t.cond),
    then: valueOf(text, t.then),
    otherwise: valueOf(text, t.otherwise),
    offset: expr[0],
  };
}

/**
 * Kibana's `${{ expr }}` inside a longer string (`"/{{ consts.index }}/_doc/${{ foreach.item.sha }}"`)
 * is read as `{{ expr }}`: the value inserted as text. `${{` becomes `{{ ` (`${{-` becomes `{{- `),
 * the same length, so every offset still points into the original text.
 */
export function dollarOutputs(text: string, segments: Segment[] = scanTemplate(text)): number[] {
  const out: number[] = [];
  for (const seg of segments) if (seg.type === 'output' && !seg.comment && seg.start > 0 && text[seg.start - 1] === '$') out.push(seg.start - 1);
  return out;
}

function readDollarsAsText(text: string): string {
  const at = dollarOutputs(text);
  if (at.length === 0) return text;
  let out = '';
  let from = 0;
  for (const d of at) {
    const trim = text[d + 3] === '-';
    out += text.slice(from, d) + (trim ? '{{- ' : '{{ ');
    from = d + (trim ? 4 : 3);
  }
  return out + text.slice(from);
}

function compileLiquid(original: string): Compiled {
  const text = readDollarsAsText(original);
  const segments = scanTemplate(text);
  const { text: source, map } = rewriteTernaries(text, segments);
  let templates: Template[];
  try {
    templates = liquid.parse(source);
  } catch (e) {
    throw toTemplateError(e, 'syntax', original, source, map, 0);
  }
  return { kind: 'text', templates, single: isSingleOutput(text, segments), source, map };
}

function compileUncached(text: string): Compiled {
  if (!isTemplate(text)) return STATIC;
  if (text.length > LIMITS.parseLimit) {
    return { kind: 'error', error: templateError('limit', describe('parse length limit exceeded'), text) };
  }
  try {
    const whole = wholeValueRange(text);
    return whole ? compileWhole(text, whole) : compileLiquid(text);
  } catch (e) {
    if (e instanceof TemplateSyntaxIssue) return { kind: 'error', error: templateError('syntax', e.message, text, e.offset) };
    if (e instanceof TemplateError) return { kind: 'error', error: e };
    return { kind: 'error', error: toTemplateError(e, 'syntax', text, text, null, 0) };
  }
}

/** The compiled template, parsed once per distinct text (LRU of a few thousand entries). */
export function compile(text: string): Compiled {
  const hit = cache.get(text);
  if (hit) return hit;
  const compiled = compileUncached(text);
  if (text.length <= MAX_CACHED_LENGTH) cache.set(text, compiled);
  return compiled;
}

/** For tests and benchmarks: how many templates are cached; clears the cache when asked. */
export function templateCache(clear = false): number {
  if (clear) cache.clear();
  return cache.size;
}
