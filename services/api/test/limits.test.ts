/**
 * docs/api.md "Authentication and roles" rate limits: FLOWGATE_RATE_LIMIT_INGEST (alerts per second per key) and 50
 * authentication failures per minute from one address → 429 with Retry-After for requests without a
 * valid key. The address limit blocks this test process's address, so it runs last in its own System.
 * (Addresses behind trusted proxies: client-address.test.ts.)
 */
import { System, consoleWorkflow, expectError, uid } from './util';

let sys: System;
const WF = uid('limited');

beforeAll(async () => {
  sys = await System.start({ workers: 1, env: { FLOWGATE_RATE_LIMIT_INGEST: '5' } });
  await sys.putWorkflow(WF, consoleWorkflow('limits'));
}, 60_000);
afterAll(async () => sys?.stop());

it('limits ingestion per key to FLOWGATE_RATE_LIMIT_INGEST alerts per second, with Retry-After', async () => {
  const results = [];
  for (let i = 0; i < 12; i++) results.push(await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'ingest', body: { n: i } }));
  const statuses = results.map((r) => r.status);
  expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
  const limited = results.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expectError(limited[0], 429, 'rate_limited');
  expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  // another key has its own budget
  expect((await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'admin', body: { n: 'admin' } })).status).toBe(202);
  // and the budget comes back
  await new Promise((r) => setTimeout(r, 1100));
  expect((await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'ingest', body: { n: 'later' } })).status).toBe(202);
});

it('answers 429 with Retry-After after 50 authentication failures in a minute from one address; a valid key from that address is still served', async () => {
  // Without FLOWGATE_TRUSTED_PROXIES, X-Forwarded-For is not believed: these all come from this process's address.
  const failures = await Promise.all(
    Array.from({ length: 50 }, (_, i) => sys.request('GET', '/api/workflows', { key: null, headers: { 'x-forwarded-for': `198.51.100.${i}`, ...(i % 2 ? { authorization: `ApiKey wrong-${i}` } : {}) } })),
  );
  expect(failures.map((r) => r.status)).toEqual(Array(50).fill(401));

  const blocked = await sys.request('GET', '/api/workflows', { key: null, headers: { authorization: 'ApiKey wrong-again' } });
  expectError(blocked, 429, 'rate_limited');
  const retryAfter = Number(blocked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);

  expectError(await sys.request('GET', '/api/workflows', { key: null, headers: { 'x-forwarded-for': '203.0.113.250' } }), 429, 'rate_limited');

  // the key is checked first: a valid key from the blocked address (the SIEM behind the same NAT as
  // a misconfigured client) is served, for every role...
  expect((await sys.request('GET', '/api/workflows', { key: 'admin' })).status).toBe(200);
  expect((await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'ingest', body: { n: 'blocked-address' } })).status).toBe(202);
  // ...and a valid key with a role lacking the permission still gets its 403, not 429
  expectError(await sys.request('POST', `/api/alerts?workflowId=${WF}`, { key: 'viewer', body: {} }), 403, 'forbidden');
  // while a wrong key is still refused
  expectError(await sys.request('GET', '/api/workflows', { key: null, headers: { authorization: 'ApiKey wrong-once-more' } }), 429, 'rate_limited');
  // endpoints without authentication still answer
  expect((await sys.request('GET', '/api/health', { key: null })).status).toBe(200);
  expect((await fetch(`${sys.baseUrl}/metrics`)).status).toBe(200);
});
