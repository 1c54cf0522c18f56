/**
 * Sizes: `<n>(b|kb|mb|gb)`, 1kb = 1,024 bytes (docs/workflows.md).
 * Units are also accepted in upper case with an optional space (`10 MB`), as Kibana does.
 */

export const SIZE_PATTERN = '^\\d+(\\.\\d+)?\\s*([kKmMgG]?[bB])$';

const SIZE_RE = new RegExp(SIZE_PATTERN);
const FACTOR: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** The default `settings.max-step-size`: 1 MiB. */
export const DEFAULT_MAX_STEP_SIZE = 1024 * 1024;

export function sizeMessage(text: unknown): string {
  const shown = typeof text === 'string' ? JSON.stringify(text) : String(text);
  return `invalid size ${shown}: expected a number and a unit (b, kb, mb, gb), e.g. 512kb or 1mb`;
}

/** Bytes of a size text (`1mb` → 1048576). Throws an Error with a clear message otherwise. */
export function parseSize(text: string): number {
  if (typeof text !== 'string') throw new Error(sizeMessage(text));
  const m = SIZE_RE.exec(text.trim());
  if (!m) throw new Error(sizeMessage(text));
  const num = parseFloat(text.trim());
  return Math.floor(num * FACTOR[m[2].toLowerCase()]);
}
