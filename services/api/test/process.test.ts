/**
 * The API process (docs/operations.md "Configuration"): invalid configuration → one line on stderr and exit 1; no keys → 401
 * everywhere; 503 until Redis answers; SIGTERM → finishes requests in flight and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort, waitFor } from '../../../test/helpers/net';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { ROOT } from '../../../test/helpers/system';
import { expectError } from './util';

const MAIN = join(ROOT, 'services', 'api', 'dist', 'main.js');
const children: ChildProcess[] = [];
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

function startApi(env: Record<string, string | undefined>): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const base = { ...process.env, FLOWGATE_HOST: '127.0.0.1', FLOWGATE_LOG_LEVEL: 'warn' } as Record<string, string | undefined>;
  delete base.FLOWGATE_API_KEYS;
  const child = spawn(process.execPath, [MAIN], { env: { ...base, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/health`)).status === 200;
  } catch {
    return false;
  }
}

describe('invalid configuration', () => {
  it.each([
    ['a malformed key entry', { FLOWGATE_API_KEYS: 'alice:reviewer:s3cret-one-0123456789abcdef0123456789,bob-reviewer' }, /entry 2 \("bob-reviewer"\)/],
    ['an unknown role', { FLOWGATE_API_KEYS: 'alice:approver:s3cret-one-0123456789abcdef0123456789' }, /entry 1 \("alice:approver:\*\*\*"\).*unknown role "approver"/],
    ['a duplicate name', { FLOWGATE_API_KEYS: 'alice:reviewer:s3cret-one-0123456789abcdef0123456789,alice:viewer:s3cret-two-0123456789abcdef0123456789' }, /entry 2 \("alice:viewer:\*\*\*"\).*duplicate name "alice"/],
    ['a bad name', { FLOWGATE_API_KEYS: 'al ice:reviewer:s3cret-one-0123456789abcdef0123456789' }, /entry 1/],
    ['an empty secret', { FLOWGATE_API_KEYS: 'alice:reviewer:' }, /entry 1.*secret is empty/],
    ['a secret shorter than 32 characters', { FLOWGATE_API_KEYS: 'siem:ingest:s3cret-one-0123456789abcdef0123456789,alice:reviewer:s3cret-0123456789abcdef01234' }, /^flowgate api: FLOWGATE_API_KEYS: entry 2 \("alice:reviewer:\*\*\*"\): the secret is shorter than 32 characters/],
    ['a metrics key shorter than 32 characters', { FLOWGATE_METRICS_KEY: 's3cret-metrics' }, /^flowgate api: FLOWGATE_METRICS_KEY: the key is shorter than 32 characters/],
    ['a trusted proxy that is not an address', { FLOWGATE_TRUSTED_PROXIES: '10.0.0.1, proxy.internal' }, /^flowgate api: FLOWGATE_TRUSTED_PROXIES: "proxy.internal" is not an IP address or a CIDR/],
    ['a bad port', { FLOWGATE_PORT: '99999' }, /FLOWGATE_PORT/],
    ['a bad idempotency TTL', { FLOWGATE_IDEMPOTENCY_TTL: 'forever' }, /FLOWGATE_IDEMPOTENCY_TTL/],
    ['a bad ingest rate limit', { FLOWGATE_RATE_LIMIT_INGEST: '-3' }, /FLOWGATE_RATE_LIMIT_INGEST/],
    ['a workflows folder that does not exist', { FLOWGATE_WORKFLOWS: '/no/such/folder' }, /FLOWGATE_WORKFLOWS/],
    ['a bad memory limit', { FLOWGATE_MAX_MEMORY: 'lots' }, /FLOWGATE_MAX_MEMORY: "lots" is not a size/],
    ['a memory share over 100%', { FLOWGATE_MAX_MEMORY: '120%' }, /FLOWGATE_MAX_MEMORY: "120%"/],
    ['a bad backlog limit', { FLOWGATE_MAX_BACKLOG: '0' }, /FLOWGATE_MAX_BACKLOG: "0"/],
  ])('stops on %s with one line on stderr and exit 1', async (_what, env, pattern) => {
    const api = startApi({ FLOWGATE_REDIS_URL: redis.url, FLOWGATE_PORT: '0', ...env });
    expect(await api.exited).toBe(1);
    const lines = api.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).not.toContain('s3cret');
  });
});

describe('running', () => {
  it('answers 401 on every authenticated endpoint when no keys are configured', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    startApi({ FLOWGATE_REDIS_URL: redis.url, FLOWGATE_PORT: String(port), FLOWGATE_API_KEYS: '' });
    await waitFor(() => healthy(url), 20_000, 'the API');
    for (const [method, path] of [
      ['GET', '/api/workflows'],
      ['PUT', '/api/workflows/x'],
      ['POST', '/api/alerts'],
      ['POST', '/api/alerts/_bulk'],
      ['GET', '/api/workflowExecutions'],
      ['POST', '/api/workflowExecutions/x/resume'],
      ['GET', '/api/cases'],
    ]) {
      for (const authorization of [undefined, 'ApiKey anything', 'Bearer ']) {
        const r = await fetch(`${url}${path}`, { method, headers: authorization ? { authorization } : {} });
        expectError({ status: r.status, body: await r.json() }, 401, 'unauthorized');
      }
    }
  });

  it('answers 503 until Redis answers, then 200', async () => {
    const redisPort = await freePort();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    startApi({ FLOWGATE_REDIS_URL: `redis://127.0.0.1:${redisPort}`, FLOWGATE_PORT: String(port), FLOWGATE_API_KEYS: 'a:admin:secret-secret-0123456789abcdef0123456789' });
    await waitFor(async () => {
      try {
        return (await fetch(`${url}/api/health`)).status === 503;
      } catch {
        return false;
      }
    }, 20_000, 'the API to listen');
    const down = await fetch(`${url}/api/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ redis: 'unavailable', error: { code: 'redis_unavailable' } });
    expect(down.headers.get('retry-after')).toBe('2');
    const api = await fetch(`${url}/api/workflows`, { headers: { authorization: 'ApiKey secret-secret-0123456789abcdef0123456789' } });
    expect(api.status).toBe(503);
    expect(((await api.json()) as any).error.code).toBe('unavailable');

    const late = spawn(process.env.FLOWGATE_REDIS_SERVER || 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(late);
    await waitFor(() => healthy(url), 20_000, 'the API to become healthy');
    expect((await fetch(`${url}/api/workflows`, { headers: { authorization: 'ApiKey secret-secret-0123456789abcdef0123456789' } })).status).toBe(200);
  }, 40_000);

  it('on SIGTERM stops accepting connections, finishes the request in flight, and exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = startApi({ FLOWGATE_REDIS_URL: redis.url, FLOWGATE_PORT: String(port), FLOWGATE_API_KEYS: 'siem:ingest:ingest-secret-0123456789abcdef0123456789' });
    await waitFor(() => healthy(url), 20_000, 'the API');
    // A duplicate of a request that never answers waits 5 s before its 409: a long request in flight.
    const client = new IORedis(redis.url);
    await client.set('fg:idem:siem:a:slow', '__pending__', 'PX', 60_000);
    client.disconnect();
    const t0 = Date.now();
    const inFlight = fetch(`${url}/api/alerts`, { method: 'POST', headers: { authorization: 'ApiKey ingest-secret-0123456789abcdef0123456789', 'content-type': 'application/json', 'idempotency-key': 'slow' }, body: '{}' });
    await new Promise((r) => setTimeout(r, 300));
    api.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    const answer = await inFlight;
    expect(answer.status).toBe(409);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4500);
    expect(await api.exited).toBe(0);
  }, 30_000);
});
