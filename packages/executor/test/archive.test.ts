/**
 * The archive (docs/operations.md "Archive") on a real redis-server, with the official Elasticsearch
 * client against the local Elasticsearch-protocol stand-in (test/fixtures/elasticsearch-server.ts):
 * finished executions are indexed before they leave Redis, and only those whose document was
 * acknowledged leave; an outage keeps everything and backs off. The clock is injected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type IORedis from 'ioredis';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import {
  ARCHIVE_TEMPLATE,
  archiveBackoff,
  archivedView,
  archiveFromEnv,
  archiveIndex,
  cancelExecution,
  readArchiveStatus,
  resumeExecution,
  sweepFinished,
  type ArchiveSweepResult,
  type ElasticsearchArchive,
} from '../src';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { startElasticsearchServer, type ElasticsearchServer } from '../../../test/fixtures/elasticsearch-server';

let server: RedisServer;
let redis: IORedis;
let es: ElasticsearchServer;
let connectors: ConnectorRegistry;
let archive: ElasticsearchArchive;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  es = await startElasticsearchServer({ seed: false });
  connectors = parseConnectors(`connectors:\n  archive:\n    type: elasticsearch\n    url: ${es.url}\n  edr:\n    type: http\n    url: http://127.0.0.1:1\n`, {});
  archive = archiveFromEnv({ FLOWGATE_ARCHIVE: 'archive', FLOWGATE_CONNECTORS: 'connectors.yaml' }, connectors)!;
});
afterAll(async () => {
  await connectors.close();
  await es.close();
  await server.stop();
});
beforeEach(() => {
  h = new ExecutorHarness(redis);
  es.faults.down = false;
  es.faults.refuse = null;
  es.faults.failItem = null;
});
afterEach(async () => h.close());

const header = 'name: T\ntriggers: [{ type: manual }]\n';
const LOOP = `${header}steps:\n  - name: each\n    type: foreach\n    foreach: '\${{ inputs.hosts }}'\n    steps:\n      - name: say\n        type: console\n        with: { message: "{{ foreach.item }}" }\n`;
const ASK = `${header}steps:\n  - name: review\n    type: waitForApproval\n    with: { message: ok? }\n  - name: after\n    type: console\n    with: { message: done }\n`;
const FAIL = `${header}steps:\n  - name: boom\n    type: workflow.fail\n    with: { message: no }\n`;

/** Every key in Redis that carries the execution's hash tag. */
async function keysOf(id: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `*{${id}}*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

const inFinished = async (id: string) => (await redis.zscore(h.rt.keys.finished(), id)) !== null;
const docOf = (id: string) => es.documents.find((d) => d._id === id);
const sweep = (now: number, extra: Record<string, unknown> = {}) => sweepFinished(h.rt, 'me', { retentionMs: 60_000, now, archive, ...extra }) as Promise<ArchiveSweepResult>;

async function finished(n: number, yaml = FAIL, id = 'fail'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await h.start(id, yaml));
  for (const x of ids) await h.done(x);
  return ids;
}

it('archives each finished execution as one document (the API view, answers with channel, respondedBy), then removes it; the waiting one stays', async () => {
  const looped = await h.start('loop', LOOP, { inputs: { hosts: ['a', 'b'] } });
  const answered = await h.start('ask', ASK);
  const cancelled = await h.start('ask', ASK);
  const waiting = await h.start('ask', ASK);
  for (const id of [answered, cancelled, waiting]) await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  await h.rt.executions.appendResponse(answered, 'review', { by: 'victor', at: new Date().toISOString(), accepted: false, code: 403 });
  expect(await resumeExecution(h.rt, answered, { approved: true }, 'alice')).toMatchObject({ ok: true });
  expect(await resumeExecution(h.rt, answered, { approved: false }, 'bob')).toMatchObject({ ok: false, code: 'not_waiting' });
  expect(await cancelExecution(h.rt, cancelled, { reason: 'user', by: 'carol' })).toMatchObject({ ok: true });
  for (const id of [looped, answered, cancelled]) await h.done(id);
  const finishedAt = (await h.rt.executions.load(answered))!.finishedAt!;

  expect(await sweep(Date.now())).toEqual({ removed: 0, archived: 0, kept: 0, deferred: false });
  expect(es.documents).toHaveLength(0);

  expect(await sweep(Date.now() + 61_000)).toEqual({ removed: 3, archived: 3, kept: 0, deferred: false });
  for (const id of [looped, answered, cancelled]) {
    expect(await keysOf(id)).toEqual([]);
    expect(await inFinished(id)).toBe(false);
    expect(es.documents.filter((d) => d._id === id)).toHaveLength(1);
  }
  expect((await h.rt.executions.load(waiting))!.status).toBe('WAITING_FOR_INPUT');
  expect(docOf(waiting)).toBeUndefined();
  // The template went in before the first documents.
  expect(es.templates.get('flowgate-executions')).toEqual(JSON.parse(JSON.stringify(ARCHIVE_TEMPLATE)));

  const doc = docOf(answered)!;
  expect(doc._index).toBe(archiveIndex(finishedAt));
  expect(doc._index).toMatch(/^flowgate-executions-\d{4}\.\d\d$/);
  expect(doc._source).toMatchObject({
    id: answered,
    workflowId: 'ask',
    workflowName: 'T',
    status: 'COMPLETED',
    trigger: 'manual',
    triggeredBy: 'tester',
    createdAt: expect.stringMatching(/Z$/),
    finishedAt: new Date(finishedAt).toISOString(),
    respondedBy: ['alice'],
    archivedAt: expect.stringMatching(/Z$/),
    waitingFor: null,
  });
  const steps = doc._source.steps as any[];
  expect(steps.map((s) => s.path)).toEqual(['review', 'after']);
  expect(steps[0]).toMatchObject({ type: 'waitForApproval', status: 'COMPLETED', output: { approved: true }, respondedBy: 'alice', respondedAt: expect.any(String) });
  expect(steps[0].responses).toEqual([
    { by: 'victor', at: expect.any(String), accepted: false, code: 403, channel: 'api' },
    { by: 'alice', at: expect.any(String), accepted: true, code: 200, channel: 'api' },
    { by: 'bob', at: expect.any(String), accepted: false, code: 409, channel: 'api' },
  ]);
  expect(steps[1]).not.toHaveProperty('responses');
  expect(docOf(cancelled)!._source).toMatchObject({ status: 'CANCELLED', respondedBy: [], cancellation: { reason: 'user', by: 'carol' } });
  expect((docOf(looped)!._source.steps as any[]).map((s) => s.path)).toEqual(['each', 'each[0]/say', 'each[1]/say']);

  // Read back as the API answers it: the live view's shape, archived.
  const back = await archive.get(answered);
  expect(back).toEqual(doc._source);
  const view = archivedView(back!);
  expect(view).toMatchObject({ id: answered, archived: true, status: 'COMPLETED' });
  expect(view).not.toHaveProperty('respondedBy');
  expect(await archive.get('01NOTARCHIVED0000000000000')).toBeNull();
  expect(await readArchiveStatus(h.rt)).toMatchObject({ status: 'ok', lastError: null, failures: 0, retryAt: 0, backlog: 0, archivedTotal: 3 });
});

it('keeps an execution whose document is refused, reads past it in the same pass, and archives it at a later pass', async () => {
  const ids = await finished(6);
  const bad = ids[1];
  es.faults.failItem = (id) => (id === bad ? { status: 400, type: 'document_parsing_exception', reason: 'failed to parse field [event]' } : null);
  const later = Date.now() + 61_000;
  // batch 2: the refused one is read past, so the pass still reaches all the others
  expect(await sweep(later, { batch: 2 })).toEqual({ removed: 5, archived: 5, kept: 1, deferred: false });
  expect(await keysOf(bad)).toEqual([h.rt.keys.execution(bad)]);
  expect(await inFinished(bad)).toBe(true);
  expect(docOf(bad)).toBeUndefined();
  expect(await readArchiveStatus(h.rt)).toMatchObject({ status: 'ok', failures: 0, backlog: 1, itemFailuresTotal: 1, lastError: expect.stringContaining(`execution ${bad}: document_parsing_exception`) });

  // Refused again: no backoff for a refused document (the archive answers), the others are not held up.
  expect(await sweep(later)).toMatchObject({ removed: 0, archived: 0, kept: 1, deferred: false });
  es.faults.failItem = null;
  expect(await sweep(later)).toEqual({ removed: 1, archived: 1, kept: 0, deferred: false });
  expect(await keysOf(bad)).toEqual([]);
  expect(docOf(bad)!._source).toMatchObject({ id: bad, status: 'FAILED', error: expect.objectContaining({ step: 'boom' }) });
  expect(await readArchiveStatus(h.rt)).toMatchObject({ status: 'ok', lastError: null, backlog: 0 });
});

it('an unreachable archive keeps everything in Redis, backs off exponentially up to the cap, records its status; once back, archives all, then removes', async () => {
  const ids = await finished(4);
  const t = Date.now() + 61_000;
  es.faults.down = true;
  const first = await sweep(t);
  expect(first).toMatchObject({ removed: 0, archived: 0, deferred: false, error: expect.stringContaining('the archive (elasticsearch connector "archive"') });
  let status = await readArchiveStatus(h.rt);
  expect(status).toMatchObject({ status: 'failing', since: t, failures: 1, retryAt: t + 1000, backlog: 4, failuresTotal: 1, lastError: expect.stringContaining('unavailable') });

  // Within the backoff: nothing is tried.
  const requests = es.requests.length;
  expect(await sweep(t + 999)).toEqual({ removed: 0, archived: 0, kept: 0, deferred: true });
  expect(es.requests.length).toBe(requests);
  // Each failure doubles the delay: 1 s, 2 s, 4 s, then the cap (here 5 s).
  let now = t + 1000;
  for (const expected of [2000, 4000, 5000, 5000]) {
    expect(await sweep(now, { backoffMaxMs: 5000 })).toMatchObject({ removed: 0, error: expect.any(String) });
    status = await readArchiveStatus(h.rt);
    expect(status.retryAt - now).toBe(expected);
    expect(status.since).toBe(t); // failing since the first failure
    now = status.retryAt;
  }
  expect(status).toMatchObject({ status: 'failing', failures: 5, failuresTotal: 5 });
  for (const id of ids) {
    expect(await keysOf(id)).toEqual([h.rt.keys.execution(id)]);
    expect(await inFinished(id)).toBe(true);
  }

  // Refusing every request (503) is an outage too.
  es.faults.down = false;
  es.faults.refuse = 503;
  expect(await sweep(now)).toMatchObject({ removed: 0, error: expect.stringContaining('Elasticsearch answered 503') });
  now = (await readArchiveStatus(h.rt)).retryAt;
  // So is every item refused with 429 (bulk rejections): kept, and backed off.
  es.faults.refuse = null;
  es.faults.failItem = () => ({ status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution' });
  expect(await sweep(now)).toMatchObject({ removed: 0, kept: 4, error: expect.stringContaining('refused every document: es_rejected_execution_exception') });
  expect(await readArchiveStatus(h.rt)).toMatchObject({ status: 'failing', failures: 7 });
  now = (await readArchiveStatus(h.rt)).retryAt;

  // Back: everything is archived, then removed, and the status says so.
  es.faults.failItem = null;
  expect(await sweep(now)).toEqual({ removed: 4, archived: 4, kept: 0, deferred: false });
  for (const id of ids) {
    expect(await keysOf(id)).toEqual([]);
    expect(docOf(id)).toBeDefined();
  }
  expect(await readArchiveStatus(h.rt)).toMatchObject({ status: 'ok', since: now, lastError: null, failures: 0, retryAt: 0, lastSuccess: now, backlog: 0 });
});

it('searches the archive with the list filters, newest first, paged by search_after', async () => {
  const asked = await h.start('ask', ASK);
  const other = await h.start('ask', ASK);
  for (const id of [asked, other]) await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  await resumeExecution(h.rt, asked, { approved: true }, 'alice');
  await resumeExecution(h.rt, other, { approved: false }, 'bob');
  const failed = await finished(3);
  for (const id of [asked, other]) await h.done(id);
  expect(await sweep(Date.now() + 61_000)).toMatchObject({ archived: 5 });
  const mine = [asked, other, ...failed];

  // The stand-in holds the documents of every test: filter on this test's workflows' ids.
  const all = await archive.search({ order: 'desc', limit: 100 });
  expect(all.results.filter((d) => mine.includes(d.id as string)).map((d) => d.id)).toEqual([...mine].reverse());
  // Only the list row's fields are read back (a row never loads the whole document).
  expect(Object.keys(all.results[0]).sort()).toEqual(
    ['answeredBy', 'cancellation', 'createdAt', 'error', 'finishedAt', 'group', 'id', 'parent', 'rerunOf', 'startedAt', 'status', 'summary', 'workflowId', 'workflowName'].sort(),
  );
  expect((await archive.search({ respondedBy: 'alice', order: 'desc', limit: 100 })).results.map((d) => d.id)).toContain(asked);
  expect((await archive.search({ respondedBy: 'alice', order: 'desc', limit: 100 })).results.map((d) => d.id)).not.toContain(other);
  const failedOnes = (await archive.search({ statuses: ['FAILED'], workflowId: 'fail', order: 'asc', limit: 100 })).results.map((d) => d.id);
  expect(failedOnes.filter((id) => mine.includes(id as string))).toEqual(failed);
  expect(await h.rt.executions.load(asked)).toBeNull();
  const from = docOf(failed[0])!._source.createdAt as string;
  const to = docOf(failed[2])!._source.createdAt as string;
  const ranged = (await archive.search({ from, to, order: 'asc', limit: 100 })).results.map((d) => d.id);
  expect(ranged).toContain(failed[0]);
  expect(ranged).not.toContain(failed[2]); // `to` is exclusive

  // Pages of 2 through the five, with the cursor, in order and without repeats.
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const r = await archive.search({ from: docOf(asked)!._source.createdAt as string, order: 'asc', limit: 2, cursor });
    seen.push(...r.results.map((d) => d.id as string));
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
  expect(new Set(seen).size).toBe(seen.length);
});

it('FLOWGATE_ARCHIVE: unset is no archive; an id that is not an elasticsearch connector is one line naming the variable and the id', () => {
  expect(archiveFromEnv({}, connectors)).toBeNull();
  expect(archiveFromEnv({ FLOWGATE_ARCHIVE: ' ' }, connectors)).toBeNull();
  expect(() => archiveFromEnv({ FLOWGATE_ARCHIVE: 'edr', FLOWGATE_CONNECTORS: '/etc/c.yaml' }, connectors)).toThrow('FLOWGATE_ARCHIVE: "edr" is not an elasticsearch connector (connector "edr" is of type http)');
  expect(() => archiveFromEnv({ FLOWGATE_ARCHIVE: 'nope', FLOWGATE_CONNECTORS: '/etc/c.yaml' }, connectors)).toThrow('FLOWGATE_ARCHIVE: "nope" is not an elasticsearch connector (/etc/c.yaml has no connector "nope")');
  expect(() => archiveFromEnv({ FLOWGATE_ARCHIVE: 'archive' }, undefined)).toThrow('FLOWGATE_ARCHIVE: "archive" is not an elasticsearch connector (FLOWGATE_CONNECTORS is not set)');
  expect(archiveBackoff(1)).toBe(1000);
  expect(archiveBackoff(4)).toBe(8000);
  expect(archiveBackoff(50)).toBe(300_000);
  expect(archiveIndex(Date.UTC(2026, 0, 31, 23, 59, 59))).toBe('flowgate-executions-2026.01');
  expect(archiveIndex(Date.UTC(2026, 11, 1))).toBe('flowgate-executions-2026.12');
});

it('docs/operations.md "Archive" shows the index template Flowgate installs', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Archive'));
  const m = /PUT _index_template\/flowgate-executions\n(\{[\s\S]*?\n\})\n/.exec(section);
  expect(m).not.toBeNull();
  expect(JSON.parse(m![1])).toEqual(JSON.parse(JSON.stringify(ARCHIVE_TEMPLATE)));
});
