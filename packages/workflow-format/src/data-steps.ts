/**
 * Kibana's data steps beyond data.set/map/filter/parseJson/stringifyJson (docs/workflows.md):
 * data.aggregate, data.concat, data.dedupe, data.find, data.regexExtract, data.regexReplace.
 * Their `with` schemas, their step-level keys (`arrays`, `strategy`, `errorIfNoMatch`, `detailed`,
 * named as Kibana names them), which keys each type takes, and the checks the JSON Schema cannot
 * express (regular expressions, metric names, bucket ranges), run when the workflow is saved.
 *
 * Regular expressions run on RE2 (linear time, packages/steps): RE2 has no lookaround, no
 * backreferences and no atomic groups, so a pattern using them is an error when the workflow is saved.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
/** A value of `shape`, or a template string rendered at run time (then the shape is checked at run time). */
const tpl = (shape: Schema): Schema => ({ if: ref('templateString'), else: shape });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const closed = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: false,
});

/** The longest pattern accepted (Kibana's limit). */
export const MAX_PATTERN_LENGTH = 10_000;
/** data.concat takes at most this many arrays (Kibana's limit). */
export const MAX_CONCAT_ARRAYS = 50;
/** The regular-expression flags RE2 runs: d g i m s u y (`v`, unicode sets, is not supported). */
export const REGEX_FLAGS = 'dgimsuy';

export const DATA_STEP_TYPES = ['data.aggregate', 'data.concat', 'data.dedupe', 'data.find', 'data.regexExtract', 'data.regexReplace'] as const;

const fieldName: Schema = { type: 'string', minLength: 1, description: 'a field: a dotted path (host.name)' };
const pattern: Schema = { type: 'string', maxLength: MAX_PATTERN_LENGTH, description: 'an RE2 regular expression (no lookaround, no backreferences)' };
const flags: Schema = { type: 'string', description: `regular-expression flags, each of ${REGEX_FLAGS} at most once` };

export const dataStepWithSchemas: Record<string, Schema> = {
  'data.aggregate': closed(
    {
      group_by: tpl({ type: ['array', 'string'], minItems: 1, minLength: 1, items: fieldName, description: 'the fields to group by' }),
      metrics: tpl({
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['name', 'operation'],
          properties: { name: { type: 'string', minLength: 1 }, operation: { enum: ['count', 'sum', 'avg', 'min', 'max'] }, field: fieldName },
          additionalProperties: false,
          if: { properties: { operation: { const: 'count' } } },
          else: { required: ['field'] },
        },
      }),
      order: tpl({ enum: ['asc', 'desc'] }),
      order_by: { type: 'string', minLength: 1, description: 'a metric name or a group_by field' },
      limit: tpl({ type: 'integer', minimum: 1 }),
      buckets: closed(
        {
          field: fieldName,
          ranges: {
            type: 'array',
            minItems: 1,
            items: closed({ from: { type: 'number' }, to: { type: 'number' }, label: { type: 'string', minLength: 1 } }),
          },
        },
        ['field', 'ranges'],
      ),
    },
    ['group_by', 'metrics'],
  ),
  'data.concat': closed({ dedupe: tpl(bool), flatten: tpl({ type: ['boolean', 'integer'], minimum: 1, maximum: 10 }) }),
  'data.dedupe': closed({ keys: tpl({ type: 'array', minItems: 1, items: fieldName }) }, ['keys']),
  'data.find': closed({ condition: ref('condition'), errorIfEmpty: tpl(bool) }, ['condition']),
  'data.regexExtract': closed(
    {
      pattern,
      fields: {
        type: 'object',
        minProperties: 1,
        additionalProperties: { type: 'string', minLength: 1 },
        description: 'output field → a group: "$1", "$2" (by number, "$0" the whole match) or a group name',
      },
      flags,
    },
    ['pattern', 'fields'],
  ),
  'data.regexReplace': closed({ pattern, replacement: str, flags }, ['pattern', 'replacement']),
};

