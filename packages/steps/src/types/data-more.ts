/**
 * Kibana's data steps beyond data.set/map/filter/parseJson/stringifyJson: data.aggregate, data.concat,
 * data.dedupe, data.find, data.regexExtract and data.regexReplace (docs/workflows.md). Parameter names
 * and output shapes are Kibana's. All are instant (no I/O) and bounded: at most MAX_ITEMS items (as
 * data.map/data.filter), and regular expressions run on RE2, in time linear in the input.
 */
import RE2 from 're2';
import { evaluateCondition } from '@flowgate/condition';
import { StepError, toStepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { renderBudget } from '@flowgate/template';
import { flagsProblem, MAX_PATTERN_LENGTH, scanRegex } from '@flowgate/workflow-format';
import { arrayValue } from '../array-value';
import { MAX_ITEMS } from './basic';
import type { StepServices } from './services';

type T = StepType<StepServices>;
type Row = Record<string, unknown>;

/** A string a regular expression reads is at most this long (Kibana's limit) ... */
export const MAX_REGEX_INPUT = 100_000;
/** ... and all the strings of one step together at most this long: RE2 is linear, so this bounds its time. */
export const MAX_REGEX_TOTAL = 10_000_000;
/** data.concat takes at most this many arrays (Kibana's limit). */
export const MAX_CONCAT_ARRAYS = 50;

const fail = (ctx: StepRunContext, message: string): StepError => new StepError('validation_error', `${ctx.step.type}: ${message}`);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the text ${JSON.stringify(value.slice(0, 100))}` : typeof value;
}

/** The step's `items`: an array (or JSON text of one) of at most MAX_ITEMS. */
function itemsOf(ctx: StepRunContext): unknown[] {
  const items = arrayValue(ctx.params.items, `${ctx.step.type}: items`);
  if (items.length > MAX_ITEMS) throw fail(ctx, `${items.length} items, at most ${MAX_ITEMS}`);
  return items;
}

/** A boolean parameter (a literal, or a template rendered to true/false); `fallback` when absent. */
function flag(ctx: StepRunContext, value: unknown, where: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw fail(ctx, `${where} must be true or false, got ${describe(value)}`);
}

/** A list of field names: a non-empty array of non-empty strings (or, where `single`, one string). */
function fieldList(ctx: StepRunContext, value: unknown, where: string, single = false): string[] {
  const list = single && typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => typeof f === 'string' && f !== '')) {
    throw fail(ctx, `${where} must be a non-empty list of field names, got ${describe(value)}`);
  }
  return list as string[];
}

/**
 * The value at a field of an item: a key holding the whole name first (a flattened document's
 * "host.name"), else the dotted path (`host.name` → item.host.name). Missing → undefined.
 */
export function fieldValue(item: unknown, field: string): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  if (Object.prototype.hasOwnProperty.call(item, field)) return (item as Row)[field];
  let current: unknown = item;
  for (const part of field.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Row)[part];
  }
  return current;
}

/** JSON with object keys sorted: equal values (deep, whatever the key order) give equal text. */
export function stableKey(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableKey(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((k) => (value as Row)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey((value as Row)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/* ---------- data.aggregate ---------- */

type Operation = 'count' | 'sum' | 'avg' | 'min' | 'max';
interface Metric {
  name: string;
  operation: Operation;
  field?: string;
}
interface Range {
  from?: number;
  to?: number;
  label: string;
}

const OPERATIONS: readonly string[] = ['count', 'sum', 'avg', 'min', 'max'];

function metricsOf(ctx: StepRunContext, value: unknown, groupBy: string[]): Metric[] {
  if (!Array.isArray(value) || value.length === 0) throw fail(ctx, `with.metrics must be a non-empty list of {name, operation, field}, got ${describe(value)}`);
  const names = new Set<string>();
  return value.map((m, i) => {
    const where = `with.metrics[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw fail(ctx, `${where} must be {name, operation, field}, got ${describe(m)}`);
    const { name, operation, field } = m as Row;
    if (typeof name !== 'string' || name === '') throw fail(ctx, `${where}.name must be a non-empty string`);
    if (names.has(name)) throw fail(ctx, `${where}.name: metric name "${name}" is used twice`);
    if (groupBy.includes(name) || name === '_bucket') throw fail(ctx, `${where}.name: "${name}" is also a key of each row`);
    names.add(name);
    if (typeof operation !== 'string' || !OPERATIONS.includes(operation)) throw fail(ctx, `${where}.operation must be one of ${OPERATIONS.join(', ')}, got ${describe(operation)}`);
    if (operation !== 'count' && (typeof field !== 'string' || field === '')) throw fail(ctx, `${where}.field is required by operation "${operation}" (only count takes none)`);
    return { name, operation: operation as Operation, ...(typeof field === 'string' && field !== '' ? { field } : {}) };
  });
}

