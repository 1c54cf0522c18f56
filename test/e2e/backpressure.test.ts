/**
 * docs/operations.md "Backpressure": before Redis refuses writes, the API refuses new work. A real
 * redis-server with `maxmemory 64mb` and `noeviction` is filled through `POST /api/alerts/_bulk`
 * with executions that wait for a reviewer: ingestion ends in `503 overloaded` with Retry-After,
 * never a 500; every alert answered 202 has its execution; a resume is still accepted; once Redis has
 * room again (maxmemory raised at run time), ingestion is accepted again within seconds. Then: an
 * OOM answer from Redis is a 503 on any route, and FLOWGATE_MAX_BACKLOG refuses ingestion.
 */
import IORedis from 'ioredis';
import { startRedis } from '../helpers/redis-server';
import { System } from '../helpers/system';

const NDJSON = { 'content-type': 'application/x-ndjson' };
const PADDING = 'x'.repeat(3000);

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

function expectOverloaded(r: { status: number; body: any; headers: Headers }, reason?: string): void {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status: 503, code: 'overloaded' });
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  if (reason) expect(r.body.error.details.map((d: any) => d.reason)).toContain(reason);
}

async function memory(redis: IORedis): Promise<{ used: number; max: number }> {
  const info = await redis.info('memory');
  return { used: Number(/^used_memory:(\d+)/m.exec(info)![1]), max: Number(/^maxmemory:(\d+)/m.exec(info)![1]) };
}

