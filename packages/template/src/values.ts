/**
 * The shape check of values that come from YAML, JSON or templates, shared by every package (the template
 * package is the one every other one already depends on).
 */

/**
 * A plain object: made by `{}`, JSON.parse, a YAML mapping or Object.create(null). Class instances
 * (Date, Buffer, Map, ...) and arrays are not: deep rendering copies a plain object key by key and
 * leaves anything else as it is.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
