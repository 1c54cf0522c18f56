/**
 * Keeps connector secrets out of execution records, logs and API answers.
 *
 * Every string found in a value (object keys included) has each known secret replaced by
 * "[REDACTED]". Secrets are: API keys, passwords, the HTTP Basic credentials built from a
 * username and password, and connector header values (the whole value and, for "Scheme token"
 * values such as "Bearer abc", the token alone). The URL-encoded form of each secret is redacted too.
 */
import { isPlainObject } from '@flowgate/template';

export const REDACTED = '[REDACTED]';

/** Shorter values are not treated as secrets: redacting "1" or "on" everywhere would garble outputs. */
export const MIN_SECRET_LENGTH = 6;

/** Connector headers whose values are never secret (redacting "application/json" would garble outputs). */
const PUBLIC_HEADERS = new Set([
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-language',
  'content-type',
  'user-agent',
  'kbn-xsrf',
]);

export function isPublicHeader(name: string): boolean {
  return PUBLIC_HEADERS.has(name.toLowerCase());
}

/** The secrets a header value holds: the value itself and, for "Scheme token", the token. */
export function headerSecrets(name: string, value: string): string[] {
  if (isPublicHeader(name)) return [];
  const out = [value];
  const m = /^\s*[A-Za-z][A-Za-z0-9_-]*\s+(\S.*)$/.exec(value);
  if (m) out.push(m[1].trim());
  return out;
}

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
      all.add(s);
      const encoded = encodeURIComponent(s);
      if (encoded !== s) all.add(encoded);
      const json = JSON.stringify(s).slice(1, -1);
      if (json !== s) all.add(json);
    }
    // Longest first, so that "Bearer abc123" is replaced whole before "abc123".
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  /** The string with every secret replaced. */
  redactString(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** A deep copy of `value` with every secret replaced in every string (plain data only). */
  redact<T>(value: T): T {
    if (this.secrets.length === 0) return value;
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object' || depth > 200) return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    if (value instanceof Error) {
      const copy = new Error(this.redactString(value.message));
      copy.name = value.name;
      return copy;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[this.redactString(k)] = this.walk(v, depth + 1);
    return out;
  }
}
