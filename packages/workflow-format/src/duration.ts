/**
 * Durations: a number and a unit, units `ms s m h d w`, compound in descending order
 * (`90s`, `1h30m`, `2d`, `1w2d`), quoted or not (docs/workflows.md).
 */

const UNIT_MS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/** The JSON Schema `pattern` of a duration (also used by the parser, so both accept the same texts). */
export const DURATION_PATTERN = '^(?=\\d)(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m(?!s))?(\\d+s)?(\\d+ms)?$';

const DURATION_RE = new RegExp(DURATION_PATTERN);

export function durationMessage(text: unknown): string {
  const shown = typeof text === 'string' ? JSON.stringify(text) : String(text);
  return `invalid duration ${shown}: expected a number and a unit (ms, s, m, h, d, w), e.g. 90s or 1h30m`;
}

export function isDuration(text: unknown): boolean {
  return typeof text === 'string' && DURATION_RE.test(text.trim());
}

/**
 * Milliseconds of a duration text (`90s` → 90000, `1h30m` → 5400000).
 * A number is taken as milliseconds already. Throws an Error with a clear message otherwise.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new Error(durationMessage(text));
    return text;
  }
  if (typeof text !== 'string') throw new Error(durationMessage(text));
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new Error(durationMessage(text));
  const units = [UNIT_MS.w, UNIT_MS.d, UNIT_MS.h, UNIT_MS.m, UNIT_MS.s, UNIT_MS.ms];
  let total = 0;
  for (let i = 0; i < units.length; i++) {
    const part = m[i + 1];
    if (part) total += parseInt(part, 10) * units[i];
  }
  return total;
}

/** `90000` → `1m30s`: the shortest compound text of a duration (for messages). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
