/**
 * Tokens of the KQL subset. Lexing depends on position: after `:` or a comparison a value follows, which
 * runs until whitespace or `)` (so `2026-01-01T00:00:00Z` and `x-y.z` need no quotes); inside a value list
 * `( ... )` every word is a value; elsewhere words are field names or the keywords and/or/not.
 */
import { conditionError } from './errors';

export type TokenType = 'lparen' | 'rparen' | 'colon' | 'cmp' | 'and' | 'or' | 'not' | 'word' | 'string' | 'eof';

export interface Token {
  type: TokenType;
  /** 0-based offset of the token in the condition */
  start: number;
  /** the source text of the token */
  raw: string;
  /** words and strings: the value with escapes resolved */
  value: string;
  /** unquoted words with an unescaped `*`: the literal parts between the stars (escapes resolved) */
  wildcard: string[] | null;
}

const KEYWORDS: Record<string, TokenType> = { and: 'and', or: 'or', not: 'not' };
const FIELD_STOP = new Set([':', '(', ')', '<', '>', '"']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0';
}

const QUOTED_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r' };

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let mode: 'expr' | 'value' | 'list' = 'expr';
  let listDepth = 0;

  const push = (type: TokenType, start: number, value = '', wildcard: string[] | null = null) => {
    tokens.push({ type, start, raw: text.slice(start, i), value, wildcard });
  };

  while (true) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    const start = i;
    const ch = text[i];

    if (ch === '(') {
      i++;
      push('lparen', start);
      if (mode === 'value') {
        mode = 'list';
        listDepth = 1;
      } else if (mode === 'list') {
        listDepth++;
      }
      continue;
    }
    if (ch === ')') {
      i++;
      push('rparen', start);
      if (mode === 'list' && --listDepth === 0) mode = 'expr';
      else if (mode === 'value') mode = 'expr';
      continue;
    }
    if (ch === '"') {
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '"') {
          i++;
          closed = true;
          break;
        }
        if (c === '\\' && i + 1 < n) {
          const next = text[i + 1];
          const mapped = QUOTED_ESCAPES[next];
          value += mapped ?? `\\${next}`;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (!closed) throw conditionError(text, start, 'unterminated quoted string');
      push('string', start, value);
      if (mode === 'value') mode = 'expr';
      continue;
    }
    if (mode === 'expr' && ch === ':') {
      i++;
      push('colon', start);
      mode = 'value';
      continue;
    }
    if (mode === 'expr' && (ch === '<' || ch === '>')) {
      i += text[i + 1] === '=' ? 2 : 1;
      push('cmp', start);
      mode = 'value';
      continue;
    }

    // a word: a field name or keyword (expr mode), a value (value and list modes)
    let value = '';
    const parts = [''];
    while (i < n) {
      const c = text[i];
      if (isSpace(c) || c === ')') break;
      if (mode === 'expr' && FIELD_STOP.has(c)) break;
      if (mode === 'expr' && c === '[') {
        // a bracketed key is part of the field, spaces and quotes included: `steps['open ticket'].output`
        const end = bracketEnd(text, i);
        value += text.slice(i, end);
        parts[parts.length - 1] += text.slice(i, end);
        i = end;
        continue;
      }
      if (mode === 'list' && c === '(') break;
      if (c === '\\' && i + 1 < n) {
        const next = text[i + 1];
        value += next;
        parts[parts.length - 1] += next;
        i += 2;
        continue;
      }
      if (c === '*' && mode !== 'expr') {
        value += c;
        parts.push('');
        i++;
        continue;
      }
      value += c;
      parts[parts.length - 1] += c;
      i++;
    }
    const keyword = KEYWORDS[text.slice(start, i).toLowerCase()];
    if (keyword) {
      push(keyword, start);
    } else {
      push('word', start, value, parts.length > 1 ? parts : null);
    }
    if (mode === 'value') mode = 'expr';
  }
  tokens.push({ type: 'eof', start: n, raw: '', value: '', wildcard: null });
  return tokens;
}

/** The offset just after the `]` closing the bracket at `i` (quoted text inside skipped), or the end of the text. */
function bracketEnd(text: string, i: number): number {
  let p = i + 1;
  while (p < text.length) {
    const c = text[p];
    if (c === ']') return p + 1;
    if (c === '"' || c === "'") {
      p++;
      while (p < text.length && text[p] !== c) p += text[p] === '\\' ? 2 : 1;
    }
    p++;
  }
  return text.length;
}
