/**
 * The case index (`fg:x:cases`, docs/storage.md "Cases") on a real redis-server: the case and its
 * index entry are two writes in two hash slots, so a worker can die between them. Neither order of a
 * crash may leave a case that exists but is never listed.
 */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { CaseStore, Keys } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());

const storeOn = (client: IORedis = redis) => new CaseStore(client, new Keys(`t${randomUUID().slice(0, 8)}`));

it('a step run again after a crash between the case write and its index entry lists the case (same opKey)', async () => {
  const cases = storeOn();
  const first = await cases.create({ title: 'Potential compromise: h', severity: 'high', executionId: 'E1', opKey: 'E1/open_case' });
  // What a worker killed between the two writes leaves: the case, without its index entry.
  expect(await redis.zrem(cases.keys.cases(), `${Date.parse(first.createdAt)}:${first.id}`)).toBe(1);
  expect((await cases.list({ limit: 10 })).results).toEqual([]);

  const again = await cases.create({ title: 'Potential compromise: h', severity: 'high', executionId: 'E1', opKey: 'E1/open_case' });
  expect(again).toEqual(first);
  expect((await cases.list({ limit: 10 })).results).toEqual([first]);
  // Re-adding is idempotent: one entry, the one of the first write.
  expect(await redis.zrange(cases.keys.cases(), 0, -1)).toEqual([`${Date.parse(first.createdAt)}:${first.id}`]);
  const third = await cases.create({ title: 'Potential compromise: h', severity: 'high', executionId: 'E1', opKey: 'E1/open_case' });
  expect(third).toEqual(first);
  expect((await cases.list({ limit: 10 })).results).toEqual([first]);
  expect(await redis.zcard(cases.keys.cases())).toBe(1);
});

it('a case with a fresh id (the API, no opKey) is indexed before it is written: a crash in between leaves no unlisted case', async () => {
  const client = redis.duplicate();
  try {
    const cases = storeOn(client);
    const seen: { member: string; caseExisted: number }[] = [];
    const zadd = client.zadd.bind(client) as (...args: unknown[]) => Promise<unknown>;
    jest.spyOn(client, 'zadd').mockImplementation((async (...args: unknown[]) => {
      const member = String(args[2]);
      seen.push({ member, caseExisted: await redis.exists(cases.keys.case(member.slice(member.indexOf(':') + 1))) });
      return zadd(...args);
    }) as never);
    const created = await cases.create({ title: 'From the API', severity: 'low' });
    expect(seen).toEqual([{ member: `${Date.parse(created.createdAt)}:${created.id}`, caseExisted: 0 }]);
    expect((await cases.list({ limit: 10 })).results).toEqual([created]);
  } finally {
    client.disconnect();
  }
});
