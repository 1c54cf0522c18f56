/**
 * Evaluation of a parsed condition against data. Paths cross arrays (the rest of the path applies to each
 * element, true when any reached value matches); a missing field matches nothing.
 */
import { KqlNode, PathSegment, Pattern } from './ast';
import { asNumber, asTime } from './values';

const hasOwn = Object.prototype.hasOwnProperty;

function collect(value: unknown, path: PathSegment[], i: number, out: unknown[]): void {
  if (Array.isArray(value)) {
    const seg = path[i];
    if (i < path.length && seg.index !== null) {
      if (seg.index < value.length) collect(value[seg.index], path, i + 1, out);
      return;
    }
    for (const item of value) collect(item, path, i, out);
    return;
  }
  if (i === path.length) {
    if (value !== undefined) out.push(value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const key = path[i].key;
  if (hasOwn.call(value, key)) collect((value as Record<string, unknown>)[key], path, i + 1, out);
}

/** The values a path reaches in data (arrays crossed and flattened; missing values left out). */
export function resolvePath(data: unknown, path: PathSegment[]): unknown[] {
  const out: unknown[] = [];
  if (path.length === 0) return out;
  collect(data, path, 0, out);
  return out;
}

function scalarText(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return value instanceof Date ? value.toISOString() : null;
  }
}

function matches(value: unknown, pattern: Pattern): boolean {
  if (pattern.kind === 'exists') return value !== null && value !== undefined;
  const text = scalarText(value);
  if (text === null) return false;
  return pattern.kind === 'exact' ? text === pattern.text : pattern.glob.matches(text);
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    default:
      return a <= b;
  }
}

function inRange(value: unknown, node: Extract<KqlNode, { type: 'range' }>): boolean {
  if (node.number !== null && typeof value !== 'boolean') {
    const n = asNumber(value);
    if (n !== null) return compare(n, node.op, node.number);
  }
  if (node.time !== null) {
    const t = asTime(value);
    if (t !== null) return compare(t, node.op, node.time);
  }
  return false;
}

export function evaluateKql(node: KqlNode, data: unknown): boolean {
  switch (node.type) {
    case 'and':
      return node.children.every((child) => evaluateKql(child, data));
    case 'or':
      return node.children.some((child) => evaluateKql(child, data));
    case 'not':
      return !evaluateKql(node.child, data);
    case 'match':
      return resolvePath(data, node.path).some((value) => matches(value, node.pattern));
    case 'range':
      return resolvePath(data, node.path).some((value) => inRange(value, node));
  }
}
