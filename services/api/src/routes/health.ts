import { Router } from 'express';
import type { ExecutionArchive, Runtime } from '@flowgate/executor';
import type { Metrics, SharedMetrics } from '@flowgate/telemetry';
import { archiveHealth, archiveMetrics } from '../archive';
import { asyncHandler, RETRY_AFTER_SECONDS } from '../errors';
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

/** Refreshes the gauges that reflect Redis state (queue depths, waits) right before a scrape. */
export async function refreshGauges(rt: Runtime, metrics: Metrics): Promise<void> {
  const states = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
  const [steps, timers, byStatus, oldest] = await Promise.all([
    rt.queues.steps.getJobCounts(...states),
    rt.queues.timers.getJobCounts(...states),
    rt.executions.countByStatus(),
    rt.executions.inbox(1),
  ]);
  for (const [queue, counts] of [['steps', steps], ['timers', timers]] as const) {
    for (const state of states) metrics.queueDepth.set({ queue, state }, Number(counts[state] ?? 0));
  }
  for (const [status, n] of Object.entries(byStatus)) metrics.executionsByStatus.set({ status }, n);
  metrics.waitingForInput.set(byStatus.WAITING_FOR_INPUT ?? 0);
  metrics.oldestWaitSeconds.set(oldest[0]?.waitingFor ? Math.max(0, (Date.now() - oldest[0].waitingFor.since) / 1000) : 0);
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

/** GET /api/health (docs/operations.md "Health and metrics") and GET /metrics; neither needs a key. */
export function healthRouter(deps: { rt: Runtime; metrics: Metrics; shared?: SharedMetrics; ready: () => boolean; pressure?: PressureMonitor; archive?: ExecutionArchive | null }): Router {
  const { rt, metrics, shared, ready } = deps;
  const r = Router({ caseSensitive: true });

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

  r.get(
    '/metrics',
    asyncHandler(async (_req, res) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          refreshGauges(rt, metrics),
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
