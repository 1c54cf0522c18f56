/**
 * The Flowgate worker: stateless, runs step jobs and timer jobs from Redis. Run as many as needed.
 * On SIGTERM/SIGINT it stops taking jobs, finishes those in flight, and exits 0.
 */
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { ConnectionErrorLog, STEPS_QUEUE, TIMERS_QUEUE, flowgateRepeatStrategy, isRedisConnectionError, isRedisOutOfMemory, type StepJob, type TimerJob } from '@flowgate/queue';
import { AbortRegistry, archiveFromEnv, commonConfigFromEnv, processStepJob, processTimerJob, reconcileOnce, ReconcilerMemory, runtimeFromConfig, sweepFinished, type ExecutionArchive } from '@flowgate/executor';
import { builtinRegistry } from '@flowgate/steps';
import { SharedMetrics, createLogger } from '@flowgate/telemetry';
import { loadStepExtensions } from './extensions';
import { ConnectorNotifier } from './notifier';

const log = createLogger('worker');

function fail(reason: string): never {
  process.stderr.write(`flowgate worker: ${reason}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = commonConfigFromEnv();
  } catch (err) {
    fail((err as Error).message);
  }
  const concurrency = Number(process.env.FLOWGATE_CONCURRENCY ?? 50);
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`FLOWGATE_CONCURRENCY: "${process.env.FLOWGATE_CONCURRENCY}" is not a positive integer`);
  // How long a dead worker's job stays locked before another worker takes it over.
  const lockMs = Number(process.env.FLOWGATE_LOCK_MS ?? 10_000);
  if (!Number.isInteger(lockMs) || lockMs < 1000) fail(`FLOWGATE_LOCK_MS: "${process.env.FLOWGATE_LOCK_MS}" is not a whole number of milliseconds ≥ 1000`);
  const reconcileMs = Number(process.env.FLOWGATE_RECONCILE_MS ?? 5000);
  if (!Number.isInteger(reconcileMs) || reconcileMs < 100) fail(`FLOWGATE_RECONCILE_MS: "${process.env.FLOWGATE_RECONCILE_MS}" is not a whole number of milliseconds ≥ 100`);

  // Instant steps (no I/O outside Redis) a job may run after its own instead of enqueueing each.
  const chainSteps = Number(process.env.FLOWGATE_CHAIN_STEPS ?? 100);
  if (!Number.isInteger(chainSteps) || chainSteps < 0) fail(`FLOWGATE_CHAIN_STEPS: "${process.env.FLOWGATE_CHAIN_STEPS}" is not a whole number ≥ 0`);

  const { registry, services } = await loadStepExtensions(builtinRegistry(), fail);
  // FLOWGATE_ARCHIVE: finished executions go to Elasticsearch before they leave Redis (docs/operations.md "Archive").
  let archive: ExecutionArchive | null = null;
  try {
    archive = archiveFromEnv(process.env, services.connectors, { log });
  } catch (err) {
    fail((err as Error).message);
  }
  const rt = runtimeFromConfig(config, { registry, log, services, notifier: new ConnectorNotifier(services.connectors) });
  rt.chainSteps = chainSteps;
  // A Redis outage: one line when it starts, one every 30 s while it lasts, one when it ends — not
  // one per reconnect attempt of each connection. Commands wait (BullMQ's settings) and go on after.
  const connectionLog = new ConnectionErrorLog(log);
  connectionLog.watch(rt.redis);
  // Jobs in flight during an outage longer than FLOWGATE_LOCK_MS (or in a worker stalled that long)
  // lose their lock: BullMQ reports each (twice) when Redis is back, and delivers the job again, whose
  // gate finds where its execution is. Harmless, and as many as the jobs in flight: summed up the same way.
  const lockLog = new ConnectionErrorLog(log, 30_000, Date.now, 'job locks lost (Redis unreachable, or this worker stalled, longer than FLOWGATE_LOCK_MS): those jobs are delivered again');
  // Redis at maxmemory refuses the workers' writes too: their jobs are retried until there is room.
  const oomLog = new ConnectionErrorLog(log, 30_000, Date.now, 'redis out of memory (maxmemory): writes refused, jobs are retried');
  // Workers serve no HTTP: their step and execution counts go to Redis, the API's /metrics shows them.
  const shared = new SharedMetrics(rt.redis, (hash) => rt.keys.metrics(hash));
  rt.hooks.stepFinished = (type, outcome, ms) => shared.stepFinished(type, outcome, ms);
  rt.hooks.executionFinished = (status) => shared.executionFinished(status);
  shared.start(Number(process.env.FLOWGATE_METRICS_FLUSH_MS) || 5000);
  const aborts = new AbortRegistry();
  const id = `${hostname()}:${process.pid}`;
  const prefix = rt.keys.queuePrefix(Boolean(config.redis.cluster));
  const workerOptions = {
    connection: rt.redis.duplicate(),
    prefix,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
    // BullMQ never fails a stalled job itself (the execution would strand): the executor fails the
    // step of a job that stalled more than MAX_STALLS times, with `stalled` (processStepJob).
    maxStalledCount: 1_000_000,
  };

  const steps = new Worker<StepJob>(STEPS_QUEUE, async (job) => processStepJob(rt, job.data, aborts, { stalls: job.stalledCounter }), { ...workerOptions, concurrency });
  const timers = new Worker<TimerJob>(TIMERS_QUEUE, async (job) => processTimerJob(rt, job.data, { attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 }), { ...workerOptions, connection: rt.redis.duplicate(), concurrency: 20, settings: { repeatStrategy: flowgateRepeatStrategy } });
  for (const w of [steps, timers]) {
    // A job that ran ahead of its commit, or a notification whose channel failed (recorded on its wait
    // and logged there), is retried as planned: not an error.
    w.on('failed', (job, err) => {
      const planned = err.name === 'ContinuationNotCommitted' || err.name === 'NotificationFailed';
      if (planned) log.info({ job: job?.id, err: err.message }, 'job retried');
      else log.error({ job: job?.id, err: err.message }, 'job failed');
    });
    w.on('error', (err) => {
      if (isRedisConnectionError(err)) connectionLog.error(err);
      // "Missing key": a job this worker held through an outage was re-queued meanwhile (the reconciler
      // re-adds stranded steps): the new one runs; the same summary as lost locks.
      else if (/^Missing lock for job|^could not renew lock for job|^Missing key for job/.test(err.message)) lockLog.error(err);
      else if (isRedisOutOfMemory(err)) oomLog.error(err);
      else log.error({ err: err.message }, 'worker error');
    });
  }

  // Cancels reach the worker running the step through pub/sub, to abort it at once.
  const subscriber = rt.redis.duplicate();
  subscriber.on('error', (err: Error) => connectionLog.error(err));
  await subscriber.subscribe(rt.keys.cancelChannel());
  subscriber.on('message', (_channel: string, executionId: string) => aborts.abort(executionId, 'execution cancelled'));

  const retentionMs = config.retentionMs;
  if (retentionMs === null) log.warn({}, 'FLOWGATE_RETENTION=forever: finished executions are never removed from Redis, whose memory then grows with every alert');
  if (retentionMs === null && archive) log.warn({ archive: archive.description }, 'FLOWGATE_ARCHIVE is set but FLOWGATE_RETENTION=forever: nothing is archived');
  // The sweep runs beside the reconciler, not in its pass: an archive slow to answer never holds up
  // the re-queueing of stranded continuations. One sweep at a time.
  let sweeping = false;
  const sweep = () => {
    if (retentionMs === null || sweeping) return;
    sweeping = true;
    sweepFinished(rt, id, { retentionMs, archive })
      .catch((err) => log.error({ err: (err as Error).message }, 'retention sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  };
  const reconciler = new ReconcilerMemory(); // suspect index entries between passes; one pass at a time
  let ticks = 0;
  let reconciling = false;
  const reconcile = setInterval(() => {
    // One pass at a time: while Redis is down a pass waits for it, and passes must not pile up.
    if (reconciling) return;
    reconciling = true;
    // Stranded continuations every pass; the deadline sweep of waiting executions every 6th.
    const sweepWaits = ticks++ % 6 === 0;
    reconcileOnce(rt, id, { sweepWaits, memory: reconciler })
      .then(sweep)
      .catch((err) => log.error({ err: (err as Error).message }, 'reconciler failed'))
      .finally(() => {
        reconciling = false;
      });
  }, reconcileMs);

  log.info({ concurrency, id, retentionMs, archive: archive?.description ?? null }, 'worker started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping: finishing jobs in flight');
    rt.chainSteps = 0; // the steps after those in flight are enqueued for the other workers
    clearInterval(reconcile);
    await Promise.all([steps.close(), timers.close()]);
    await shared.stop();
    await subscriber.quit().catch(() => undefined);
    await rt.queues.close();
    await rt.redis.quit().catch(() => undefined);
    log.info({}, 'worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => fail((err as Error).stack ?? String(err)));
