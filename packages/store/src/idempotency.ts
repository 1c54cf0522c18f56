import { randomUUID } from 'node:crypto';
import { Keys } from './keys';
import type { RedisClient } from './scripts';

/** The in-progress marker: `__pending__:<token>` (the token of the request holding the lease). */
const PENDING = '__pending__';

/** How long an in-progress marker lives unless its request renews it (docs/api.md "Idempotency"). */
export const IDEMPOTENCY_LEASE_MS = 60_000;

// Compare-and-act on the marker: only the request whose token it holds renews or releases it, so a
// renewal never shortens a final answer and a late release never drops another request's marker.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const defined = new WeakSet<object>();

function scripts(redis: RedisClient): { fgIdemRenew(key: string, marker: string, ms: number): Promise<number>; fgIdemRelease(key: string, marker: string): Promise<number> } {
  if (!defined.has(redis)) {
    redis.defineCommand('fgIdemRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('fgIdemRelease', { numberOfKeys: 1, lua: RELEASE });
    defined.add(redis);
  }
  return redis as never;
}

export function isPendingMarker(value: string): boolean {
  return value.startsWith(PENDING);
}

export interface IdempotencyOptions {
  /** the in-progress lease (default 60 s); its holder renews it every third of it */
  leaseMs?: number;
}

/**
 * Alert-ingestion idempotency (docs/api.md "Idempotency"): a key is reserved before executions are
 * created, with a short lease that its request renews while it works (`LeaseKeeper`), so that a
 * process that dies mid-request blocks the retries for one lease only; the final answer is kept for
 * the full TTL. A repeat gets the stored answer; a concurrent duplicate waits up to `waitMs` for it.
 */
export class IdempotencyStore {
  readonly leaseMs: number;

  constructor(
    readonly redis: RedisClient,
    readonly keys: Keys = new Keys(),
    options: IdempotencyOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS;
  }

  /** A fresh token for one request's reservations (every key it reserves carries it). */
  static token(): string {
    return randomUUID();
  }

  /**
   * 'reserved' when the caller goes first (the key then holds `token`'s marker for one lease: renew
   * it with a `LeaseKeeper`); else the stored answer, or 'busy' after waiting `waitMs` in vain.
   */
  async reserve(keyName: string, key: string, token: string, waitMs = 5000): Promise<'reserved' | 'busy' | { status: number; body: unknown }> {
    const k = this.keys.idempotency(keyName, key);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const ok = await this.redis.set(k, `${PENDING}:${token}`, 'PX', this.leaseMs, 'NX');
      if (ok === 'OK') return 'reserved';
      const existing = await this.redis.get(k);
      if (existing === null) continue;
      if (!isPendingMarker(existing)) return JSON.parse(existing);
      if (Date.now() >= deadline) return 'busy';
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Extends the leases of `keys` that still hold `token`'s marker (an answer or another request's marker is left alone). */
  async renew(keyName: string, keys: string[], token: string): Promise<void> {
    const s = scripts(this.redis);
    await Promise.all(keys.map((key) => s.fgIdemRenew(this.keys.idempotency(keyName, key), `${PENDING}:${token}`, this.leaseMs)));
  }

  /** Stores the final answer for the full TTL. */
  async complete(keyName: string, key: string, ttlMs: number, answer: { status: number; body: unknown }): Promise<void> {
    await this.redis.set(this.keys.idempotency(keyName, key), JSON.stringify(answer), 'PX', ttlMs);
  }

  /** Gives the key up after a failure, so that a retry can go through (only while it holds `token`'s marker). */
  async release(keyName: string, key: string, token: string): Promise<void> {
    await scripts(this.redis).fgIdemRelease(this.keys.idempotency(keyName, key), `${PENDING}:${token}`);
  }

  /**
   * Progress of a request that may fail part-way (a `_bulk` with an `Idempotency-Key`): what each
   * finished unit (a line) created, in a hash kept for the full TTL beside the request's key, so that
   * the retry skips those units. `progressKey` is the request key's own namespace for it.
   */
  async recordProgress(keyName: string, progressKey: string, ttlMs: number, done: Record<string, string>): Promise<void> {
    if (Object.keys(done).length === 0) return;
    const k = this.keys.idempotency(keyName, progressKey);
    await this.redis.multi().hset(k, done).pexpire(k, ttlMs).exec();
  }

  /** The units a previous attempt finished: unit → what it recorded. */
  async progress(keyName: string, progressKey: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.keys.idempotency(keyName, progressKey))));
  }

  async dropProgress(keyName: string, progressKey: string): Promise<void> {
    await this.redis.del(this.keys.idempotency(keyName, progressKey));
  }
}

/**
 * Renews the leases a request holds, every third of a lease, until `stop()`. A key is renewed
 * from `hold` until `drop` (once answered or released). On a Redis error it stops quietly: the
 * request goes on, and at worst its markers lapse after one lease.
 */
export class LeaseKeeper {
  readonly token = IdempotencyStore.token();
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly keyName: string,
  ) {}

  hold(key: string): void {
    if (this.stopped) return;
    this.held.add(key);
    if (!this.timer) {
      this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.store.leaseMs / 3)));
      this.timer.unref();
    }
  }

  drop(key: string): void {
    this.held.delete(key);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.store.renew(this.keyName, [...this.held], this.token);
    } catch {
      this.stop();
    }
  }

  stop(): void {
    this.stopped = true;
    this.held.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
