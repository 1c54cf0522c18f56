import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { commonConfigFromEnv, type CommonConfig } from '@flowgate/executor';
import { parseTrustedProxies, type ProxyRange } from './address';

/** The roles of docs/api.md "Authentication and roles". */
export const ROLES = ['ingest', 'viewer', 'reviewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyEntry {
  name: string;
  role: Role;
  secret: string;
}

export interface ApiConfig {
  common: CommonConfig;
  host: string;
  port: number;
  apiKeys: ApiKeyEntry[];
  /** FLOWGATE_WORKFLOWS: a folder of *.yaml loaded at start */
  workflowsDir: string | null;
  /** FLOWGATE_CONNECTORS: connectors.yaml */
  connectorsPath: string | null;
  idempotencyTtlMs: number;
  /** alerts per second per key; null = unlimited */
  rateLimitIngest: number | null;
  /** the built UI (packages/ui/dist); FLOWGATE_UI_DIR overrides it */
  uiDir: string;
  /** FLOWGATE_MAX_MEMORY: Redis used_memory beyond which new work is refused (docs/operations.md "Backpressure") */
  maxMemory: MemoryLimit;
  /** FLOWGATE_MAX_BACKLOG: step jobs waiting beyond which new work is refused */
  maxBacklog: number;
  /** FLOWGATE_TRUSTED_PROXIES: the proxies whose X-Forwarded-For is believed (none: the socket's address is the client) */
  trustedProxies: ProxyRange[];
  /** FLOWGATE_METRICS_KEY: the key /metrics requires; null: /metrics needs none */
  metricsKey: string | null;
}

/** The shortest secret accepted (FLOWGATE_API_KEYS, FLOWGATE_METRICS_KEY): `openssl rand -hex 32` gives 64 characters. */
export const MIN_SECRET_LENGTH = 32;

/** A share of Redis's `maxmemory` (none while maxmemory is 0), or bytes. */
export type MemoryLimit = { percent: number } | { bytes: number };

export const DEFAULT_MAX_MEMORY: MemoryLimit = { percent: 85 };
export const DEFAULT_MAX_BACKLOG = 100_000;

/** Units as in redis.conf: k/m/g are powers of 1000, kb/mb/gb powers of 1024 (case-insensitive). */
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** FLOWGATE_MAX_MEMORY: `85%` (of Redis's maxmemory), `800mb`, `1gb`, or bytes. */
export function parseMaxMemory(text: string | undefined): MemoryLimit {
  const t = (text ?? '').trim().toLowerCase();
  if (t === '') return DEFAULT_MAX_MEMORY;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 0 && p <= 100) return { percent: p };
    throw new ConfigError(`FLOWGATE_MAX_MEMORY: "${text}" is not a percentage from 0 (excluded) to 100`);
  }
  const size = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/.exec(t);
  const bytes = size ? Math.floor(Number(size[1]) * SIZE_UNITS[size[2] ?? '']) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new ConfigError(`FLOWGATE_MAX_MEMORY: "${text}" is not a size (such as 800mb, 1gb or a number of bytes) or a percentage of Redis's maxmemory (such as 85%)`);
  }
  return { bytes };
}

/** FLOWGATE_MAX_BACKLOG: a whole number ≥ 1 of step jobs waiting (default 100,000). */
export function parseMaxBacklog(text: string | undefined): number {
  const t = (text ?? '').trim();
  if (t === '') return DEFAULT_MAX_BACKLOG;
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < 1) throw new ConfigError(`FLOWGATE_MAX_BACKLOG: "${text}" is not a whole number of waiting step jobs ≥ 1`);
  return n;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KEY_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * FLOWGATE_API_KEYS (docs/api.md "Authentication and roles"): entries split on ",", each split on its first two ":" into
 * name:role:secret. A malformed entry, a duplicate name or a secret shorter than MIN_SECRET_LENGTH
 * throws one line naming the entry (by position and name, never printing the secret).
 */
export function parseApiKeys(text: string | undefined): ApiKeyEntry[] {
  if (!text || text.trim() === '') return [];
  const keys: ApiKeyEntry[] = [];
  const names = new Map<string, number>();
  const secrets = new Map<string, number>();
  const entries = text.split(',');
  entries.forEach((raw, i) => {
    const n = i + 1;
    const entry = raw.trim();
    if (entry === '') {
      if (entries.length === 1 || i < entries.length - 1) throw new ConfigError(`FLOWGATE_API_KEYS: entry ${n} is empty`);
      return; // a trailing comma
    }
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    const shown = `entry ${n} ("${first < 0 ? entry.slice(0, 64) : entry.slice(0, second < 0 ? entry.length : second)}${second < 0 ? '' : ':***'}")`;
    if (first < 0 || second < 0) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown} is not name:role:secret`);
    const name = entry.slice(0, first).trim();
    const role = entry.slice(first + 1, second).trim();
    const secret = entry.slice(second + 1);
    if (!KEY_NAME.test(name)) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: the name must match ^[A-Za-z0-9._@-]{1,64}$`);
    if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: unknown role "${role}" (one of ${ROLES.join(', ')})`);
    if (secret.length === 0) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: the secret is empty`);
    if (secret.length < MIN_SECRET_LENGTH) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: the secret is shorter than ${MIN_SECRET_LENGTH} characters (generate one with openssl rand -hex 32)`);
    if (names.has(name)) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: duplicate name "${name}" (also entry ${names.get(name)})`);
    if (secrets.has(secret)) throw new ConfigError(`FLOWGATE_API_KEYS: ${shown}: the same secret as entry ${secrets.get(secret)}`);
    names.set(name, n);
    secrets.set(secret, n);
    keys.push({ name, role: role as Role, secret });
  });
  return keys;
}

