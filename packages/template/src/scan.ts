/**
 * Splits a template into text, `{{ }}` outputs and `{% %}` tags the way LiquidJS's tokenizer does
 * (outputs end at the first `}}` outside quotes, tags at the first `%}`, `{% raw %}` bodies are text),
 * so that the ternary rewrite, the whole-value checks and stepReferences see the same pieces as Liquid.
 */

export interface Segment {
  type: 'text' | 'output' | 'tag';
  /** offset of `{{`/`{%` (or of the text) */
  start: number;
  /** offset just after `}}`/`%}` (or the end of the text when unclosed) */
  end: number;
  /** the content between the delimiters, trim markers (`-`) excluded */
  contentStart: number;
  contentEnd: number;
  trimLeft: boolean;
  trimRight: boolean;
  /** tags: the tag name (`if`, `endraw`, `#`, ...) */
  name: string;
  /** true inside `{% comment %}` blocks and for `{% # %}` */
  comment: boolean;
  unclosed: boolean;
}

const TAG_NAME = /^\s*(#|[A-Za-z_][\w-]*)/;

/** The offset just after the quoted string starting at `i` (backslash escapes like LiquidJS). */
export function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  let escaped = false;
  let p = i + 1;
  while (p < text.length) {
    const ch = text[p++];
    if (ch === quote && !escaped) return p;
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
  }
  return p;
}

function delimited(text: string, type: 'output' | 'tag', start: number, end: number, unclosed: boolean): Segment {
  let contentStart = start + 2;
  let contentEnd = unclosed ? end : end - 2;
  if (contentEnd < contentStart) contentEnd = contentStart;
  const trimLeft = text[contentStart] === '-';
  if (trimLeft) contentStart++;
  const trimRight = !unclosed && contentEnd > contentStart && text[contentEnd - 1] === '-';
  if (trimRight) contentEnd--;
  let name = '';
  if (type === 'tag') {
    const m = TAG_NAME.exec(text.slice(contentStart, contentEnd));
    name = m ? m[1] : '';
  }
  return { type, start, end, contentStart, contentEnd, trimLeft, trimRight, name, comment: false, unclosed };
}

function textSegment(start: number, end: number): Segment {
  return { type: 'text', start, end, contentStart: start, contentEnd: end, trimLeft: false, trimRight: false, name: '', comment: false, unclosed: false };
}

export function scanTemplate(text: string): Segment[] {
  const out: Segment[] = [];
  const n = text.length;
  let i = 0;
  let commentDepth = 0;
  while (i < n) {
    const o = text.indexOf('{{', i);
    const t = text.indexOf('{%', i);
    const next = o < 0 ? t : t < 0 ? o : Math.min(o, t);
    if (next < 0) {
      out.push(textSegment(i, n));
      break;
    }
    if (next > i) out.push(textSegment(i, next));
    if (next === o) {
      let p = next + 2;
      let end = -1;
      while (p < n) {
        const ch = text[p];
        if (ch === '"' || ch === "'") {
          p = skipQuoted(text, p);
          continue;
        }
        if (ch === '}' && text[p + 1] === '}') {
          end = p + 2;
          break;
        }
        p++;
      }
      const seg = delimited(text, 'output', next, end < 0 ? n : end, end < 0);
      seg.comment = commentDepth > 0;
      out.push(seg);
      i = seg.end;
      continue;
    }
    const close = text.indexOf('%}', next + 2);
    const seg = delimited(text, 'tag', next, close < 0 ? n : close + 2, close < 0);
    i = seg.end;
    if (seg.name === 'comment') {
      seg.comment = commentDepth > 0;
      commentDepth++;
    } else if (seg.name === 'endcomment' && commentDepth > 0) {
      commentDepth--;
      seg.comment = commentDepth > 0;
    } else {
      seg.comment = commentDepth > 0 || seg.name === '#';
    }
    out.push(seg);
    if (seg.name === 'raw' && !seg.unclosed) {
      // everything up to {% endraw %} is text
      const re = /\{%-?\s*endraw\s*-?%\}/g;
      re.lastIndex = i;
      const m = re.exec(text);
      const bodyEnd = m ? m.index : n;
      if (bodyEnd > i) out.push(textSegment(i, bodyEnd));
      i = bodyEnd;
      if (m) {
        out.push(delimited(text, 'tag', m.index, m.index + m[0].length, false));
        i = m.index + m[0].length;
      }
    }
  }
  return out;
}

/** True when the text, trimmed, is exactly one `{{ expr }}` (and nothing else). */
export function isSingleOutput(text: string, segments: Segment[]): boolean {
  let outputs = 0;
  for (const s of segments) {
    if (s.type === 'text') {
      if (text.slice(s.start, s.end).trim() !== '') return false;
    } else if (s.type === 'tag') {
      return false;
    } else {
      outputs++;
    }
  }
  return outputs === 1;
}
