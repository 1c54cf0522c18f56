import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { ExecutionArchive, Runtime } from '@flowgate/executor';
import type { Metrics, SharedMetrics } from '@flowgate/telemetry';
import { archiveHealth, archiveMetrics } from '../archive';
import { ApiError, asyncHandler, RETRY_AFTER_SECONDS, sendError } from '../errors';
import type { OverloadReason, PressureMonitor } from '../pressure';

/** Resolves to the ping's answer, or false after `ms` (a Redis that hangs; one that is down refuses at once). */
async function ping(rt: Runtime, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      rt.redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the gauges that reflect Redis state (queue depths, executions by status, the oldest wait),
 * each from as little as it needs: job counts, the status indexes' sizes, and the `wait` field of the
 * oldest few waiting executions.
 */
export async function refreshGauges(rt: Runtime, metrics: Metrics): Promise<void> {
  const states = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
  const [steps, timers, byStatus, oldest] = await Promise.all([
    rt.queues.steps.getJobCounts(...states),
    rt.queues.timers.getJobCounts(...states),
    rt.executions.countByStatus(),
    rt.executions.oldestWaitSince(),
  ]);
  for (const [queue, counts] of [['steps', steps], ['timers', timers]] as const) {
    for (const state of states) metrics.queueDepth.set({ queue, state }, Number(counts[state] ?? 0));
  }
  for (const [status, n] of Object.entries(byStatus)) metrics.executionsByStatus.set({ status }, n);
  metrics.waitingForInput.set(byStatus.WAITING_FOR_INPUT ?? 0);
  metrics.oldestWaitSeconds.set(oldest !== null ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
}

/** How often at most /metrics reads its gauges from Redis, whatever the scrape rate. */
export const GAUGE_REFRESH_MS = 5000;

/**
 * refreshGauges at most once per `intervalMs` (counted from the start of a refresh, failed ones
 * included): scrapes in between show the last values, and concurrent scrapes share one refresh.
 */
export class GaugeRefresher {
  private startedAt = -Infinity;
  private running: Promise<void> | null = null;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly intervalMs = GAUGE_REFRESH_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves once the gauges are at most `intervalMs` old (or their refresh failed). */
  fresh(): Promise<void> {
    if (this.running) return this.running;
    if (this.now() - this.startedAt < this.intervalMs) return Promise.resolve();
    this.startedAt = this.now();
    this.running = this.refresh().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * FLOWGATE_METRICS_KEY: `Authorization: Bearer <key>` (or `ApiKey <key>`) on /metrics, compared in
 * constant time (SHA-256 digests, timingSafeEqual); anything else answers 401.
 */
export function metricsAuth(key: string): RequestHandler {
  const digest = sha256(key);
  return (req, res, next) => {
    const m = /^\s*(ApiKey|Bearer)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (m && timingSafeEqual(sha256(m[2]), digest)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer, ApiKey');
    sendError(res, new ApiError('unauthorized', m ? 'invalid metrics key (FLOWGATE_METRICS_KEY)' : 'missing Authorization header: /metrics needs Bearer <FLOWGATE_METRICS_KEY>'));
  };
}

/**
 * The status and body of /api/health when it is not plainly ok: `200 degraded` with the reasons while
 * new work is refused (reads, resumes and cancels are still served); `503` while Redis does not
 * answer (`redis_unavailable`) or the API is starting (`unavailable`).
 */
export function healthProblem(redisOk: boolean, isReady: boolean, reasons: OverloadReason[]): { status: number; body: Record<string, unknown>; retryAfter?: number } | null {
  if (!redisOk) {
    const error = { code: 'redis_unavailable', message: 'Redis does not answer', details: [] };
    return { status: 503, body: { status: isReady ? 'unavailable' : 'starting', redis: 'unavailable', error }, retryAfter: RETRY_AFTER_SECONDS.redis_unavailable };
  }
  if (!isReady) {
    const error = { code: 'unavailable', message: 'starting: workflows are being loaded', details: [] };
    return { status: 503, body: { status: 'starting', redis: 'ok', error }, retryAfter: RETRY_AFTER_SECONDS.unavailable };
  }
  if (reasons.length > 0) return { status: 200, body: { status: 'degraded', redis: 'ok', reasons } };
  return null;
}

/**
 * GET /api/health (docs/operations.md "Health and metrics"), without a key, and GET /metrics, which
 * needs FLOWGATE_METRICS_KEY when it is set.
 */
export function healthRouter(deps: {
  rt: Runtime;
  metrics: Metrics;
  shared?: SharedMetrics;
  ready: () => boolean;
  pressure?: PressureMonitor;
  archive?: ExecutionArchive | null;
  metricsKey?: string | null;
}): Router {
  const { rt, metrics, shared, ready } = deps;
  const r = Router({ caseSensitive: true });
  const gauges = new GaugeRefresher(() => refreshGauges(rt, metrics));

  r.get(
    '/api/health',
    asyncHandler(async (_req, res) => {
      const redisOk = await ping(rt, 1000);
      const isReady = ready();
      const problem = healthProblem(redisOk, isReady, deps.pressure?.reasons() ?? []);
      // With FLOWGATE_ARCHIVE: the archive's state as the sweeping worker recorded it (docs/operations.md "Archive").
      const archive = deps.archive && redisOk ? await archiveHealth(rt) : null;
      const extra = archive ? { archive } : {};
      if (!problem) {
        res.json({ status: 'ok', redis: 'ok', ...extra });
        return;
      }
      if (problem.retryAfter) res.setHeader('Retry-After', String(problem.retryAfter));
      res.status(problem.status).json({ ...problem.body, ...extra });
    }),
  );

  const metricsGuard: RequestHandler = deps.metricsKey ? metricsAuth(deps.metricsKey) : (_req, _res, next) => next();
  r.get(
    '/metrics',
    metricsGuard,
    asyncHandler(async (_req, res) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          gauges.fresh(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000);
          }),
        ]);
      } catch (err) {
        rt.log.warn({ err: (err as Error).message }, 'metrics: could not refresh gauges from Redis');
      } finally {
        clearTimeout(timer);
      }
      const clusterWide = shared ? await shared.render().catch(() => '') : '';
      const archive = deps.archive ? await archiveMetrics(rt) : '';
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send((await metrics.registry.metrics()) + clusterWide + archive);
    }),
  );

  return r;
}