/** The step-level keys of these types (Kibana puts them beside `with`). */
export const dataStepLevelSchemas: Record<string, Schema> = {
  arrays: {
    type: 'array',
    minItems: 1,
    maxItems: MAX_CONCAT_ARRAYS,
    description: `data.concat: the arrays (each an array, or a template producing one; null counts as empty), at most ${MAX_CONCAT_ARRAYS}`,
  },
  strategy: tpl({ enum: ['keep_first', 'keep_last'] }),
  errorIfNoMatch: tpl(bool),
  detailed: tpl(bool),
};

/** The step-level keys each type takes besides the action keys, and those it requires. */
export const dataStepRules: Record<string, { keys: string[]; required: string[] }> = {
  'data.aggregate': { keys: ['items'], required: ['items', 'with'] },
  'data.concat': { keys: ['arrays'], required: ['arrays'] },
  'data.dedupe': { keys: ['items', 'strategy'], required: ['items', 'with'] },
  'data.find': { keys: ['items'], required: ['items', 'with'] },
  'data.regexExtract': { keys: ['source', 'errorIfNoMatch'], required: ['source', 'with'] },
  'data.regexReplace': { keys: ['source', 'detailed'], required: ['source', 'with'] },
};

export function isDataStepType(type: unknown): boolean {
  return typeof type === 'string' && (DATA_STEP_TYPES as readonly string[]).includes(type);
}

/* ---------- regular expressions ---------- */

export interface RegexScan {
  /** the first problem RE2 would have with the pattern, when the scan finds one */
  problem?: string;
  /** named groups, (?<name>…) or (?P<name>…) */
  names: string[];
  /** capturing groups, named ones included */
  groups: number;
}

/**
 * Reads a pattern for what RE2 lacks (lookaround, backreferences, atomic groups) and for unbalanced
 * parentheses and brackets, without compiling it: the validator runs where RE2 may not be installed.
 * RE2 itself compiles the pattern when the step runs, and any other syntax error fails the step then.
 */
export function scanRegex(source: string): RegexScan {
  const names: string[] = [];
  let groups = 0;
  let depth = 0;
  const fail = (problem: string): RegexScan => ({ problem, names, groups });
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) return fail('the pattern ends with a lone backslash');
      if (/[1-9]/.test(next)) return fail(`backreference \\${next} is not supported (RE2 runs in linear time and has no backreferences)`);
      if (next === 'k' && source[i + 2] === '<') return fail('named backreference \\k<…> is not supported (RE2 has no backreferences)');
      i++;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++; // a leading ] is literal
      for (; j < source.length && source[j] !== ']'; j++) {
        if (source[j] === '\\') j++;
        else if (source[j] === '[' && source[j + 1] === ':') {
          const end = source.indexOf(':]', j + 2);
          if (end > 0) j = end + 1;
        }
      }
      if (j >= source.length) return fail('missing ] (a character class is not closed)');
      i = j;
    } else if (c === '(') {
      depth++;
      if (source[i + 1] !== '?') {
        groups++;
        continue;
      }
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return fail(`lookahead (?${rest[0]}…) is not supported (RE2 runs in linear time and has no lookaround)`);
      if (rest === '<=' || rest === '<!') return fail(`lookbehind (?${rest}…) is not supported (RE2 runs in linear time and has no lookaround)`);
      if (rest.startsWith('>')) return fail('atomic group (?>…) is not supported by RE2');
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i));
      if (named) {
        groups++;
        names.push(named[1]);
      }
    } else if (c === ')') {
      if (depth === 0) return fail('unmatched ) in the pattern');
      depth--;
    }
  }
  if (depth > 0) return fail('missing ) in the pattern');
  return { names, groups };
}

/** What is wrong with a flags string, if anything. */
export function flagsProblem(value: string): string | undefined {
  const seen = new Set<string>();
  for (const f of value) {
    if (f === 'v') return 'flag "v" (unicode sets) is not supported by RE2';
    if (!REGEX_FLAGS.includes(f)) return `unknown flag "${f}": expected some of ${REGEX_FLAGS.split('').join(', ')}`;
    if (seen.has(f)) return `flag "${f}" is given twice`;
    seen.add(f);
  }
  return undefined;
}

