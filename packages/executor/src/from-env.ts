import { createRedis, failFastRedisOptions, Queues, redisConfigFromEnv, type RedisConfig } from '@flowgate/queue';
import { Keys } from '@flowgate/store';
import type { StepRegistry } from '@flowgate/engine';
import type { StepServices } from '@flowgate/steps';
import { parseDuration } from '@flowgate/workflow-format';
import { createRuntime, type Logger, type Runtime, type RuntimeHooks } from './runtime';
import type { Notifier } from './notify';

/** Configuration both services read from the environment (docs/operations.md "Configuration"); invalid values throw one clear line. */
export interface CommonConfig {
  redis: RedisConfig;
  publicUrl: string;
  port: number;
  httpAllowedHosts: string[];
  /** FLOWGATE_RETENTION: how long finished executions stay in Redis; null = forever */
  retentionMs: number | null;
  /** FLOWGATE_EXTERNAL_RESUME (default true): notifications carry single-use answer links, and the API answers them */
  externalResume: boolean;
}

/** A boolean setting: true/false (any case), 1/0, yes/no; absent or empty: `fallback`. */
export function flagFromEnv(name: string, text: string | undefined, fallback: boolean): boolean {
  const t = (text ?? '').trim().toLowerCase();
  if (t === '') return fallback;
  if (['true', '1', 'yes'].includes(t)) return true;
  if (['false', '0', 'no'].includes(t)) return false;
  throw new Error(`${name}: "${text}" is not true or false`);
}

const DEFAULT_RETENTION = '7d';

/** FLOWGATE_RETENTION: a duration (default 7d), or `forever`. */
export function retentionFromEnv(text = DEFAULT_RETENTION): number | null {
  const t = text.trim() || DEFAULT_RETENTION;
  if (t === 'forever') return null;
  let ms: number;
  try {
    ms = parseDuration(t);
  } catch {
    throw new Error(`FLOWGATE_RETENTION: "${text}" is not a duration (such as 7d, 36h or 30s) or "forever"`);
  }
  if (ms < 1000) throw new Error(`FLOWGATE_RETENTION: "${text}" is shorter than 1s`);
  return ms;
}

export function commonConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CommonConfig {
  const port = env.FLOWGATE_PORT ? Number(env.FLOWGATE_PORT) : 7070;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`FLOWGATE_PORT: "${env.FLOWGATE_PORT}" is not a port number`);
  return {
    redis: redisConfigFromEnv(env),
    publicUrl: (env.FLOWGATE_PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    port,
    httpAllowedHosts: (env.FLOWGATE_HTTP_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    retentionMs: retentionFromEnv(env.FLOWGATE_RETENTION),
    externalResume: flagFromEnv('FLOWGATE_EXTERNAL_RESUME', env.FLOWGATE_EXTERNAL_RESUME, true),
  };
}

/**
 * One Redis connection for commands and producers, the queues, and the runtime around them.
 * `failFast` (the API's request path, docs/operations.md "Redis outages"): that connection refuses
 * commands at once while Redis is unreachable and never sends one later (`failFastRedisOptions`);
 * the commit and the next job's add stay on the one connection, in that order. Without it (the
 * workers), commands wait through reconnects.
 */
export function runtimeFromConfig(
  config: CommonConfig,
  args: { registry: StepRegistry<StepServices>; log: Logger; hooks?: RuntimeHooks; services?: Partial<StepServices>; failFast?: boolean; notifier?: Notifier },
): Runtime {
  const redis = createRedis(config.redis, args.failFast ? failFastRedisOptions() : {});
  const keys = new Keys();
  const queues = new Queues(redis, keys.queuePrefix(Boolean(config.redis.cluster)));
  return createRuntime({
    redis,
    queues,
    keys,
    registry: args.registry,
    publicUrl: config.publicUrl,
    log: args.log,
    hooks: args.hooks,
    services: { httpAllowedHosts: config.httpAllowedHosts, ...args.services },
    notifier: args.notifier,
    externalResume: config.externalResume,
  });
}