/** FLOWGATE_METRICS_KEY: absent or blank = /metrics needs no key; else at least MIN_SECRET_LENGTH characters, no spaces. */
export function parseMetricsKey(text: string | undefined): string | null {
  const key = (text ?? '').trim();
  if (key === '') return null;
  if (/\s/.test(key)) throw new ConfigError('FLOWGATE_METRICS_KEY: the key contains white space');
  if (key.length < MIN_SECRET_LENGTH) throw new ConfigError(`FLOWGATE_METRICS_KEY: the key is shorter than ${MIN_SECRET_LENGTH} characters (generate one with openssl rand -hex 32)`);
  return key;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `1h30m`, `90s`, `2d` (docs/workflows.md durations); a bare number is seconds. */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let pos = 0;
  let last = Infinity;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const unit = UNIT_MS[m[2]];
    if (unit >= last) return null; // units in descending order
    last = unit;
    total += Number(m[1]) * unit;
    pos = re.lastIndex;
  }
  return pos === t.length && pos > 0 ? total : null;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The API's configuration from the environment (docs/operations.md "Configuration"); throws one clear line when invalid. */
export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  let common: CommonConfig;
  try {
    common = commonConfigFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const host = env.FLOWGATE_HOST?.trim() || '0.0.0.0';
  const apiKeys = parseApiKeys(env.FLOWGATE_API_KEYS);

  let workflowsDir: string | null = null;
  if (env.FLOWGATE_WORKFLOWS?.trim()) {
    workflowsDir = resolve(env.FLOWGATE_WORKFLOWS.trim());
    if (!isDirectory(workflowsDir)) throw new ConfigError(`FLOWGATE_WORKFLOWS: "${env.FLOWGATE_WORKFLOWS}" is not a folder`);
  }
  let connectorsPath: string | null = null;
  if (env.FLOWGATE_CONNECTORS?.trim()) {
    connectorsPath = resolve(env.FLOWGATE_CONNECTORS.trim());
    if (!isFile(connectorsPath)) throw new ConfigError(`FLOWGATE_CONNECTORS: "${env.FLOWGATE_CONNECTORS}" is not a file`);
  }

  let idempotencyTtlMs = 24 * 3_600_000;
  if (env.FLOWGATE_IDEMPOTENCY_TTL?.trim()) {
    const ms = parseDurationMs(env.FLOWGATE_IDEMPOTENCY_TTL);
    if (ms === null || ms < 1000) throw new ConfigError(`FLOWGATE_IDEMPOTENCY_TTL: "${env.FLOWGATE_IDEMPOTENCY_TTL}" is not a duration of at least 1s (e.g. 24h)`);
    idempotencyTtlMs = ms;
  }

  let rateLimitIngest: number | null = null;
  if (env.FLOWGATE_RATE_LIMIT_INGEST?.trim()) {
    const n = Number(env.FLOWGATE_RATE_LIMIT_INGEST.trim());
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`FLOWGATE_RATE_LIMIT_INGEST: "${env.FLOWGATE_RATE_LIMIT_INGEST}" is not a positive number of alerts per second`);
    rateLimitIngest = n;
  }

  const uiDir = env.FLOWGATE_UI_DIR?.trim() ? resolve(env.FLOWGATE_UI_DIR.trim()) : resolve(__dirname, '..', '..', '..', 'packages', 'ui', 'dist');
  const maxMemory = parseMaxMemory(env.FLOWGATE_MAX_MEMORY);
  const maxBacklog = parseMaxBacklog(env.FLOWGATE_MAX_BACKLOG);
  let trustedProxies: ProxyRange[];
  try {
    trustedProxies = parseTrustedProxies(env.FLOWGATE_TRUSTED_PROXIES);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const metricsKey = parseMetricsKey(env.FLOWGATE_METRICS_KEY);
  return { common, host, port: common.port, apiKeys, workflowsDir, connectorsPath, idempotencyTtlMs, rateLimitIngest, uiDir, maxMemory, maxBacklog, trustedProxies, metricsKey };
}
