import type { RequestHandler } from 'express';
import type { Logger, Runtime } from '@flowgate/executor';
import { isRedisConnectionError } from '@flowgate/queue';
import { isCluster } from '@flowgate/store';
import type { Metrics } from '@flowgate/telemetry';
import type { MemoryLimit } from './config';
import { ApiError } from './errors';

/** Why new work is refused: in the `503 overloaded` details, in `/api/health`'s reasons, as the gauge's label. */
export interface OverloadReason {
  reason: 'memory' | 'backlog';
  message: string;
  /** used_memory in bytes, or waiting step jobs */
  value: number;
  limit: number;
}

/** What the last look at Redis found. */
export interface PressureState {
  /** used_memory (the fullest master's on a Cluster); null until read */
  usedMemory: number | null;
  /** that master's maxmemory (0: none) */
  maxmemory: number | null;
  /** the used_memory beyond which new work is refused; null: no memory limit */
  memoryLimit: number | null;
  /** step jobs waiting (waiting + prioritized) */
  backlog: number | null;
  reasons: OverloadReason[];
  /** when Redis was last read successfully (ms) */
  readAt: number;
}

/** The part of ioredis's Cluster used here. */
interface ClusterNodes {
  nodes(role: 'master'): { info(section: 'memory'): Promise<string> }[];
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** `used_memory` and `maxmemory` from an `INFO memory` answer. */
export function parseMemoryInfo(info: string): { usedMemory: number; maxmemory: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  const usedMemory = field('used_memory');
  const maxmemory = field('maxmemory');
  if (!Number.isFinite(usedMemory)) throw new Error('INFO memory has no used_memory');
  return { usedMemory, maxmemory: Number.isFinite(maxmemory) ? maxmemory : 0 };
}

/** The used_memory beyond which new work is refused, for a Redis with this maxmemory; null: none. */
export function memoryLimitOf(limit: MemoryLimit, maxmemory: number): number | null {
  if ('bytes' in limit) return limit.bytes;
  return maxmemory > 0 ? Math.floor((maxmemory * limit.percent) / 100) : null;
}

/** Past this share of a limit, Redis is read every `NEAR_INTERVAL_MS` instead of every second. */
const NEAR = 0.8;
const NEAR_INTERVAL_MS = 200;

/**
 * Backpressure (docs/operations.md "Backpressure"): reads Redis's memory and the steps backlog in the
 * background (every `intervalMs`, 1 s; every 200 ms once past 80% of a limit, where a burst of
 * alerts could otherwise overshoot between two reads; never per request) and refuses new work —
 * alerts, bulk alerts, manual runs — with `503 overloaded` while either is past its limit. Resumes
 * and cancels are never refused here: they let executions finish and free memory.
 */
export class PressureMonitor {
  private current: PressureState = { usedMemory: null, maxmemory: null, memoryLimit: null, backlog: null, reasons: [], readAt: 0 };
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private polling: Promise<void> | null = null;
  private lastFailureLog = 0;

  constructor(
    private readonly rt: Runtime,
    private readonly o: { maxMemory: MemoryLimit; maxBacklog: number; intervalMs?: number; log: Logger; metrics?: Metrics },
  ) {}

  get state(): PressureState {
    return this.current;
  }

  /** Why new work is refused now (empty: it is accepted). */
  reasons(): OverloadReason[] {
    return this.current.reasons;
  }

