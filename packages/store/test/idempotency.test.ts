/** Alert-ingestion idempotency on a real redis-server: leases, renewals, answers, progress (docs/api.md "Idempotency"). */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { IdempotencyStore, Keys, LeaseKeeper } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const store = (leaseMs = 300) => new IdempotencyStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`), { leaseMs });

const free = async (s: IdempotencyStore, key: string) => (await s.reserve('k', key, 'probe', { waitMs: 0 })) === 'reserved';

describe('IdempotencyStore', () => {
  it('reserves with a lease, not the TTL: a marker nobody renews lapses and the key can be reserved again', async () => {
    const s = store();
    expect(await s.reserve('k', 'a:1', 'dead', { waitMs: 0, ttlMs: 3_600_000 })).toBe('reserved');
    expect(await redis.pttl(s.keys.idempotency('k', 'a:1'))).toBeGreaterThan(3_500_000);
    expect(await s.reserve('k', 'a:1', 'other', { waitMs: 100 })).toBe('busy');
    expect(await s.reserve('k', 'a:1', 'other', { waitMs: 1000 })).toBe('reserved');
    expect(s.leaseMs).toBe(300);
    expect(new IdempotencyStore(redis).leaseMs).toBe(60_000);
  });

  it('renews and releases only its own marker; an answer is kept for the TTL and never shortened', async () => {
    const s = store();
    const key = s.keys.idempotency('k', 'a:2');
    await s.reserve('k', 'a:2', 'mine', { waitMs: 0 });
    await s.renew('k', ['a:2'], 'theirs');
    await s.release('k', 'a:2', 'theirs');
    expect(await redis.get(key)).toMatch(/^__pending__:mine:\d+:$/);
    await sleep(200);
    await s.renew('k', ['a:2'], 'mine');
    await sleep(200); // 400 ms after the reservation: alive only because it was renewed
    expect(await s.reserve('k', 'a:2', 'other', { waitMs: 0 })).toBe('busy');
    await s.complete('k', 'a:2', 3_600_000, { status: 202, body: { executions: [] } });
    await s.renew('k', ['a:2'], 'mine');
    await s.release('k', 'a:2', 'mine');
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);
    expect(await s.reserve('k', 'a:2', 'again', { waitMs: 0 })).toEqual({ status: 202, body: { executions: [] } });
    // released without an intended answer: free at once
    await s.reserve('k', 'a:4', 'mine', { waitMs: 0 });
    await s.release('k', 'a:4', 'mine');
    expect(await redis.exists(s.keys.idempotency('k', 'a:4'))).toBe(0);
    // a marker written by an older version (no token) still reads as in progress
    await redis.set(s.keys.idempotency('k', 'a:3'), '__pending__', 'PX', 60_000);
    expect(await s.reserve('k', 'a:3', 'x', { waitMs: 50 })).toBe('busy');
  });

  it('hands the intended answer of a request whose lease passed to the next one, and keeps the first one through every takeover', async () => {
    const s = store();
    const first = { status: 202, body: { executions: [{ executionId: 'E1', workflowId: 'w' }] } };
    const second = { status: 202, body: { executions: [{ executionId: 'E2', workflowId: 'w' }] } };
    expect(await s.reserve('k', 'a:i', 'dies', { waitMs: 0, intended: first })).toBe('reserved');
    expect(await s.reserve('k', 'a:i', 'retry', { waitMs: 0, intended: second })).toBe('busy');
    expect(await s.reserve('k', 'a:i', 'retry', { waitMs: 1000, intended: second })).toEqual({ takenOver: first });
    // the retry dies too: the next one still learns the first request's ids, not the retry's
    expect(await s.reserve('k', 'a:i', 'third', { waitMs: 1000, intended: second })).toEqual({ takenOver: first });
    // a release ends the lease at once but keeps the intended answer for the next request to check
    await s.release('k', 'a:i', 'third');
    expect(await s.reserve('k', 'a:i', 'fourth', { waitMs: 0, intended: second })).toEqual({ takenOver: first });
    await s.complete('k', 'a:i', 60_000, first);
    expect(await s.reserve('k', 'a:i', 'fifth', { waitMs: 0 })).toEqual(first);
  });

  it('keeps the progress of a request for the TTL until it is dropped', async () => {
    const s = store();
    await s.recordProgress('k', 'bp:r', 3_600_000, { '1': 'A,B', '3': '' });
    await s.recordProgress('k', 'bp:r', 3_600_000, {});
    expect(await s.progress('k', 'bp:r')).toEqual(new Map([['1', 'A,B'], ['3', '']]));
    expect(await redis.pttl(s.keys.idempotency('k', 'bp:r'))).toBeGreaterThan(3_500_000);
    await s.dropProgress('k', 'bp:r');
    expect(await s.progress('k', 'bp:r')).toEqual(new Map());
  });
});

describe('LeaseKeeper', () => {
  it('renews the keys it holds every third of a lease, until they are dropped or it stops', async () => {
    const s = store();
    const keeper = new LeaseKeeper(s, 'k');
    for (const k of ['a:h1', 'a:h2']) {
      expect(await s.reserve('k', k, keeper.token, { waitMs: 0 })).toBe('reserved');
      keeper.hold(k);
    }
    await sleep(700);
    expect(await s.reserve('k', 'a:h1', 'probe', { waitMs: 0 })).toBe('busy');
    expect(await s.reserve('k', 'a:h2', 'probe', { waitMs: 0 })).toBe('busy');
    keeper.drop('a:h1');
    await sleep(500);
    expect(await free(s, 'a:h1')).toBe(true);
    expect(await s.reserve('k', 'a:h2', 'probe', { waitMs: 0 })).toBe('busy');
    keeper.stop();
    await sleep(500);
    expect(await free(s, 'a:h2')).toBe(true);
  });

  it('stops quietly when Redis fails: no unhandled rejection, the lease lapses', async () => {
    const connection = redis.duplicate();
    const s = new IdempotencyStore(connection, new Keys(`t${randomUUID().slice(0, 8)}`), { leaseMs: 150 });
    const keeper = new LeaseKeeper(s, 'k');
    expect(await s.reserve('k', 'a:x', keeper.token, { waitMs: 0 })).toBe('reserved');
    keeper.hold('a:x');
    connection.disconnect();
    await sleep(400);
    expect(await free(new IdempotencyStore(redis, s.keys, { leaseMs: 150 }), 'a:x')).toBe(true);
    keeper.hold('a:y'); // after it stopped: ignored
    keeper.stop();
  });
});
