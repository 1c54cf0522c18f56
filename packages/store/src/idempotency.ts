import { randomUUID } from 'node:crypto';
import { Keys } from './keys';
import type { RedisClient } from './scripts';

/**
 * The in-progress marker: `__pending__:<token>:<until>:<intended answer>`, where `token` names the
 * request holding it, `until` (ms, Redis's clock) is the end of its lease, and the intended answer
 * (JSON, or empty) is what the request will answer: the ids of the executions it is about to write.
 * The marker lives for the full TTL; only its lease is short. A request that dies, or loses Redis,
 * stops renewing: once its lease has passed, the next request with the key takes the marker over
 * and learns the intended answer, so that it can tell whether those executions were written.
 */
const PENDING = '__pending__';

/** How long an in-progress marker's lease lasts unless its request renews it (docs/api.md "Idempotency"). */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const DEFAULT_TTL_MS = 24 * 3600_000;

// KEYS[1] the idempotency key. ARGV[1] the token, ARGV[2] the lease (ms), ARGV[3] the TTL (ms),
// ARGV[4] the intended answer ('' for none).
// Returns {'reserved'} (the key was free), {'answer', <json>} (answered before), {'busy'} (another
// request holds a live lease, or a marker written before leases existed), {'taken', <intended>} (the
// lease of another request had passed: the marker is now this request's, with the earlier request's
// intended answer if it had one, returned).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local v = redis.call('GET', KEYS[1])
local function mark(intended)
  redis.call('SET', KEYS[1], '${PENDING}:' .. ARGV[1] .. ':' .. (now + tonumber(ARGV[2])) .. ':' .. intended, 'PX', ARGV[3])
end
if not v then mark(ARGV[4]) return {'reserved'} end
if string.sub(v, 1, ${PENDING.length}) ~= '${PENDING}' then return {'answer', v} end
local _, _, lease, intended = string.find(v, '^${PENDING}:[^:]*:(%d+):(.*)$')
if not lease or tonumber(lease) > now then return {'busy'} end
-- An earlier request's intended answer stays: its executions may exist, and their ids are the ones
-- every retry uses.
if intended ~= '' then mark(intended) else mark(ARGV[4]) end
return {'taken', intended}`;

// KEYS[1] the idempotency key. ARGV[1] the token, ARGV[2] the lease (ms), or -1 to end it now.
// Only the marker of ARGV[1] is touched: a renewal never shortens an answer, a late release never
// drops another request's marker. Ending a lease keeps an intended answer for the next request to check.
const RELEASE_OR_RENEW = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local prefix = '${PENDING}:' .. ARGV[1] .. ':'
if string.sub(v, 1, #prefix) ~= prefix then return 0 end
local _, _, intended = string.find(v, '^%d+:(.*)$', #prefix + 1)
if tonumber(ARGV[2]) < 0 then
  if intended == '' then return redis.call('DEL', KEYS[1]) end
  redis.call('SET', KEYS[1], prefix .. '0:' .. intended, 'KEEPTTL')
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], prefix .. (now + tonumber(ARGV[2])) .. ':' .. intended, 'KEEPTTL')
return 1`;

const defined = new WeakSet<object>();

interface IdempotencyScripts {
  fgIdemReserve(key: string, token: string, leaseMs: number, ttlMs: number, intended: string): Promise<string[]>;
  fgIdemLease(key: string, token: string, leaseMs: number): Promise<number>;
}

function scripts(redis: RedisClient): IdempotencyScripts {
  if (!defined.has(redis)) {
    redis.defineCommand('fgIdemReserve', { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand('fgIdemLease', { numberOfKeys: 1, lua: RELEASE_OR_RENEW });
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

/** A stored idempotent answer: the same status and body for every repeat. */
export interface IdempotentAnswer {
  status: number;
  body: unknown;
}

export interface ReserveOptions {
  /** how long a concurrent duplicate waits for the first answer (default 5 s) */
  waitMs?: number;
  /** how long the marker, then the answer, is kept (default 24 h) */
  ttlMs?: number;
  /** what this request will answer once it has written its executions */
  intended?: IdempotentAnswer | null;
}

/**
 * The outcome of a reservation: 'reserved' (go on), 'busy' (another request is at it), the stored
 * answer, or `{ takenOver }`: an earlier request meant to answer that and stopped before it did
 * (it died or lost Redis) — the caller checks which of those executions exist before going on.
 */
export type Reservation = 'reserved' | 'busy' | IdempotentAnswer | { takenOver: IdempotentAnswer };

/**
 * Alert-ingestion idempotency (docs/api.md "Idempotency"): a key is reserved before executions are
 * created, with a short lease that its request renews while it works (`LeaseKeeper`) and the
 * answer it intends to give, so that a request that dies mid-way holds the key for one lease only and
 * its retry answers with the executions it wrote (or writes them) instead of starting the alert
 * twice; the final answer is kept for the full TTL. A repeat gets the stored answer; a concurrent
 * duplicate waits up to `waitMs` for it.
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
   * Reserves `key` for the request of `token` (renew it with a `LeaseKeeper`), waiting up to
   * `waitMs` while another request holds a live lease.
   */
  async reserve(keyName: string, key: string, token: string, options: ReserveOptions = {}): Promise<Reservation> {
    const k = this.keys.idempotency(keyName, key);
    const deadline = Date.now() + (options.waitMs ?? 5000);
    const intended = options.intended ? JSON.stringify(options.intended) : '';
    for (;;) {
      const [outcome, value] = await scripts(this.redis).fgIdemReserve(k, token, this.leaseMs, options.ttlMs ?? DEFAULT_TTL_MS, intended);
      if (outcome === 'reserved') return 'reserved';
      if (outcome === 'answer') return JSON.parse(value) as IdempotentAnswer;
      if (outcome === 'taken') return value ? { takenOver: JSON.parse(value) as IdempotentAnswer } : 'reserved';
      if (Date.now() >= deadline) return 'busy';
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Extends the leases of `keys` that still hold `token`'s marker (an answer or another request's marker is left alone). */
  async renew(keyName: string, keys: string[], token: string): Promise<void> {
    const s = scripts(this.redis);
    await Promise.all(keys.map((key) => s.fgIdemLease(this.keys.idempotency(keyName, key), token, this.leaseMs)));
  }

  /** Stores the final answer for the full TTL. */
  async complete(keyName: string, key: string, ttlMs: number, answer: IdempotentAnswer): Promise<void> {
    await this.redis.set(this.keys.idempotency(keyName, key), JSON.stringify(answer), 'PX', ttlMs);
  }

  /**
   * Gives the key up after a failure, so that a retry can go through at once (only while it holds
   * `token`'s marker). A marker with an intended answer is kept, its lease ended: the executions
   * may have been written, and the retry checks.
   */
  async release(keyName: string, key: string, token: string): Promise<void> {
    await scripts(this.redis).fgIdemLease(this.keys.idempotency(keyName, key), token, -1);
  }

  /**
   * Progress of a request that may fail part-way (a `_bulk` with an `Idempotency-Key`): what each
   * unit (a line) created or is about to create, in a hash kept for the full TTL beside the request's
   * key, so that the retry skips those units. `progressKey` is the request key's own namespace for it.
   */
  async recordProgress(keyName: string, progressKey: string, ttlMs: number, done: Record<string, string>): Promise<void> {
    if (Object.keys(done).length === 0) return;
    const k = this.keys.idempotency(keyName, progressKey);
    await this.redis.multi().hset(k, done).pexpire(k, ttlMs).exec();
  }

  /** The units a previous attempt recorded: unit → what it recorded. */
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
