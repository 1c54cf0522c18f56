/**
 * ajv errors → Problems with one clear message per real problem, a display path and a source position.
 * Noise is dropped: `if` wrappers, `oneOf` fan-out, a "missing key" explained by a typo of it.
 */
import type { ErrorObject } from 'ajv';
import { durationMessage } from './duration';
import type { YamlSource, Target } from './parse-yaml';
import { formatPath, getAt, pointerToPath, Segment } from './path';
import { schemaDefinitions as defs } from './schema';
import { sizeMessage } from './size';
import { closeMatches, didYouMean } from './suggest';
import type { Problem } from './types';

interface Mapped {
  path: Segment[];
  target: Target;
  message: string;
  /** for dropping "missing" errors explained by a typo */
  missing?: string;
  suggested?: string[];
  /** the whole value is wrong (a key that does not apply): errors inside it are noise */
  covers?: boolean;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function expectedTypes(type: unknown): string {
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => TYPE_NAMES[String(t)] ?? String(t)).join(' or ');
}

export function unknownStepTypeMessage(type: unknown): string {
  return `unknown step type ${show(type)}`;
}

export function unknownTriggerTypeMessage(type: unknown): string {
  return `unknown trigger type ${show(type)}`;
}

function describeOwner(data: unknown, ownerPath: Segment[]): string | undefined {
  const owner = getAt(data, ownerPath) as Record<string, unknown> | undefined;
  if (!owner || typeof owner !== 'object' || typeof owner.type !== 'string') return undefined;
  if (ownerPath.length === 2 && ownerPath[0] === 'triggers') return `a ${owner.type} trigger`;
  return `a step of type "${owner.type}"`;
}

function mapError(e: ErrorObject, data: unknown): Mapped | undefined {
  const path = pointerToPath(e.instancePath, data);
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  const value = e.data;
  const params = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((ps?.properties as object) ?? {});
      return {
        path: [...path, key],
        target: 'key',
        message: `unknown key "${key}"${didYouMean(key, known)}`,
        suggested: closeMatches(key, known),
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return { path, target: 'value', message: `missing required key "${key}"`, missing: key };
    }
    case 'false schema': {
      const key = String(path[path.length - 1]);
      const owner = describeOwner(data, path.slice(0, -1));
      return {
        path,
        target: 'key',
        message: owner ? `key "${key}" does not apply to ${owner}` : `key "${key}" is not allowed here`,
        covers: true,
      };
    }
    case 'type': {
      if (ps === defs.duration) return { path, target: 'value', message: durationMessage(value) };
      if (ps === defs.size) return { path, target: 'value', message: sizeMessage(value) };
      if (ps === defs.inputsObject) {
        return { path, target: 'value', message: `expected a list of inputs or a JSON Schema object, got ${typeOf(value)}` };
      }
      if (ps === defs.condition) {
        return { path, target: 'value', message: `expected a condition (a string or a boolean), got ${typeOf(value)}` };
      }
      return { path, target: 'value', message: `expected ${expectedTypes(params.type)}, got ${typeOf(value)}` };
    }
    case 'enum': {
      if (ps === defs.triggerType) return { path, target: 'value', message: unknownTriggerTypeMessage(value) };
      const allowed = [...new Set((params.allowedValues as unknown[]).map((v) => String(v)))];
      if (allowed.length === 1) return { path, target: 'value', message: `expected "${allowed[0]}", got ${show(value)}` };
      return { path, target: 'value', message: `expected one of: ${allowed.join(', ')}` };
    }
    case 'const':
      return { path, target: 'value', message: `expected ${show(params.allowedValue)}` };
    case 'pattern': {
      if (ps === defs.duration) return { path, target: 'value', message: durationMessage(value) };
      if (ps === defs.size) return { path, target: 'value', message: sizeMessage(value) };
      if (ps === defs.stepType) return { path, target: 'value', message: unknownStepTypeMessage(value) };
      if (ps === defs.stepName) {
        return {
          path,
          target: 'value',
          message: `invalid step name ${show(value)}: a step name may not contain "/", "#", ":", "[", "]" or control characters`,
        };
      }
      if (ps === defs.cron) {
        return {
          path,
          target: 'value',
          message: `invalid cron expression ${show(value)}: expected 5 fields (minute hour day-of-month month day-of-week), e.g. "*/5 * * * *"`,
        };
      }
      return { path, target: 'value', message: `invalid value ${show(value)}: expected to match /${params.pattern}/` };
    }
    case 'minItems': {
      const n = Number(params.limit);
      if (ps === defs.steps) return { path, target: 'value', message: `expected at least ${n} step${n === 1 ? '' : 's'}` };
      return { path, target: 'value', message: `expected at least ${n} item${n === 1 ? '' : 's'}` };
    }
    case 'maxItems':
      return { path, target: 'value', message: `expected at most ${params.limit} items` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, target: 'value', message: `expected a number ${params.comparison} ${params.limit}, got ${show(value)}` };
    case 'minLength':
      return {
        path,
        target: 'value',
        message: Number(params.limit) === 1 ? 'expected a non-empty string' : `expected at least ${params.limit} characters`,
      };
    case 'minProperties': {
      const n = Number(params.limit);
      return { path, target: 'value', message: `expected at least ${n} key${n === 1 ? '' : 's'}` };
    }
    case 'dependencies':
      return {
        path: [...path, String(params.property)],
        target: 'key',
        message: `key "${params.property}" needs "${params.missingProperty}" beside it`,
      };
    case 'uniqueItems':
      return { path, target: 'value', message: `expected unique items (items ${params.j} and ${params.i} are equal)` };
    case 'format':
      return { path, target: 'value', message: `expected a valid ${params.format}` };
    default:
      return { path, target: 'value', message: e.message ?? `invalid (${e.keyword})` };
  }
}