  start(): void {
    const tick = () => {
      void this.poll().then(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.near() ? Math.min(NEAR_INTERVAL_MS, this.o.intervalMs ?? 1000) : (this.o.intervalMs ?? 1000));
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Whether memory or the backlog is past 80% of its limit. */
  private near(): boolean {
    const { usedMemory, memoryLimit, backlog } = this.current;
    return (memoryLimit !== null && usedMemory !== null && usedMemory >= NEAR * memoryLimit) || (backlog !== null && backlog >= NEAR * this.o.maxBacklog);
  }

  /** Reads Redis now (one read at a time); a failed read keeps the last state. */
  poll(): Promise<void> {
    this.polling ??= this.read()
      .catch((err) => this.readFailed(err as Error))
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  /** Express middleware for the routes that start new work: `503 overloaded` with Retry-After while overloaded. */
  readonly admit: RequestHandler = (_req, _res, next) => {
    const reasons = this.current.reasons;
    if (reasons.length === 0) return next();
    next(new ApiError('overloaded', `new work is refused until Redis has room again: ${reasons.map((r) => r.message).join('; ')}`, reasons));
  };

  private async read(): Promise<void> {
    const [memory, counts] = await Promise.all([this.readMemory(), this.rt.queues.steps.getJobCounts('waiting', 'prioritized')]);
    if (!memory) return; // a Cluster client not connected yet
    const backlog = Number(counts.waiting ?? 0) + Number(counts.prioritized ?? 0);
    const reasons: OverloadReason[] = [];
    const { usedMemory, maxmemory, memoryLimit } = memory;
    if (memoryLimit !== null && usedMemory >= memoryLimit) {
      const of = 'percent' in this.o.maxMemory ? ` (FLOWGATE_MAX_MEMORY ${this.o.maxMemory.percent}% of maxmemory ${mb(maxmemory)})` : ' (FLOWGATE_MAX_MEMORY)';
      reasons.push({ reason: 'memory', message: `Redis uses ${mb(usedMemory)}, past the limit of ${mb(memoryLimit)}${of}`, value: usedMemory, limit: memoryLimit });
    }
    if (backlog >= this.o.maxBacklog) {
      reasons.push({ reason: 'backlog', message: `${backlog} step jobs are waiting, past FLOWGATE_MAX_BACKLOG (${this.o.maxBacklog})`, value: backlog, limit: this.o.maxBacklog });
    }
    const was = this.current.reasons.map((r) => r.reason).join(',');
    this.current = { usedMemory, maxmemory, memoryLimit, backlog, reasons, readAt: Date.now() };
    const now = reasons.map((r) => r.reason).join(',');
    if (now !== was) {
      if (reasons.length > 0) this.o.log.warn({ reasons }, 'overloaded: refusing new alerts and runs');
      else this.o.log.info({ usedMemory, memoryLimit, backlog }, 'no longer overloaded: accepting new alerts and runs');
    }
    const m = this.o.metrics;
    if (m) {
      m.redisUsedMemory.set(usedMemory);
      m.redisMaxmemory.set(maxmemory);
      m.memoryLimit.set(memoryLimit ?? 0);
      m.stepsBacklog.set(backlog);
      for (const reason of ['memory', 'backlog'] as const) m.overloaded.set({ reason }, reasons.some((r) => r.reason === reason) ? 1 : 0);
    }
  }

  /** One Redis, or every master of a Cluster: the fullest one (closest to its limit) counts. */
  private async readMemory(): Promise<{ usedMemory: number; maxmemory: number; memoryLimit: number | null } | null> {
    const redis = this.rt.redis;
    const infos = isCluster(redis) ? await Promise.all((redis as unknown as ClusterNodes).nodes('master').map((node) => node.info('memory'))) : [await redis.info('memory')];
    let fullest: { usedMemory: number; maxmemory: number; memoryLimit: number | null; ratio: number } | null = null;
    for (const info of infos) {
      const { usedMemory, maxmemory } = parseMemoryInfo(info);
      const memoryLimit = memoryLimitOf(this.o.maxMemory, maxmemory);
      const ratio = memoryLimit !== null ? usedMemory / memoryLimit : maxmemory > 0 ? usedMemory / maxmemory : 0;
      if (!fullest || ratio > fullest.ratio || (ratio === fullest.ratio && usedMemory > fullest.usedMemory)) fullest = { usedMemory, maxmemory, memoryLimit, ratio };
    }
    return fullest;
  }

  private readFailed(err: Error): void {
    // Redis unreachable: the connection's own log says so, and requests answer redis_unavailable.
    if (isRedisConnectionError(err)) return;
    if (Date.now() - this.lastFailureLog < 60_000) return;
    this.lastFailureLog = Date.now();
    this.o.log.warn({ err: err.message }, 'overload check: could not read Redis memory or the backlog; the last state is kept');
  }
}
