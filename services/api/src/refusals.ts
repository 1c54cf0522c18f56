/**
 * Refused answer attempts (400, 403, 409 on resume), counted per API key name and execution over a
 * sliding minute: a key past the limit gets 429 on its next resumes of that execution until its
 * oldest refusal there is a minute old. Every attempt is recorded on the wait (docs/semantics.md
 * "Waiting for a human"): without a limit, a reviewer key in a loop would fill the record with
 * refusals. Per execution, so that a reviewer losing many races (each a 409) on many executions is
 * never throttled. Per API process, like the other limits; at most `maxKeys` (key, execution) pairs
 * are tracked (least recently used first out).
 */
import { LruCache } from '@flowgate/template';

export const REFUSALS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

export class RefusalLimiter {
  private readonly byKey: LruCache<string, number[]>;

  constructor(
    readonly perMinute = REFUSALS_PER_MINUTE,
    private readonly now: () => number = Date.now,
    maxKeys = 10_000,
  ) {
    this.byKey = new LruCache(maxKeys);
  }

  /** Seconds until `keyName` may resume `executionId` again, or 0 when it may now. */
  retryAfter(keyName: string, executionId: string): number {
    const times = this.recent(`${keyName} ${executionId}`);
    if (times.length < this.perMinute) return 0;
    return Math.max(1, Math.ceil((times[0] + WINDOW_MS - this.now()) / 1000));
  }

  /** Counts one refused attempt of `keyName` on `executionId`. */
  note(keyName: string, executionId: string): void {
    const key = `${keyName} ${executionId}`;
    const times = this.recent(key);
    times.push(this.now());
    this.byKey.set(key, times);
  }

  private recent(keyName: string): number[] {
    const since = this.now() - WINDOW_MS;
    const times = (this.byKey.get(keyName) ?? []).filter((t) => t > since);
    this.byKey.set(keyName, times);
    return times;
  }
}