function rangesOf(ctx: StepRunContext, value: unknown): { field: string; ranges: Range[] } | undefined {
  if (value === undefined || value === null) return undefined;
  const b = value as Row;
  if (typeof value !== 'object' || Array.isArray(value) || typeof b.field !== 'string' || !Array.isArray(b.ranges) || b.ranges.length === 0) {
    throw fail(ctx, `with.buckets must be {field, ranges: [{from, to, label}]}, got ${describe(value)}`);
  }
  const ranges = b.ranges.map((r: unknown, i: number): Range => {
    const { from, to, label } = (r ?? {}) as Row;
    const num = (v: unknown, k: string) => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(ctx, `with.buckets.ranges[${i}].${k} must be a number, got ${describe(v)}`);
      return v;
    };
    const f = num(from, 'from');
    const t = num(to, 'to');
    if (f !== undefined && t !== undefined && f >= t) throw fail(ctx, `with.buckets.ranges[${i}]: from (${f}) must be less than to (${t})`);
    if (label !== undefined && label !== null && typeof label !== 'string') throw fail(ctx, `with.buckets.ranges[${i}].label must be a string`);
    const name = typeof label === 'string' && label !== '' ? label : f !== undefined && t !== undefined ? `${f}-${t}` : f !== undefined ? `${f}+` : t !== undefined ? `<${t}` : '*';
    return { ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}), label: name };
  });
  return { field: b.field, ranges };
}

function compute(items: unknown[], metric: Metric): number | null {
  if (metric.operation === 'count') return items.length;
  let n = 0;
  let acc = 0;
  for (const item of items) {
    const v = fieldValue(item, metric.field!);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (n === 0) acc = v;
    else if (metric.operation === 'min') acc = Math.min(acc, v);
    else if (metric.operation === 'max') acc = Math.max(acc, v);
    else acc += v;
    n++;
  }
  if (n === 0) return null;
  return metric.operation === 'avg' ? acc / n : acc;
}

