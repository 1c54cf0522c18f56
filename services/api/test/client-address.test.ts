/**
 * docs/api.md "Authentication and roles": behind a trusted proxy (FLOWGATE_TRUSTED_PROXIES), the client is the
 * right-most address of X-Forwarded-For that is not a trusted proxy; authentication failures count per
 * IPv4 address and per IPv6 /64 (IPv4-mapped IPv6 as IPv4), and a valid key is never refused.
 * This test process is the "proxy" (127.0.0.1) and writes X-Forwarded-For itself.
 */
import { System, expectError } from './util';

let sys: System;

beforeAll(async () => {
  sys = await System.start({ workers: 0, env: { FLOWGATE_TRUSTED_PROXIES: '10.9.0.0/16, 127.0.0.1' } });
}, 60_000);
afterAll(async () => sys?.stop());

/** A request without a valid key, from `xff` as the proxy forwards it. */
const wrong = (xff: string) => sys.request('GET', '/api/workflows', { key: null, headers: { authorization: 'ApiKey wrong-key', 'x-forwarded-for': xff } });

async function failFifty(xff: (i: number) => string): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++) statuses.push((await wrong(xff(i))).status);
  expect(statuses).toEqual(Array(50).fill(401));
}

it('believes X-Forwarded-For from a trusted proxy: the right-most untrusted address is the client', async () => {
  // A client may put anything on the left; the proxies (127.0.0.1, 10.9.x.x) are skipped from the right.
  await failFifty((i) => `192.0.2.${i}, 203.0.113.7, 10.9.0.1`);
  expectError(await wrong('203.0.113.7'), 429, 'rate_limited');
  expectError(await wrong('198.51.100.1, 203.0.113.7, 10.9.3.3'), 429, 'rate_limited');
  const blocked = await wrong('203.0.113.7');
  expect(blocked.body.error.message).toContain('203.0.113.7');
  // other clients behind the same proxy are not blocked, nor is one that only claims to be on the left
  expectError(await wrong('203.0.113.8'), 401, 'unauthorized');
  expectError(await wrong('203.0.113.7, 203.0.113.9'), 401, 'unauthorized');
  // nor is the proxy itself, for requests it makes on its own behalf
  expectError(await sys.request('GET', '/api/workflows', { key: null, headers: { authorization: 'ApiKey wrong-key' } }), 401, 'unauthorized');
});

it('counts IPv6 clients by their /64 and IPv4-mapped IPv6 as IPv4', async () => {
  await failFifty((i) => `2001:db8:1:2::${(i + 1).toString(16)}`);
  expectError(await wrong('2001:db8:1:2:ffff:ffff:ffff:ffff'), 429, 'rate_limited');
  expectError(await wrong('2001:db8:1:3::1'), 401, 'unauthorized');

  await failFifty(() => '::ffff:198.51.100.77');
  expectError(await wrong('198.51.100.77'), 429, 'rate_limited');
  expectError(await wrong('198.51.100.78'), 401, 'unauthorized');
});

it('never refuses a valid key from a blocked client', async () => {
  await failFifty(() => '203.0.113.40');
  expectError(await wrong('203.0.113.40'), 429, 'rate_limited');
  const ok = await sys.request('GET', '/api/workflows', { key: 'viewer', headers: { 'x-forwarded-for': '203.0.113.40' } });
  expect(ok.status).toBe(200);
  const ingest = await sys.request('POST', '/api/alerts?workflowId=nothing-matches', { key: 'ingest', body: { host: { name: 'h' } }, headers: { 'x-forwarded-for': '203.0.113.40' } });
  expect(ingest.status).toBe(202);
});
