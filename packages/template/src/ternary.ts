/**
 * The ternary `{{ C ? A : B }}`: found outside quotes, rewritten to
 * `{% if C %}{{ A }}{% else %}{{ B }}{% endif %}`, with a map from rewritten offsets back to the original.
 */
import { Segment, skipQuoted } from './scan';

/** A syntax problem found before Liquid parses, at an offset of the original text. */
export class TemplateSyntaxIssue extends Error {
  constructor(message: string, public readonly offset: number) {
    super(message);
  }
}

export type Range = [start: number, end: number];

export interface Ternary {
  cond: Range;
  then: Range;
  otherwise: Range;
}

/** `| name` or `| name: x, key` just before a `:` makes it a filter argument colon, not the ternary's. */
function isFilterColon(before: string): boolean {
  if (/\|\s*[A-Za-z_][\w-]*\s*$/.test(before)) return true;
  return before.includes('|') && /,\s*[A-Za-z_][\w-]*\s*$/.test(before);
}

export function trimRange(text: string, start: number, end: number): Range {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return [start, end];
}

/**
 * Looks for `C ? A : B` in text[start, end). Quotes are respected; `?` is never valid Liquid outside quotes,
 * so a second one is a nested ternary. Returns null when there is no `?`.
 */
export function findTernary(text: string, start: number, end: number): Ternary | null {
  let q = -1;
  let colon = -1;
  let p = start;
  while (p < end) {
    const ch = text[p];
    if (ch === '"' || ch === "'") {
      p = skipQuoted(text, p);
      continue;
    }
    if (ch === '?') {
      if (q >= 0) throw new TemplateSyntaxIssue('nested ternaries are not allowed', p);
      q = p;
    } else if (ch === ':' && q >= 0 && colon < 0 && !isFilterColon(text.slice(q + 1, p))) {
      colon = p;
    }
    p++;
  }
  if (q < 0) return null;
  if (colon < 0) throw new TemplateSyntaxIssue('ternary "?" without ":"', q);
  const cond = trimRange(text, start, q);
  const then = trimRange(text, q + 1, colon);
  const otherwise = trimRange(text, colon + 1, end);
  if (cond[0] === cond[1]) throw new TemplateSyntaxIssue('ternary without a condition before "?"', q);
  if (then[0] === then[1]) throw new TemplateSyntaxIssue('ternary without a value between "?" and ":"', colon);
  if (otherwise[0] === otherwise[1]) throw new TemplateSyntaxIssue('ternary without a value after ":"', colon);
  return { cond, then, otherwise };
}

interface Span {
  out: number;
  src: number;
  len: number;
  verbatim: boolean;
}

/** Maps offsets of the rewritten text back to the original. */
export class OffsetMap {
  constructor(private readonly spans: Span[], private readonly sourceLength: number) {}

  toSource(offset: number): number {
    for (const s of this.spans) {
      if (offset >= s.out && offset < s.out + s.len) return s.verbatim ? s.src + (offset - s.out) : s.src;
    }
    return this.sourceLength;
  }
}

export interface Rewritten {
  text: string;
  map: OffsetMap | null;
}

/** Rewrites every ternary output (outside comments) of the template; unchanged text when there is none. */
export function rewriteTernaries(text: string, segments: Segment[]): Rewritten {
  const found: Array<[Segment, Ternary]> = [];
  for (const seg of segments) {
    if (seg.type !== 'output' || seg.comment || seg.unclosed) continue;
    const t = findTernary(text, seg.contentStart, seg.contentEnd);
    if (t) found.push([seg, t]);
  }
  if (found.length === 0) return { text, map: null };

  const parts: string[] = [];
  const spans: Span[] = [];
  let length = 0;
  const copy = (from: number, to: number) => {
    if (to <= from) return;
    parts.push(text.slice(from, to));
    spans.push({ out: length, src: from, len: to - from, verbatim: true });
    length += to - from;
  };
  const add = (s: string, src: number) => {
    parts.push(s);
    spans.push({ out: length, src, len: s.length, verbatim: false });
    length += s.length;
  };

  let at = 0;
  for (const [seg, t] of found) {
    copy(at, seg.start);
    add(`{%${seg.trimLeft ? '-' : ''} if `, seg.start);
    copy(t.cond[0], t.cond[1]);
    add(' %}{{ ', seg.start);
    copy(t.then[0], t.then[1]);
    add(' }}{% else %}{{ ', seg.start);
    copy(t.otherwise[0], t.otherwise[1]);
    add(` }}{% endif ${seg.trimRight ? '-' : ''}%}`, seg.start);
    at = seg.end;
  }
  copy(at, text.length);
  return { text: parts.join(''), map: new OffsetMap(spans, text.length) };
}
