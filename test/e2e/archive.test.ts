/**
 * The archive end to end (issue "Run for months at high volume", docs/operations.md "Archive"): a real
 * redis-server, the API and two worker processes with FLOWGATE_RETENTION=2s and FLOWGATE_ARCHIVE
 * pointed at the local Elasticsearch-protocol stand-in (test/fixtures/elasticsearch-server.ts, in this
 * process, reached by the official client over loopback). Finished executions leave Redis only once
 * archived, are read back through the API, and survive an archive outage in Redis.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { System, KEY_NAMES } from '../helpers/system';
import { waitFor } from '../helpers/net';
import { startElasticsearchServer, type ElasticsearchServer } from '../fixtures/elasticsearch-server';

let sys: System;
let es: ElasticsearchServer;
let redis: ReturnType<System['redis']['client']>;

const QUICK = `
name: Quick
triggers: [{ type: manual }]
steps:
  - name: hello
    type: console
    with: { message: "hello {{ inputs.n }}" }
`;
const GATE = `
name: Gate
triggers: [{ type: manual }]
steps:
  - name: review
    type: waitForInput
    with:
      message: "Isolate {{ inputs.n }}?"
      schema: { type: object, properties: { approved: { type: boolean } }, required: [approved] }
  - name: after
    type: console
    with: { message: "approved={{ steps.review.output.approved }}" }
`;

beforeAll(async () => {
  es = await startElasticsearchServer({ seed: false });
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-archive-'));
  const connectors = join(dir, 'connectors.yaml');
  writeFileSync(connectors, `connectors:\n  archive:\n    type: elasticsearch\n    url: ${es.url}\n`);
  sys = await System.start({
    workers: 2,
    env: { FLOWGATE_RETENTION: '2s', FLOWGATE_ARCHIVE: 'archive', FLOWGATE_CONNECTORS: connectors, FLOWGATE_RECONCILE_MS: '200' },
  });
  redis = sys.redis.client();
  await sys.putWorkflow('quick', QUICK);
  await sys.putWorkflow('gate', GATE);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  await es?.close();
});

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

async function run(workflowId: string, n: number): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${workflowId}/run`, { key: 'editor', body: { inputs: { n } } });
  if (r.status !== 202) throw new Error(`run ${workflowId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.executionId;
}

/** Every key in Redis, once (one SCAN instead of one per execution). */
async function allKeys(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', '*', 'COUNT', 5000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** The ids still in Redis: keys carrying their hash tag `{<id>}`, or entries in the index sets. */
async function leftInRedis(ids: string[]): Promise<string[]> {
  const wanted = new Set(ids);
  const left = new Set<string>();
  for (const key of await allKeys()) {
    const m = /\{([0-9A-Z]{26})\}/.exec(key);
    if (m && wanted.has(m[1])) left.add(m[1]);
  }
  const sets = ['fg:x:fin', 'fg:x:wf:quick', 'fg:x:wf:gate', ...['COMPLETED', 'FAILED', 'CANCELLED', 'RUNNING', 'PENDING', 'WAITING_FOR_INPUT'].map((s) => `fg:x:st:${s}`)];
  for (const key of sets) for (const id of await redis.zrange(key, 0, -1)) if (wanted.has(id)) left.add(id);
  return [...left];
}

const archivedIds = () => new Set(es.documents.filter((d) => d._index.startsWith('flowgate-executions-')).map((d) => d._id));

describe('with the archive up', () => {
  const quick: string[] = [];
  const gated: string[] = [];

  it('500 finished executions (40 answered by a reviewer) leave Redis within 30 s, each archived once and read back through the API', async () => {
    gated.push(...(await pool(Array.from({ length: 40 }, (_, i) => i), 20, (i) => run('gate', i))));
    quick.push(...(await pool(Array.from({ length: 460 }, (_, i) => i), 25, (i) => run('quick', i))));
    await pool(gated, 20, (id) => sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT'));
    // A refused answer first on some, then the reviewer's accepted one on all.
    await pool(gated.slice(0, 10), 10, async (id) => expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: 'yes' } })).status).toBe(400));
    await pool(gated, 20, async (id) => expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } })).status).toBe(200));

    const all = [...quick, ...gated];
    const started = Date.now();
    let left: string[] = all;
    await waitFor(async () => (left = await leftInRedis(all)).length === 0, 30_000, `all 500 executions to leave Redis (${left.length} left)`, 250).catch((err) => {
      throw new Error(`${err.message}\n${sys.output.slice(-20).join('')}`);
    });
    expect(Date.now() - started).toBeLessThan(30_000);

    // One document per execution, in the month of its finishedAt.
    const docs = es.documents.filter((d) => all.includes(d._id));
    expect(docs).toHaveLength(500);
    for (const d of docs) expect(d._index).toBe(`flowgate-executions-${(d._source.finishedAt as string).slice(0, 4)}.${(d._source.finishedAt as string).slice(5, 7)}`);
    expect(es.templates.has('flowgate-executions')).toBe(true);

    const views = await pool(all, 25, async (id) => {
      const r = await sys.request('GET', `/api/workflowExecutions/${id}`, { key: 'viewer' });
      expect(r.status).toBe(200);
      return r.body;
    });
    for (const v of views) expect(v).toMatchObject({ archived: true, status: 'COMPLETED' });
    const q = views[0];
    expect(q).toMatchObject({ id: quick[0], workflowId: 'quick', inputs: { n: 0 }, steps: [{ path: 'hello', status: 'COMPLETED', output: expect.anything() }] });
    expect(q).not.toHaveProperty('respondedBy');
    const g = views[quick.length];
    expect(g.id).toBe(gated[0]);
    expect(g.steps.map((s: any) => s.path)).toEqual(['review', 'after']);
    expect(g.steps[0]).toMatchObject({ status: 'COMPLETED', output: { approved: true }, respondedBy: KEY_NAMES.reviewer, respondedAt: expect.any(String) });
    expect(g.steps[0].responses).toEqual([
      { by: KEY_NAMES.reviewer, at: expect.any(String), accepted: false, code: 400, channel: 'api' },
      { by: KEY_NAMES.reviewer, at: expect.any(String), accepted: true, code: 200, channel: 'api' },
    ]);

    // An archived execution is a finished one: 409 as in Redis; an unknown id stays 404.
    const late = await sys.request('POST', `/api/workflowExecutions/${gated[0]}/resume`, { key: 'reviewer', body: { approved: false } });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'not_waiting', details: [{ status: 'COMPLETED', step: 'review', respondedBy: KEY_NAMES.reviewer }] });
    expect((await sys.request('POST', `/api/workflowExecutions/${quick[0]}/cancel`, { key: 'reviewer' })).body.error).toMatchObject({ code: 'already_finished' });
    expect((await sys.request('GET', '/api/workflowExecutions/01JZZZZZZZZZZZZZZZZZZZZZZZ', { key: 'viewer' })).status).toBe(404);
  }, 60_000);

  it('?archived=true finds them with the list filters and pages with a cursor', async () => {
    const answered = await sys.request('GET', `/api/workflowExecutions?archived=true&respondedBy=${KEY_NAMES.reviewer}&limit=500`, { key: 'viewer' });
    expect(answered.status).toBe(200);
    expect(new Set(answered.body.results.map((r: any) => r.id))).toEqual(new Set(gated));
    expect(answered.body.results[0]).toEqual({
      id: expect.any(String),
      workflowId: 'gate',
      workflowName: 'Gate',
      status: 'COMPLETED',
      createdAt: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      waitingFor: null,
      summary: { host: null, user: null, rule: null, severity: null, riskScore: null, alertId: null },
      group: expect.any(String),
      rerunOf: null,
      parent: null,
      answeredBy: { by: KEY_NAMES.reviewer, at: expect.any(String), step: 'review', channel: 'api' },
      cancellation: null,
      error: null,
    });
    expect((await sys.request('GET', `/api/workflowExecutions?archived=true&respondedBy=${KEY_NAMES.reviewer2}`, { key: 'viewer' })).body.results).toEqual([]);

    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const r = await sys.request('GET', `/api/workflowExecutions?archived=true&workflowId=quick&status=completed&order=asc&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { key: 'viewer' });
      expect(r.status).toBe(200);
      seen.push(...r.body.results.map((x: any) => x.id));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toHaveLength(quick.length);
    expect(new Set(seen)).toEqual(new Set(quick));

    const firstAt = answered.body.results.map((r: any) => r.createdAt).sort()[0];
    const from = await sys.request('GET', `/api/workflowExecutions?archived=true&workflowId=gate&from=${encodeURIComponent(firstAt)}&to=2999-01-01&limit=500`, { key: 'viewer' });
    expect(from.body.results).toHaveLength(40);
    const none = await sys.request('GET', `/api/workflowExecutions?archived=true&workflowId=gate&to=${encodeURIComponent(firstAt)}`, { key: 'viewer' });
    expect(none.body.results).toEqual([]);
    const bad = await sys.request('GET', '/api/workflowExecutions?archived=true&from=yesterday', { key: 'viewer' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('"from"');
    expect((await sys.request('GET', '/api/workflowExecutions?archived=true&cursor=01JZZZZZZZZZZZZZZZZZZZZZZZ', { key: 'viewer' })).status).toBe(400);
  });
});

describe('with the archive down', () => {
  it('keeps newly finished executions in Redis through many sweep passes, shows the archive failing, then archives and removes them once it is back', async () => {
    const before = archivedIds();
    const archivedOne = [...before][0];
    es.faults.down = true;
    const ids = await pool(Array.from({ length: 20 }, (_, i) => i), 10, (i) => run('quick', 1000 + i));
    await pool(ids, 10, (id) => sys.waitForExecution(id));

    // Retention (2 s) passes, then several sweep passes (every 200 ms, backing off): nothing leaves.
    await waitFor(async () => {
      const h = (await sys.request('GET', '/api/health', { key: null })).body;
      return h.archive?.status === 'failing';
    }, 15_000, 'the archive to show failing in /api/health', 100);
    await new Promise((r) => setTimeout(r, 3000));
    for (const id of ids) {
      const e = await sys.request('GET', `/api/workflowExecutions/${id}`, { key: 'viewer' });
      expect(e.body).toMatchObject({ id, status: 'COMPLETED', archived: false });
    }
    expect((await leftInRedis(ids)).sort()).toEqual([...ids].sort());
    expect(ids.some((id) => archivedIds().has(id))).toBe(false);

    const health = await sys.request('GET', '/api/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.body.archive).toEqual({ status: 'failing', lastError: expect.stringContaining('elasticsearch connector "archive"'), since: expect.stringMatching(/Z$/) });
    const metrics = (await sys.request('GET', '/metrics', { key: null })).body as string;
    expect(metrics).toMatch(/^flowgate_archive_up 0$/m);
    expect(Number(/^flowgate_archive_failures_total\{kind="request"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^flowgate_archive_backlog (\d+)$/m.exec(metrics)?.[1])).toBe(20);
    expect(Number(/^flowgate_archive_last_success_timestamp_seconds ([\d.]+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    // Reads that need the archive answer 503 naming it, never 500.
    const gone = await sys.request('GET', `/api/workflowExecutions/${archivedOne}`, { key: 'viewer' });
    expect(gone.status).toBe(503);
    expect(gone.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('the archive (elasticsearch connector "archive"') });
    expect((await sys.request('GET', '/api/workflowExecutions?archived=true', { key: 'viewer' })).status).toBe(503);

    // Back: all archived, then removed; the status is ok again.
    es.faults.down = false;
    await waitFor(async () => (await leftInRedis(ids)).length === 0, 30_000, 'the 20 executions to be archived and removed', 250);
    for (const id of ids) expect(archivedIds().has(id)).toBe(true);
    expect((await sys.request('GET', `/api/workflowExecutions/${ids[0]}`, { key: 'viewer' })).body).toMatchObject({ id: ids[0], archived: true, inputs: { n: 1000 } });
    await waitFor(async () => (await sys.request('GET', '/api/health', { key: null })).body.archive?.status === 'ok', 5000, 'the archive to show ok', 100);
    expect((await sys.request('GET', '/api/health', { key: null })).body.archive).toEqual({ status: 'ok', lastError: null, since: expect.stringMatching(/Z$/) });
    expect((await sys.request('GET', '/metrics', { key: null })).body).toMatch(/^flowgate_archive_up 1$/m);
  }, 60_000);
});
