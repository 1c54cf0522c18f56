import IORedis, { Cluster, type Redis, type RedisOptions } from 'ioredis';

export interface RedisConfig {
  url: string;
  /** `host:port,host:port`: a Redis Cluster (overrides url) */
  cluster?: string;
}

export function redisConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RedisConfig {
  return { url: env.FLOWGATE_REDIS_URL || 'redis://127.0.0.1:6379', cluster: env.FLOWGATE_REDIS_CLUSTER || undefined };
}

/**
 * A Redis connection with BullMQ's production settings: `maxRetriesPerRequest: null` so that
 * blocking commands wait through reconnects instead of failing jobs.
 */
export function createRedis(config: RedisConfig, extra: RedisOptions = {}): Redis | Cluster {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  if (config.cluster) {
    const nodes = config.cluster.split(',').map((hp) => {
      const [host, port] = hp.trim().split(':');
      return { host, port: Number(port) };
    });
    return new Cluster(nodes, { redisOptions: options });
  }
  return new IORedis(config.url, options);
}