function scheduleMessage(e: ErrorObject): string {
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  return passing && passing.length > 1
    ? 'use only one of "every", "rrule" or "cron"'
    : 'expected one of "every", "rrule" or "cron"';
}

/** Turn ajv's errors (verbose, allErrors) into Problems. */
export function schemaProblems(errors: readonly ErrorObject[], data: unknown, source: YamlSource): Problem[] {
  const mapped: Mapped[] = [];
  // 1. wrappers: `if` never says anything itself; a oneOf/anyOf speaks only when nothing below it did
  const wrappers = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const inner = (w: ErrorObject, e: ErrorObject) =>
    e !== w && e.instancePath.startsWith(w.instancePath) && e.schemaPath.startsWith(`${w.schemaPath}/`);
  const dropped = new Set<ErrorObject>();
  for (const w of wrappers) {
    const below = errors.filter((e) => inner(w, e));
    if (w.parentSchema === defs.scheduleWith) {
      below.forEach((e) => dropped.add(e));
      mapped.push({ path: pointerToPath(w.instancePath, data), target: 'value', message: scheduleMessage(w) });
    } else if (below.length === 0) {
      mapped.push({ path: pointerToPath(w.instancePath, data), target: 'value', message: 'does not match any allowed form' });
    }
  }
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'oneOf' || e.keyword === 'anyOf' || dropped.has(e)) continue;
    const m = mapError(e, data);
    if (m) mapped.push(m);
  }
  // 2. a missing key explained by an unknown key that looks like it is one problem, not two
  const key = (p: Segment[]) => formatPath(p);
  const typos = new Set<string>();
  for (const m of mapped) {
    for (const s of m.suggested ?? []) typos.add(`${key(m.path.slice(0, -1))}\u0000${s}`);
  }
  const covered = mapped.filter((m) => m.covers).map((m) => m.path);
  const inside = (m: Mapped) =>
    !m.covers && covered.some((c) => c.length <= m.path.length && c.every((seg, i) => seg === m.path[i]));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const m of mapped) {
    if (m.missing && typos.has(`${key(m.path)}\u0000${m.missing}`)) continue;
    if (inside(m)) continue;
    const path = formatPath(m.path);
    const id = `${path}\u0000${m.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const { line, column } = source.position(m.path, m.target);
    problems.push({ path, line, column, message: m.message });
  }
  return problems;
}
