import { Keys } from './keys';
import type { RedisClient } from './scripts';

const PENDING = '__pending__';

/**
 * Alert-ingestion idempotency (docs/api.md "Alert ingestion"): a key is reserved before executions are created; a
 * repeat gets the stored answer; a concurrent duplicate waits up to `waitMs` for the first answer.
 */
export class IdempotencyStore {
  constructor(readonly redis: RedisClient, readonly keys: Keys = new Keys()) {}

  /** 'reserved' when the caller goes first; else the stored answer, or 'busy' after waiting in vain. */
  async reserve(keyName: string, key: string, ttlMs: number, waitMs = 5000): Promise<'reserved' | 'busy' | { status: number; body: unknown }> {
    const k = this.keys.idempotency(keyName, key);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const ok = await this.redis.set(k, PENDING, 'PX', ttlMs, 'NX');
      if (ok === 'OK') return 'reserved';
      const existing = await this.redis.get(k);
      if (existing && existing !== PENDING) return JSON.parse(existing);
      if (existing === null) continue;
      if (Date.now() >= deadline) return 'busy';
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async complete(keyName: string, key: string, ttlMs: number, answer: { status: number; body: unknown }): Promise<void> {
    await this.redis.set(this.keys.idempotency(keyName, key), JSON.stringify(answer), 'PX', ttlMs);
  }

  /** Gives the key up after a failure, so that a retry can go through. */
  async release(keyName: string, key: string): Promise<void> {
    await this.redis.del(this.keys.idempotency(keyName, key));
  }
}
