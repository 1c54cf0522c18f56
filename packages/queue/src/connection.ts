import IORedis, { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';

export interface RedisConfig {
  url: string;
  /** `host:port,host:port`: a Redis Cluster (overrides url) */
  cluster?: string;
}

export function redisConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RedisConfig {
  return { url: env.FLOWGATE_REDIS_URL || 'redis://127.0.0.1:6379', cluster: env.FLOWGATE_REDIS_CLUSTER || undefined };
}

/** How long a command on a fail-fast connection may wait for its answer (docs/operations.md "Redis outages"). */
export const FAIL_FAST_COMMAND_TIMEOUT_MS = 1000;

/**
 * The settings of a connection that answers at once while Redis is unreachable, for the API's
 * request path (docs/operations.md "Redis outages"). With them, a command either runs now or fails
 * now, and never runs later behind the caller's back:
 * - `enableOfflineQueue: false`: a command issued while disconnected is refused at once, not queued
 *   until Redis is back;
 * - `autoResendUnfulfilledCommands: false` and `maxRetriesPerRequest: 0`: a command in flight when
 *   the connection breaks is failed (it may or may not have reached Redis), never sent again;
 * - `commandTimeout`: a Redis that accepts connections but does not answer (hung, overloaded) fails
 *   the command after this long. The command may still run when that Redis wakes up: the one limit
 *   a client cannot remove.
 * BullMQ's producers (a Queue, not a Worker) work on such a connection: only its blocking
 * connections need `maxRetriesPerRequest: null`.
 */
export function failFastRedisOptions(commandTimeoutMs = FAIL_FAST_COMMAND_TIMEOUT_MS): RedisOptions {
  return {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    // reconnect quickly once Redis is back (at most 1 s after it answers again)
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}

/**
 * A Redis connection. By default with BullMQ's production settings: `maxRetriesPerRequest: null`,
 * so that commands (and the workers' blocking commands) wait through reconnects instead of failing
 * jobs. `extra` overrides them, e.g. with `failFastRedisOptions()` for a request path. On a Cluster,
 * `enableOfflineQueue` is the cluster client's; the rest apply to each node's connection.
 */
export function createRedis(config: RedisConfig, extra: RedisOptions = {}): Redis | Cluster {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  if (config.cluster) {
    const nodes = config.cluster.split(',').map((hp) => {
      const [host, port] = hp.trim().split(':');
      return { host, port: Number(port) };
    });
    const { enableOfflineQueue, ...redisOptions } = options;
    const clusterOptions: ClusterOptions = { redisOptions };
    if (enableOfflineQueue !== undefined) clusterOptions.enableOfflineQueue = enableOfflineQueue;
    return new Cluster(nodes, clusterOptions);
  }
  return new IORedis(config.url, options);
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Stream isn't writeable|isn't ready and enableOfflineQueue|Command timed out|Reached the max retries per request|None of startup nodes is available|Failed to refresh slots cache|All sentinels are unreachable|LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN/;

/**
 * Whether an error means Redis could not be reached or could not serve (down, restarting, loading
 * its data, a command timed out): the request may be retried later, nothing is wrong with it.
 */
export function isRedisConnectionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (!e) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return CONNECTION_ERROR.test(`${e.code ?? ''} ${e.message ?? ''}`);
}

/** Whether Redis refused a write because it reached `maxmemory` (`OOM command not allowed when used memory > 'maxmemory'`). */
export function isRedisOutOfMemory(err: unknown): boolean {
  return /\bOOM command not allowed\b/.test((err as { message?: string } | null)?.message ?? '');
}

interface WarnLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/**
 * Logs a Redis outage as a few lines instead of one per reconnect attempt and connection: the first
 * error at once (`redis connection error`), then at most one line per `everyMs` while it lasts (with
 * the number of errors in between), and `redis connection restored` when a connection is ready again.
 */
export class ConnectionErrorLog {
  private down = false;
  private since = 0;
  private lastLogged = 0;
  private suppressed = 0;
  private total = 0;

  constructor(
    private readonly log: WarnLog,
    private readonly everyMs = 30_000,
    private readonly now: () => number = Date.now,
    /** the line logged; another kind of error that comes in bursts may use its own */
    private readonly message = 'redis connection error',
  ) {}

  /** An 'error' event of a connection (or of a BullMQ worker forwarding one). */
  error(err: Error): void {
    const t = this.now();
    this.total++;
    if (!this.down) {
      this.down = true;
      this.since = t;
      this.lastLogged = t;
      this.log.warn({ err: err.message }, this.message);
      return;
    }
    if (t - this.lastLogged < this.everyMs) {
      this.suppressed++;
      return;
    }
    this.log.warn({ err: err.message, downForMs: t - this.since, errorsSinceLastLine: this.suppressed + 1 }, this.message);
    this.lastLogged = t;
    this.suppressed = 0;
  }

  /** A 'ready' event: ends the outage, if any. */
  ready(): void {
    if (!this.down) return;
    this.log.info({ downForMs: this.now() - this.since, errors: this.total }, 'redis connection restored');
    this.down = false;
    this.suppressed = 0;
    this.total = 0;
  }

  /** Listens to a connection's 'error' and 'ready' events. */
  watch(connection: Redis | Cluster): void {
    connection.on('error', (err: Error) => this.error(err));
    connection.on('ready', () => this.ready());
  }
}