/* ---------- checks when the workflow is saved ---------- */

type Segment = string | number;
type Raw = Record<string, unknown>;

export interface DataStepReport {
  error(path: Segment[], message: string): void;
  warn(path: Segment[], message: string): void;
  /** KQL syntax of a condition */
  kql(text: string, path: Segment[]): void;
}

const TEMPLATE_MARK = /\{\{|\{%/;
const literal = (v: unknown): v is string => typeof v === 'string' && !TEMPLATE_MARK.test(v) && !v.includes('${{');
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The checks the JSON Schema cannot express, for one step of these types (its shape may be wrong: defensive). */
export function checkDataStep(raw: Raw, path: Segment[], report: DataStepReport): void {
  const type = raw.type;
  const w = raw.with;
  if (!isObject(w)) return;
  const at = (...keys: Segment[]) => [...path, 'with', ...keys];
  if (type === 'data.find' && typeof w.condition === 'string') report.kql(w.condition, at('condition'));
  if (type === 'data.regexExtract' || type === 'data.regexReplace') {
    if (literal(w.flags)) {
      const problem = flagsProblem(w.flags);
      if (problem) report.error(at('flags'), problem);
    }
    if (!literal(w.pattern)) return;
    const scan = scanRegex(w.pattern);
    if (scan.problem) {
      report.error(at('pattern'), `invalid regular expression: ${scan.problem}`);
      return;
    }
    if (type === 'data.regexExtract' && isObject(w.fields)) {
      for (const [name, group] of Object.entries(w.fields)) {
        if (!literal(group)) continue;
        const n = /^\$(\d+)$/.exec(group);
        if (!n && group.startsWith('$')) {
          report.error(at('fields', name), `expected "$<number>" or a group name, got ${JSON.stringify(group)}`);
        } else if (n ? Number(n[1]) > scan.groups : !scan.names.includes(group)) {
          report.warn(at('fields', name), `group ${JSON.stringify(group)} is not in the pattern: this field is always null`);
        }
      }
    }
  }
  if (type === 'data.aggregate') checkAggregate(w, at, report);
}

function checkAggregate(w: Raw, at: (...keys: Segment[]) => Segment[], report: DataStepReport): void {
  const names = new Map<string, number>();
  if (Array.isArray(w.metrics)) {
    w.metrics.forEach((m, i) => {
      if (!isObject(m) || typeof m.name !== 'string') return;
      if (names.has(m.name)) report.error(at('metrics', i, 'name'), `metric name "${m.name}" is used twice`);
      else names.set(m.name, i);
    });
  }
  const groupBy = literal(w.group_by) ? [w.group_by] : Array.isArray(w.group_by) ? w.group_by.filter((g): g is string => typeof g === 'string') : [];
  for (const [name, i] of names) {
    if (groupBy.includes(name) || name === '_bucket') {
      report.error(at('metrics', i, 'name'), `metric name "${name}" is also a key of each row (a group_by field or _bucket): choose another`);
    }
  }
  const keys = [...names.keys(), ...groupBy, ...(isObject(w.buckets) ? ['_bucket'] : [])];
  if (literal(w.order_by) && Array.isArray(w.metrics) && !keys.includes(w.order_by)) {
    report.error(at('order_by'), `order_by "${w.order_by}" is neither a metric name nor a group_by field (expected one of ${keys.map((k) => JSON.stringify(k)).join(', ')})`);
  }
  if (isObject(w.buckets) && Array.isArray(w.buckets.ranges)) {
    w.buckets.ranges.forEach((r, i) => {
      if (isObject(r) && typeof r.from === 'number' && typeof r.to === 'number' && r.from >= r.to) {
        report.error(at('buckets', 'ranges', i), `empty range: from (${r.from}) must be less than to (${r.to})`);
      }
    });
  }
}