function compare(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const as = typeof a === 'string' ? a : stableKey(a);
  const bs = typeof b === 'string' ? b : stableKey(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/**
 * data.aggregate: groups `items` by the `group_by` fields (and, with `buckets`, by the numeric range
 * a field falls in: `_bucket`, items in no range left out), and computes `metrics` per group.
 * Output: one row per group, in order of first appearance or by `order_by`/`order`, at most `limit`:
 * `{ <group_by field>: value, ..., _bucket?, <metric name>: number | null }`.
 */
export const dataAggregate: T = {
  type: 'data.aggregate',
  instant: true,
  async run(ctx) {
    const w = ctx.input;
    const items = itemsOf(ctx);
    const groupBy = fieldList(ctx, w.group_by, 'with.group_by', true);
    const metrics = metricsOf(ctx, w.metrics, groupBy);
    const buckets = rangesOf(ctx, w.buckets);
    const order = w.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw fail(ctx, `with.order must be asc or desc, got ${describe(order)}`);
    const orderBy = w.order_by;
    const keys = [...groupBy, ...(buckets ? ['_bucket'] : []), ...metrics.map((m) => m.name)];
    if (orderBy !== undefined && (typeof orderBy !== 'string' || !keys.includes(orderBy))) {
      throw fail(ctx, `with.order_by must be one of ${keys.map((k) => JSON.stringify(k)).join(', ')}, got ${describe(orderBy)}`);
    }
    const limit = w.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) throw fail(ctx, `with.limit must be a whole number of at least 1, got ${describe(limit)}`);

    const groups = new Map<string, { row: Row; items: unknown[] }>();
    for (const item of items) {
      const row: Row = {};
      for (const field of groupBy) row[field] = fieldValue(item, field) ?? null;
      if (buckets) {
        const v = fieldValue(item, buckets.field);
        const range = typeof v === 'number' ? buckets.ranges.find((r) => (r.from === undefined || v >= r.from) && (r.to === undefined || v < r.to)) : undefined;
        if (!range) continue;
        row._bucket = range.label;
      }
      const key = stableKey(Object.values(row));
      const group = groups.get(key);
      if (group) group.items.push(item);
      else groups.set(key, { row, items: [item] });
    }
    let rows = [...groups.values()].map(({ row, items: members }) => {
      for (const metric of metrics) row[metric.name] = compute(members, metric);
      return row;
    });
    if (typeof orderBy === 'string') {
      const sign = order === 'desc' ? -1 : 1;
      rows = rows.map((row, i) => ({ row, i })).sort((a, b) => {
        const c = compare(a.row[orderBy], b.row[orderBy]);
        // nulls last either way; ties keep their order
        if (c !== 0) return a.row[orderBy] == null || b.row[orderBy] == null ? c : sign * c;
        return a.i - b.i;
      }).map(({ row }) => row);
    }
    if (typeof limit === 'number') rows = rows.slice(0, limit);
    return { kind: 'output', output: rows };
  },
};

/* ---------- data.concat ---------- */

function* flattened(list: unknown[], depth: number): Generator<unknown> {
  for (const v of list) {
    if (depth > 0 && Array.isArray(v)) yield* flattened(v, depth - 1);
    else yield v;
  }
}

/**
 * data.concat: the step-level `arrays` (1 to 50, each an array, JSON text of one, or null for
 * none) joined in order; `flatten` (true = one level, or 1-10 levels), then `dedupe` (deep
 * equality, the first kept). Output: the array, at most MAX_ITEMS items.
 */
export const dataConcat: T = {
  type: 'data.concat',
  instant: true,
  async run(ctx) {
    const arrays = ctx.params.arrays;
    if (!Array.isArray(arrays) || arrays.length === 0) throw fail(ctx, `arrays must be a non-empty list of arrays, got ${describe(arrays)}`);
    if (arrays.length > MAX_CONCAT_ARRAYS) throw fail(ctx, `arrays: ${arrays.length} arrays, at most ${MAX_CONCAT_ARRAYS}`);
    const dedupe = flag(ctx, ctx.input.dedupe, 'with.dedupe');
    const f = ctx.input.flatten ?? false;
    let depth: number;
    if (f === true || f === 'true') depth = 1;
    else if (f === false || f === 'false') depth = 0;
    else if (typeof f === 'number' && Number.isInteger(f) && f >= 1 && f <= 10) depth = f;
    else throw fail(ctx, `with.flatten must be true, false or a depth from 1 to 10, got ${describe(f)}`);
    const seen = dedupe ? new Set<string>() : undefined;
    const out: unknown[] = [];
    let count = 0;
    arrays.forEach((entry, i) => {
      const list = entry === null || entry === undefined ? [] : arrayValue(entry, `${ctx.step.type}: arrays[${i}]`);
      for (const item of flattened(list, depth)) {
        if (++count > MAX_ITEMS) throw fail(ctx, `more than ${MAX_ITEMS} items in all`);
        if (seen) {
          const key = stableKey(item);
          if (seen.has(key)) continue;
          seen.add(key);
        }
        out.push(item);
      }
    });
    return { kind: 'output', output: out };
  },
};

/* ---------- data.dedupe ---------- */

/**
 * data.dedupe: one item per distinct value of the `keys` fields (deep equality; an item that is not
 * an object is its own key; a missing field counts as null). `strategy` keep_first (default) keeps the first item of each; keep_last
 * the last one, at the place where the first was (as Kibana does). Output: the array.
 */
export const dataDedupe: T = {
  type: 'data.dedupe',
  instant: true,
  async run(ctx) {
    const items = itemsOf(ctx);
    const keys = fieldList(ctx, ctx.input.keys, 'with.keys');
    const strategy = ctx.params.strategy ?? 'keep_first';
    if (strategy !== 'keep_first' && strategy !== 'keep_last') throw fail(ctx, `strategy must be keep_first or keep_last, got ${describe(strategy)}`);
    const kept = new Map<string, unknown>();
    for (const item of items) {
      const key = typeof item === 'object' && item !== null && !Array.isArray(item) ? stableKey(keys.map((k) => fieldValue(item, k))) : `=${stableKey(item)}`;
      if (strategy === 'keep_last' || !kept.has(key)) kept.set(key, item);
    }
    return { kind: 'output', output: [...kept.values()] };
  },
};

/* ---------- data.find ---------- */

/**
 * data.find: the first item for which `with.condition` (KQL against `{ item, index }` and the context,
 * as data.filter) is true. Output `{ item, index }`, or `{ item: null, index: null }` when none is,
 * unless `errorIfEmpty` is set: then the step fails.
 */
export const dataFind: T = {
  type: 'data.find',
  instant: true,
  async run(ctx) {
    const condition = ctx.step.with?.condition;
    if (typeof condition !== 'string' && typeof condition !== 'boolean') {
      throw fail(ctx, `with.condition must be a condition (text or a boolean), not ${describe(condition)}`);
    }
    const errorIfEmpty = flag(ctx, ctx.input.errorIfEmpty, 'with.errorIfEmpty');
    const items = itemsOf(ctx);
    const budget = renderBudget();
    try {
      for (let index = 0; index < items.length; index++) {
        if (evaluateCondition(condition, { ...ctx.context, item: items[index], index }, budget)) {
          return { kind: 'output', output: { item: items[index] ?? null, index } };
        }
      }
    } catch (err) {
      throw toStepError(err); // a ConditionError or a TemplateError
    }
    if (errorIfEmpty) throw new StepError('step_error', `data.find: no item of ${items.length} matches the condition (errorIfEmpty is set)`);
    return { kind: 'output', output: { item: null, index: null } };
  },
};

/* ---------- regular expressions ---------- */

/** Compiles `with.pattern` and `with.flags` with RE2; any problem is a validation_error naming the field. */
function compile(ctx: StepRunContext, forceGlobal = false): { re: RE2; global: boolean } {
  const { pattern, flags = '' } = ctx.input;
  if (typeof pattern !== 'string') throw fail(ctx, `with.pattern must be a string, got ${describe(pattern)}`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw fail(ctx, `with.pattern is ${pattern.length} characters, at most ${MAX_PATTERN_LENGTH}`);
  if (typeof flags !== 'string') throw fail(ctx, `with.flags must be a string, got ${describe(flags)}`);
  const flagIssue = flagsProblem(flags);
  if (flagIssue) throw fail(ctx, `with.flags: ${flagIssue}`);
  const scan = scanRegex(pattern);
  if (scan.problem) throw fail(ctx, `with.pattern: invalid regular expression: ${scan.problem}`);
  const global = flags.includes('g');
  try {
    return { re: new RE2(pattern, forceGlobal && !global ? `${flags}g` : flags), global };
  } catch (err) {
    throw fail(ctx, `with.pattern: invalid regular expression: ${(err as Error).message}`);
  }
}

/** `source`: one string, or a list of them (at most MAX_ITEMS); `single` when it was one string. */
function sourceOf(ctx: StepRunContext): { list: unknown[]; single: boolean } {
  const source = ctx.params.source;
  if (typeof source === 'string') return { list: [source], single: true };
  if (!Array.isArray(source)) throw fail(ctx, `source must be a string or a list of strings, got ${describe(source)}`);
  if (source.length > MAX_ITEMS) throw fail(ctx, `source: ${source.length} items, at most ${MAX_ITEMS}`);
  return { list: source, single: false };
}

/** Checks each string's length and the total (RE2's time is linear in it). */
function checkLengths(ctx: StepRunContext, list: unknown[]): void {
  let total = 0;
  list.forEach((s, i) => {
    if (typeof s !== 'string') return;
    if (s.length > MAX_REGEX_INPUT) throw fail(ctx, `source${list.length > 1 || Array.isArray(ctx.params.source) ? `[${i}]` : ''} is ${s.length} characters, at most ${MAX_REGEX_INPUT}`);
    total += s.length;
  });
  if (total > MAX_REGEX_TOTAL) throw fail(ctx, `source holds ${total} characters in all, at most ${MAX_REGEX_TOTAL}`);
}

/**
 * data.regexExtract: matches `with.pattern` against `source` (a string, or each string of a list)
 * and builds `{ <field>: group }` from `with.fields` (`"$1"` by number, `"$0"` the whole match, or a
 * group name); a group that did not take part is null. The first match of each string (with or
 * without `g`, as in Kibana). Output: the object, or null when the string does not match; for a
 * list, a list of those (null for an item that is not a string). `errorIfNoMatch` fails the step instead.
 */
export const dataRegexExtract: T = {
  type: 'data.regexExtract',
  instant: true,
  async run(ctx) {
    const fields = ctx.input.fields;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.keys(fields).length === 0) {
      throw fail(ctx, `with.fields must map output fields to groups ("$1" or a group name), got ${describe(fields)}`);
    }
    const refs = Object.entries(fields as Row).map(([name, group]) => {
      if (typeof group !== 'string' || group === '') throw fail(ctx, `with.fields.${name} must be "$<number>" or a group name, got ${describe(group)}`);
      const n = /^\$(\d+)$/.exec(group);
      if (!n && group.startsWith('$')) throw fail(ctx, `with.fields.${name} must be "$<number>" or a group name, got ${describe(group)}`);
      return { name, index: n ? Number(n[1]) : undefined, group };
    });
    const errorIfNoMatch = flag(ctx, ctx.params.errorIfNoMatch, 'errorIfNoMatch');
    const { re } = compile(ctx);
    const { list, single } = sourceOf(ctx);
    checkLengths(ctx, list);
    const out = list.map((text, i) => {
      if (typeof text !== 'string') return null;
      re.lastIndex = 0;
      const match = re.exec(text);
      if (!match) {
        if (errorIfNoMatch) throw new StepError('step_error', `data.regexExtract: the pattern does not match source${single ? '' : `[${i}]`} (errorIfNoMatch is set)`);
        return null;
      }
      const row: Row = {};
      for (const r of refs) row[r.name] = (r.index !== undefined ? match[r.index] : match.groups?.[r.group]) ?? null;
      return row;
    });
    return { kind: 'output', output: single ? out[0] : out };
  },
};

/** Expands a JavaScript replacement string ($$, $&, $`, $', $n, $nn, $<name>) for one match. */
function expand(replacement: string, match: string, groups: (string | undefined)[], offset: number, input: string, named: Row | undefined): string {
  if (!replacement.includes('$')) return replacement;
  return replacement.replace(/\$(\$|&|`|'|\d{1,2}|<([^>]*)>)/g, (whole, token: string, name: string | undefined) => {
    if (token === '$') return '$';
    if (token === '&') return match;
    if (token === '`') return input.slice(0, offset);
    if (token === "'") return input.slice(offset + match.length);
    if (name !== undefined) return named ? String(named[name] ?? '') : whole;
    // $nn when there are that many groups, else $n followed by a digit, else literal (as String.prototype.replace)
    const two = Number(token);
    if (token.length === 2 && two >= 1 && two <= groups.length) return groups[two - 1] ?? '';
    const one = Number(token[0]);
    if (one >= 1 && one <= groups.length) return (groups[one - 1] ?? '') + token.slice(1);
    return whole;
  });
}

/**
 * data.regexReplace: replaces matches of `with.pattern` in `source` (a string, or each string of a
 * list; other items are left as they are) by `with.replacement` ($1, $<name>, $&, $$ as in
 * JavaScript): the first match of each string, or every match with the `g` flag. Output: the new
 * string (or list); with `detailed`, `{ original, replaced, matchCount }`. The result may not grow
 * past the step's max-step-size.
 */
export const dataRegexReplace: T = {
  type: 'data.regexReplace',
  instant: true,
  async run(ctx) {
    const replacement = ctx.input.replacement;
    if (typeof replacement !== 'string') throw fail(ctx, `with.replacement must be a string, got ${describe(replacement)}`);
    const detailed = flag(ctx, ctx.params.detailed, 'detailed');
    const { re } = compile(ctx);
    const { list, single } = sourceOf(ctx);
    checkLengths(ctx, list);
    let matchCount = 0;
    let size = 0;
    const replaced = list.map((text) => {
      if (typeof text !== 'string') return text;
      re.lastIndex = 0;
      const result = text.replace(re, (match: string, ...rest: unknown[]) => {
        const hasNamed = typeof rest[rest.length - 1] === 'object' && rest[rest.length - 1] !== null;
        const named = hasNamed ? (rest.pop() as Row) : undefined;
        const input = rest.pop() as string;
        const offset = rest.pop() as number;
        const piece = expand(replacement, match, rest as (string | undefined)[], offset, input, named);
        matchCount++;
        size += piece.length - match.length;
        if (size > ctx.maxStepSize) throw new StepError('size_exceeded', `${ctx.step.type}: the replaced text would grow past max-step-size (${ctx.maxStepSize} bytes)`);
        return piece;
      });
      size += text.length;
      if (size > ctx.maxStepSize) throw new StepError('size_exceeded', `${ctx.step.type}: the replaced text is over max-step-size (${ctx.maxStepSize} bytes)`);
      return result;
    });
    const value = single ? replaced[0] : replaced;
    const output = detailed ? { original: single ? list[0] : list, replaced: value, matchCount } : value;
    return { kind: 'output', output };
  },
};

export const moreDataStepTypes: T[] = [dataAggregate, dataConcat, dataDedupe, dataFind, dataRegexExtract, dataRegexReplace];
