import { createRedis, Queues, redisConfigFromEnv, type RedisConfig } from '@flowgate/queue';
import { Keys } from '@flowgate/store';
import type { StepRegistry } from '@flowgate/engine';
import type { StepServices } from '@flowgate/steps';
import { createRuntime, type Logger, type Runtime, type RuntimeHooks } from './runtime';

/** Configuration both services read from the environment (docs/operations.md "Configuration"); invalid values throw one clear line. */
export interface CommonConfig {
  redis: RedisConfig;
  publicUrl: string;
  port: number;
  httpAllowedHosts: string[];
}

export function commonConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CommonConfig {
  const port = env.FLOWGATE_PORT ? Number(env.FLOWGATE_PORT) : 7070;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`FLOWGATE_PORT: "${env.FLOWGATE_PORT}" is not a port number`);
  return {
    redis: redisConfigFromEnv(env),
    publicUrl: (env.FLOWGATE_PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    port,
    httpAllowedHosts: (env.FLOWGATE_HTTP_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
  };
}

/** One Redis connection for commands and producers, the queues, and the runtime around them. */
export function runtimeFromConfig(config: CommonConfig, args: { registry: StepRegistry<StepServices>; log: Logger; hooks?: RuntimeHooks; services?: Partial<StepServices> }): Runtime {
  const redis = createRedis(config.redis);
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
  });
}
