/**
 * Recursive descent parser of the KQL subset (docs/workflows.md "Conditions"):
 *   query   := or EOF
 *   or      := and ("or" and)*            and := not ("and" not)*          not := "not" not | primary
 *   primary := "(" or ")" | FIELD ":" value-spec | FIELD (">"|">="|"<"|"<=") VALUE
 *   value-spec := "*" | VALUE | "(" list-or ")"      (a list is and/or/not/parentheses over values)
 * Keywords are case-insensitive. A list `field : (a or b)` becomes `field : a or field : b`.
 */
import { KqlNode, PathSegment, Pattern, RangeOp } from './ast';
import { conditionError, ConditionError } from './errors';
import { Glob } from './glob';
import { Token, TokenType, tokenize } from './lexer';
import { asNumber, asTime } from './values';

const DESCRIBE: Record<TokenType, string> = {
  lparen: '"("',
  rparen: '")"',
  colon: '":"',
  cmp: 'a comparison',
  and: '"and"',
  or: '"or"',
  not: '"not"',
  word: 'a word',
  string: 'a quoted string',
  eof: 'the end of the condition',
};

const PATH_PART = /\.?([^.[\]]+)|\[\s*(\d+)\s*\]|\[\s*(["'])((?:\\.|(?!\3).)*)\3\s*\]/y;

/** `alerts[0].host.name`, `alerts.0.host.name`, `labels["a.b"]` → segments; null when malformed. */
export function parsePath(field: string): PathSegment[] | null {
  const out: PathSegment[] = [];
  PATH_PART.lastIndex = 0;
  let at = 0;
  while (at < field.length) {
    PATH_PART.lastIndex = at;
    const m = PATH_PART.exec(field);
    if (!m) return null;
    if (m[1] !== undefined) {
      if (at === 0 && m[0].startsWith('.')) return null;
      if (at > 0 && !m[0].startsWith('.')) return null;
      out.push({ key: m[1], index: /^\d+$/.test(m[1]) ? Number(m[1]) : null });
    } else if (m[2] !== undefined) {
      out.push({ key: m[2], index: Number(m[2]) });
    } else {
      const key = m[4].replace(/\\(.)/g, '$1');
      out.push({ key, index: null });
    }
    at = PATH_PART.lastIndex;
  }
  return out.length ? out : null;
}

class Parser {
  private readonly tokens: Token[];
  private p = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parse(): KqlNode {
    if (this.peek().type === 'eof') throw this.fail(this.peek(), 'empty condition');
    const node = this.or();
    const t = this.peek();
    if (t.type !== 'eof') {
      throw this.fail(t, t.type === 'rparen' ? 'unexpected ")"' : `expected "and", "or" or the end of the condition, found ${this.found(t)}`);
    }
    return node;
  }

  private peek(): Token {
    return this.tokens[this.p];
  }

  private next(): Token {
    const t = this.tokens[this.p];
    if (t.type !== 'eof') this.p++;
    return t;
  }

  private found(t: Token): string {
    if (t.type === 'word' || t.type === 'string' || t.type === 'cmp') return JSON.stringify(t.raw);
    return DESCRIBE[t.type];
  }

  /** Errors at the end point at the last character of the condition. */
  private fail(t: Token, what: string): ConditionError {
    let offset = t.start;
    if (t.type === 'eof') {
      offset = this.text.trimEnd().length - 1;
      if (offset < 0) offset = 0;
    }
    return conditionError(this.text, offset, what);
  }

  private expect(type: TokenType, what: string): Token {
    const t = this.peek();
    if (t.type !== type) throw this.fail(t, `expected ${what}${t.type === 'eof' ? '' : `, found ${this.found(t)}`}`);
    return this.next();
  }

  private or(): KqlNode {
    const children = [this.and()];
    while (this.peek().type === 'or') {
      this.next();
      children.push(this.and());
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  }

  private and(): KqlNode {
    const children = [this.not()];
    while (this.peek().type === 'and') {
      this.next();
      children.push(this.not());
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  }

  private not(): KqlNode {
    if (this.peek().type === 'not') {
      this.next();
      return { type: 'not', child: this.not() };
    }
    return this.primary();
  }

  private primary(): KqlNode {
    const t = this.peek();
    if (t.type === 'lparen') {
      this.next();
      const node = this.or();
      this.expect('rparen', '")"');
      return node;
    }
    if (t.type !== 'word') {
      throw this.fail(t, `expected a field name${t.type === 'eof' ? '' : `, found ${this.found(t)}`}`);
    }
    this.next();
    const field = t.value;
    const path = parsePath(field);
    if (!path) throw this.fail(t, `invalid field path ${JSON.stringify(field)}`);

    const op = this.peek();
    if (op.type === 'colon') {
      this.next();
      if (this.peek().type === 'lparen') {
        this.next();
        const node = this.listOr(field, path);
        this.expect('rparen', '")"');
        return node;
      }
      return this.leaf(field, path);
    }
    if (op.type === 'cmp') {
      this.next();
      const v = this.peek();
      if (v.type !== 'word' && v.type !== 'string') {
        throw this.fail(v, `expected a value after ${JSON.stringify(op.raw)}${v.type === 'eof' ? '' : `, found ${this.found(v)}`}`);
      }
      this.next();
      return { type: 'range', field, path, op: op.raw as RangeOp, value: v.value, number: asNumber(v.value), time: asTime(v.value) };
    }
    throw this.fail(op, `expected ":" or a comparison (>, >=, <, <=) after ${JSON.stringify(field)}${op.type === 'eof' ? '' : `, found ${this.found(op)}`}`);
  }

  private listOr(field: string, path: PathSegment[]): KqlNode {
    const children = [this.listAnd(field, path)];
    while (this.peek().type === 'or') {
      this.next();
      children.push(this.listAnd(field, path));
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  }

  private listAnd(field: string, path: PathSegment[]): KqlNode {
    const children = [this.listNot(field, path)];
    while (this.peek().type === 'and') {
      this.next();
      children.push(this.listNot(field, path));
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  }

  private listNot(field: string, path: PathSegment[]): KqlNode {
    const t = this.peek();
    if (t.type === 'not') {
      this.next();
      return { type: 'not', child: this.listNot(field, path) };
    }
    if (t.type === 'lparen') {
      this.next();
      const node = this.listOr(field, path);
      this.expect('rparen', '")"');
      return node;
    }
    return this.leaf(field, path);
  }

  private leaf(field: string, path: PathSegment[]): KqlNode {
    const t = this.peek();
    let pattern: Pattern;
    if (t.type === 'string') {
      pattern = { kind: 'exact', text: t.value };
    } else if (t.type === 'word') {
      if (t.raw === '*') pattern = { kind: 'exists' };
      else if (t.wildcard) pattern = { kind: 'wildcard', text: t.value, glob: new Glob(t.wildcard) };
      else pattern = { kind: 'exact', text: t.value };
    } else {
      throw this.fail(t, `expected a value${t.type === 'eof' ? '' : `, found ${this.found(t)}`}`);
    }
    this.next();
    return { type: 'match', field, path, pattern };
  }
}

/** Parses a KQL condition; throws ConditionError naming the condition and the column. */
export function parseKql(text: string): KqlNode {
  return new Parser(text).parse();
}