describe('a Redis with maxmemory 64mb', () => {
  let sys: System;
  let redis: IORedis;

  beforeAll(async () => {
    const server = await startRedis({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction', '--hash-max-listpack-value', '1024', '--zset-max-listpack-value', '128'] });
    sys = await System.start({ redis: server, workers: 2 });
    redis = server.client();
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await sys?.redis.stop();
  });

  it('refuses ingestion with 503 overloaded before Redis is full, still accepts resumes, and accepts again once there is room', async () => {
    await sys.putWorkflow(
      'gate',
      'name: Gate\ntriggers: [{ type: alert }, { type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    with: { message: "host {{ event.alerts[0].host.name }}" }\n  - name: after\n    type: data.set\n    with: { ok: true }\n',
    );

    // 1. Ingest until refused: every answer is 202 or 503, never a 500. (A SIEM's pace: requests of 150
    // alerts back to back. The check reads Redis every 200 ms this close to the limit; a client that
    // adds more than the headroom between two reads would reach Redis's own OOM, also a 503.)
    const accepted = new Set<string>();
    let refused: { status: number; body: any; headers: Headers } | null = null;
    let n = 0;
    for (let request = 0; request < 400 && !refused; request++) {
      const hosts = Array.from({ length: 150 }, () => `h${n++}`);
      const r = await sys.request('POST', '/api/alerts/_bulk', { key: 'ingest', raw: hosts.map((h) => JSON.stringify({ host: { name: h }, padding: PADDING })).join('\n'), headers: NDJSON });
      expect([202, 503]).toContain(r.status);
      if (r.status === 202) {
        expect(r.body).toMatchObject({ accepted: 150, executions: 150, errors: [] });
        for (const h of hosts) accepted.add(h);
      } else refused = r;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused).not.toBeNull();
    expectOverloaded(refused!, 'memory'); // refused by the API's check, before Redis's own OOM
    expect(accepted.size).toBeGreaterThan(2000);
    const { used, max } = await memory(redis);
    expect(max).toBe(64 * 1024 * 1024);

    // 2. While ingestion is refused: single alerts and runs too; health says degraded; metrics say why.
    expectOverloaded(await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: 'one-more' } } }));
    expectOverloaded(await sys.request('POST', '/api/workflows/gate/run', { key: 'editor', body: { inputs: {} } }));
    const health = await sys.request('GET', '/api/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', redis: 'ok' });
    expect(health.body.reasons.map((r: any) => r.reason)).toEqual(['memory']);
    const metrics = await (await fetch(`${sys.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^flowgate_overloaded\{reason="memory"\} 1$/m);
    expect(metrics).toMatch(/^flowgate_redis_maxmemory_bytes 67108864$/m);
    expect(Number(/^flowgate_redis_used_memory_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0.8 * max);

    // ... but a resume is accepted (it lets an execution finish). Redis itself still has room:
    // the API stopped ingestion before Redis refused writes.
    expect(used).toBeLessThan(max);
    let waiting: any;
    await until('an execution waiting for review', async () => {
      waiting = (await sys.request('GET', '/api/workflowExecutions?status=WAITING_FOR_INPUT&limit=1')).body.results[0];
      return Boolean(waiting);
    }, 20_000).catch(async (err) => {
      throw new Error(`${err.message}: ${JSON.stringify(await memory(redis))} used at refusal ${used} accepted ${accepted.size} ${JSON.stringify(refused!.body)}\n${sys.output.slice(-10).join('')}`);
    });
    const resume = await sys.request('POST', `/api/workflowExecutions/${waiting.id}/resume`, { key: 'reviewer', body: { approved: true } });
    if (resume.status !== 200) throw new Error(`${JSON.stringify(resume.body)} ${JSON.stringify(await memory(redis))} used at refusal ${used} accepted ${accepted.size}\n${sys.output.slice(-10).join('')}`);

    // 3. Room again (maxmemory raised at run time, as an operator would): accepted again within seconds.
    await redis.config('SET', 'maxmemory', '512mb');
    const ms = await until('ingestion to be accepted again', async () => (await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: 'after' } } })).status === 202, 5000);
    expect(ms).toBeLessThan(5000);
    expect((await sys.request('GET', '/api/health', { key: null })).body).toEqual({ status: 'ok', redis: 'ok' });

    // 4. Every alert answered 202 has its execution, waiting for its review (one answered above).
    expect((await sys.waitForExecution(waiting.id)).status).toBe('COMPLETED');
    const hosts = new Set<string>();
    await until('every accepted alert to wait for review', async () => {
      hosts.clear();
      let cursor: string | null = null;
      do {
        const page: any = (await sys.request('GET', `/api/workflowExecutions?workflowId=gate&status=WAITING_FOR_INPUT&limit=500${cursor ? `&cursor=${cursor}` : ''}`)).body;
        for (const e of page.results) hosts.add(e.waitingFor.title.replace(/^host /, ''));
        cursor = page.nextCursor;
      } while (cursor);
      return hosts.size >= accepted.size - 1;
    }, 30_000);
    const missing = [...accepted].filter((h) => !hosts.has(h));
    expect(missing.length).toBeLessThanOrEqual(1); // the one resumed above
  }, 60_000);
});

describe('out of memory and backlog', () => {
  let sys: System;
  let redis: IORedis;

  beforeAll(async () => {
    // Limits that only the test reaches: the memory check never refuses first, so Redis's own OOM answers.
    sys = await System.start({ workers: 0, env: { FLOWGATE_MAX_MEMORY: '1000gb', FLOWGATE_MAX_BACKLOG: '30' } });
    redis = sys.redis.client();
    await sys.putWorkflow('gate', 'name: Gate\ntriggers: [{ type: alert }, { type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    with: { message: "ok?" }\n');
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
  });

  it('answers a write Redis refuses at maxmemory (OOM) with 503 overloaded on any route, never 500', async () => {
    const run = await sys.request('POST', '/api/workflows/gate/run', { key: 'editor', body: { inputs: {} } });
    expect(run.status).toBe(202);
    await redis.config('SET', 'maxmemory', '1');
    try {
      const yaml = 'name: Other\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: hi }\n';
      const answers = [
        await sys.request('PUT', '/api/workflows/other', { raw: yaml, headers: { 'content-type': 'application/yaml' } }),
        await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: 'x' } } }),
        await sys.request('POST', '/api/workflows/gate/run', { key: 'editor', body: { inputs: {} } }),
        await sys.request('POST', `/api/workflowExecutions/${run.body.executionId}/cancel`, { key: 'reviewer' }),
      ];
      for (const r of answers) expectOverloaded(r, 'redis_oom');
      // Reads are served.
      expect((await sys.request('GET', `/api/workflowExecutions/${run.body.executionId}`)).status).toBe(200);
      expect((await sys.request('GET', '/api/workflows')).status).toBe(200);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect((await sys.request('POST', `/api/workflowExecutions/${run.body.executionId}/cancel`, { key: 'reviewer' })).status).toBe(200);
  });

  it('refuses ingestion past FLOWGATE_MAX_BACKLOG waiting step jobs, and accepts again once workers drain it', async () => {
    // No worker runs: every alert leaves its first step job waiting.
    let refused: { status: number; body: any; headers: Headers } | null = null;
    let accepted = 0;
    await until('ingestion to be refused', async () => {
      const r = await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: `b${accepted}` } } });
      expect([202, 503]).toContain(r.status);
      if (r.status === 202) accepted++;
      else refused = r;
      return refused !== null;
    }, 10_000);
    expectOverloaded(refused!, 'backlog');
    expect(accepted).toBeGreaterThanOrEqual(29); // with the run of the test above, 30 step jobs wait
    expectOverloaded(await sys.request('POST', '/api/alerts/_bulk', { key: 'ingest', raw: '{"a":1}\n', headers: NDJSON }), 'backlog');
    const health = await sys.request('GET', '/api/health', { key: null });
    expect(health.body).toMatchObject({ status: 'degraded', reasons: [{ reason: 'backlog', limit: 30 }] });

    sys.startWorker();
    await until('ingestion to be accepted again', async () => (await sys.request('POST', '/api/alerts', { key: 'ingest', body: { host: { name: 'later' } } })).status === 202, 15_000);
  }, 30_000);
});
