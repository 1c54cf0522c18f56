import { Router } from 'express';
import type { Runtime } from '@flowgate/executor';
import type { Metrics, SharedMetrics } from '@flowgate/telemetry';
import { asyncHandler } from '../errors';

/** Resolves to the ping's answer, or rejects after `ms` (commands queue while Redis is down). */
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

/** GET /api/health (docs/operations.md "Health and metrics") and GET /metrics; neither needs a key. */
export function healthRouter(deps: { rt: Runtime; metrics: Metrics; shared?: SharedMetrics; ready: () => boolean }): Router {
  const { rt, metrics, shared, ready } = deps;
  const r = Router({ caseSensitive: true });

  r.get(
    '/api/health',
    asyncHandler(async (_req, res) => {
      const redisOk = await ping(rt, 1000);
      const isReady = ready();
      if (redisOk && isReady) {
        res.json({ status: 'ok', redis: 'ok' });
        return;
      }
      const message = !redisOk ? 'Redis does not answer' : 'starting: workflows are being loaded';
      res.status(503).json({ status: isReady ? 'unavailable' : 'starting', redis: redisOk ? 'ok' : 'unavailable', error: { code: 'unavailable', message, details: [] } });
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
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send((await metrics.registry.metrics()) + clusterWide);
    }),
  );

  return r;
}
