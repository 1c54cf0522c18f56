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

describe('IdempotencyStore', () => {
  it('reserves with a lease, not the TTL: a marker nobody renews lapses and the key can be reserved again', async () => {
    const s = store();
    expect(await s.reserve('k', 'a:1', 'dead', 0)).toBe('reserved');
    const pttl = await redis.pttl(s.keys.idempotency('k', 'a:1'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    expect(await s.reserve('k', 'a:1', 'other', 100)).toBe('busy');
    expect(await s.reserve('k', 'a:1', 'other', 1000)).toBe('reserved');
    expect(s.leaseMs).toBe(300);
    expect(new IdempotencyStore(redis).leaseMs).toBe(60_000);
  });

  it('renews and releases only its own marker; an answer is kept for the TTL and never shortened', async () => {
    const s = store();
    const key = s.keys.idempotency('k', 'a:2');
    await s.reserve('k', 'a:2', 'mine', 0);
    await s.renew('k', ['a:2'], 'theirs');
    await s.release('k', 'a:2', 'theirs');
    expect(await redis.get(key)).toBe('__pending__:mine');
    await sleep(200);
    await s.renew('k', ['a:2'], 'mine');
    expect(await redis.pttl(key)).toBeGreaterThan(250);
    await s.complete('k', 'a:2', 3_600_000, { status: 202, body: { executions: [] } });
    await s.renew('k', ['a:2'], 'mine');
    await s.release('k', 'a:2', 'mine');
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);
    expect(await s.reserve('k', 'a:2', 'again', 0)).toEqual({ status: 202, body: { executions: [] } });
    // a marker written by an older version (no token) still reads as in progress
    await redis.set(s.keys.idempotency('k', 'a:3'), '__pending__', 'PX', 60_000);
    expect(await s.reserve('k', 'a:3', 'x', 50)).toBe('busy');
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
      expect(await s.reserve('k', k, keeper.token, 0)).toBe('reserved');
      keeper.hold(k);
    }
    await sleep(700);
    expect(await redis.exists(s.keys.idempotency('k', 'a:h1'), s.keys.idempotency('k', 'a:h2'))).toBe(2);
    keeper.drop('a:h1');
    await sleep(500);
    expect(await redis.exists(s.keys.idempotency('k', 'a:h1'))).toBe(0);
    expect(await redis.exists(s.keys.idempotency('k', 'a:h2'))).toBe(1);
    keeper.stop();
    await sleep(500);
    expect(await redis.exists(s.keys.idempotency('k', 'a:h2'))).toBe(0);
  });

  it('stops quietly when Redis fails: no unhandled rejection, the lease lapses', async () => {
    const connection = redis.duplicate();
    const s = new IdempotencyStore(connection, new Keys(`t${randomUUID().slice(0, 8)}`), { leaseMs: 150 });
    const keeper = new LeaseKeeper(s, 'k');
    expect(await s.reserve('k', 'a:x', keeper.token, 0)).toBe('reserved');
    keeper.hold('a:x');
    connection.disconnect();
    await sleep(400);
    expect(await redis.exists(s.keys.idempotency('k', 'a:x'))).toBe(0);
    keeper.hold('a:y'); // after it stopped: ignored
    keeper.stop();
  });
});
