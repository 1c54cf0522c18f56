/** The compare-and-set scripts on a real redis-server (test/helpers starts one on a free port). */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { newStepRecord, type ExecutionState } from '@flowgate/engine';
import { CaseStore, ExecutionStore, Keys, RESPONSES_KEPT } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());

/** A unique key prefix per test, like BullMQ's unique queue per test. */
const store = () => new ExecutionStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`));

function state(id: string, over: Partial<ExecutionState> = {}): ExecutionState {
  return {
    id, workflowId: 'wf', workflowName: 'W', version: 'v1', trigger: 'manual', triggeredBy: 'alice', status: 'PENDING', rev: 0,
    createdAt: 1, startedAt: null, finishedAt: null, error: null, cancellation: null, waitingFor: null, next: 'a#1', nextAt: 1,
    event: { alerts: [{ host: { name: 'h' } }] }, inputs: {}, variables: {}, deadline: null, seqs: 1, ...over,
  };
}

describe('transition.lua', () => {
  it('creates once: a second create of the same id is refused', async () => {
    const s = store();
    const first = await s.transition('01A', { rev: 0 }, state('01A'), [newStepRecord({ name: 'a', path: 'a', type: 'console', seq: 0, iteration: null })]);
    expect(first).toEqual({ ok: true, rev: 1, previousStatus: '' });
    const again = await s.transition('01A', { rev: 0 }, state('01A'));
    expect(again).toMatchObject({ ok: false, reason: 'exists', status: 'PENDING' });
    const loaded = await s.load('01A');
    expect(loaded).toMatchObject({ id: '01A', status: 'PENDING', rev: 1, event: { alerts: [{ host: { name: 'h' } }] }, next: 'a#1', deadline: null });
    expect((await s.loadRecords('01A')).records.map((r) => r.path)).toEqual(['a']);
  });

  it('refuses a stale rev, a wrong status, a wrong waiting step, and a missing execution', async () => {
    const s = store();
    await s.transition('01B', { rev: 0 }, state('01B'));
    expect(await s.transition('01B', { rev: 7 }, { status: 'RUNNING' })).toMatchObject({ ok: false, reason: 'rev', rev: 1 });
    expect(await s.transition('01B', { statuses: ['WAITING_FOR_INPUT'] }, { status: 'RUNNING' })).toMatchObject({ ok: false, reason: 'status', status: 'PENDING' });
    expect(await s.transition('01B', { waitStep: 'review' }, { status: 'RUNNING' })).toMatchObject({ ok: false, reason: 'step' });
    expect(await s.transition('nope', { rev: 1 }, { status: 'RUNNING' })).toMatchObject({ ok: false, reason: 'missing' });
    expect((await s.load('01B'))!.status).toBe('PENDING');
  });

  it('of 50 concurrent transitions from the same rev, exactly one wins', async () => {
    const s = store();
    await s.transition('01C', { rev: 0 }, state('01C', { status: 'WAITING_FOR_INPUT' }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.transition('01C', { rev: 1, statuses: ['WAITING_FOR_INPUT'] }, { status: 'RUNNING', triggeredBy: `r${i}` })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'rev')).toHaveLength(49);
    expect((await s.load('01C'))!.rev).toBe(2);
  });

  it('keeps the status indexes and the inbox in step with transitions', async () => {
    const s = store();
    await s.transition('01D', { rev: 0 }, state('01D'));
    await s.transition('01D', { rev: 1 }, { status: 'WAITING_FOR_INPUT', waitingFor: { step: 'review', name: 'review', type: 'waitForInput', message: 'm', schema: null, since: 5 } });
    expect((await s.inbox(10)).map((e) => e.id)).toEqual(['01D']);
    expect((await s.list({ statuses: ['WAITING_FOR_INPUT'], limit: 10 })).results.map((e) => e.id)).toEqual(['01D']);
    await s.transition('01D', { rev: 2, waitStep: 'review' }, { status: 'RUNNING', waitingFor: null });
    expect(await s.inbox(10)).toEqual([]);
    expect((await s.list({ statuses: ['WAITING_FOR_INPUT'], limit: 10 })).results).toEqual([]);
    expect((await s.list({ statuses: ['RUNNING'], limit: 10 })).results.map((e) => e.id)).toEqual(['01D']);
  });

  it('appends every answer attempt to the wait record', async () => {
    const s = store();
    await s.transition('01E', { rev: 0 }, state('01E'), [newStepRecord({ name: 'review', path: 'review', type: 'waitForInput', seq: 0, iteration: null })]);
    await s.appendResponse('01E', 'review', { by: 'bob', at: 'x', accepted: false, code: 400 });
    await s.transition('01E', { rev: 1 }, { status: 'RUNNING' }, [], { path: 'review', entry: { by: 'alice', at: 'y', accepted: true, code: 200 } });
    const { responses } = await s.loadRecords('01E');
    expect(responses.get('review')).toEqual([
      { by: 'bob', at: 'x', accepted: false, code: 400 },
      { by: 'alice', at: 'y', accepted: true, code: 200 },
    ]);
  });

  it('keeps the latest 100 answer attempts of an execution and counts every one per wait', async () => {
    const s = store();
    await s.transition('01R', { rev: 0 }, state('01R'), [
      newStepRecord({ name: 'first', path: 'first', type: 'waitForInput', seq: 0, iteration: null }),
      newStepRecord({ name: 'second', path: 'second', type: 'waitForApproval', seq: 1, iteration: null }),
    ]);
    for (let i = 0; i < 150; i++) await s.appendResponse('01R', 'first', { by: `bot${i}`, at: 'x', accepted: false, code: 409 });
    await s.transition('01R', { rev: 1 }, { status: 'RUNNING' }, [], { path: 'second', entry: { by: 'alice', at: 'y', accepted: true, code: 200 } });
    expect(await redis.llen(s.keys.responses('01R'))).toBe(RESPONSES_KEPT);
    const { responses, responseCounts } = await s.loadRecords('01R');
    expect(responseCounts.get('first')).toBe(150);
    expect(responseCounts.get('second')).toBe(1);
    expect(responses.get('first')!.map((e) => e.by)).toEqual(Array.from({ length: 99 }, (_, i) => `bot${i + 51}`));
    expect(responses.get('second')).toEqual([{ by: 'alice', at: 'y', accepted: true, code: 200 }]);
    // An attempt on a step with no record (a removed execution) writes nothing.
    await s.appendResponse('01GONE', 'first', { by: 'x', at: 'z', accepted: false, code: 409 });
    expect(await redis.exists(s.keys.execution('01GONE'), s.keys.responses('01GONE'))).toBe(0);
  });

  it('pages newest first with a cursor, and oldest first with order asc', async () => {
    const s = store();
    const ids = ['01F1', '01F2', '01F3', '01F4', '01F5'];
    for (const id of ids) await s.transition(id, { rev: 0 }, state(id));
    const page1 = await s.list({ limit: 2 });
    expect(page1.results.map((e) => e.id)).toEqual(['01F5', '01F4']);
    const page2 = await s.list({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.results.map((e) => e.id)).toEqual(['01F3', '01F2']);
    const page3 = await s.list({ limit: 2, cursor: page2.nextCursor! });
    expect(page3).toEqual({ results: [expect.objectContaining({ id: '01F1' })], nextCursor: null, total: 5, truncated: false });
    expect((await s.list({ limit: 10, order: 'asc' })).results.map((e) => e.id)).toEqual(ids);
  });
});

describe('shared events (one alert, several workflows)', () => {
  const alert = { alerts: [{ host: { name: 'srv-1' }, rule: { id: 'r1', name: 'Mimikatz' } }], rule: { id: 'r1', name: 'Mimikatz' } };

  it('stores the event of executions started by one alert once, reads it back whole, and deletes it with the last of them', async () => {
    const s = store();
    const shared = { ...alert };
    const lone = { alerts: [{ host: { name: 'srv-2' } }] };
    const ids = ['01S1', '01S2', '01S3'];
    const rec = (id: string) => [newStepRecord({ name: 'a', path: 'a', type: 'console', seq: 0, iteration: null })].map((r) => ({ ...r, path: 'a', name: `a-${id}` }));
    await s.createMany([...ids.map((id) => ({ state: state(id, { event: shared }), records: rec(id) })), { state: state('01S4', { event: lone }), records: rec('01S4') }]);

    // One copy: the executions name it; the lone one keeps its own.
    expect(await redis.hget(s.keys.execution('01S2'), 'ev')).toBeNull();
    expect(await redis.hget(s.keys.execution('01S2'), 'evr')).toBe('01S1');
    expect(await redis.hgetall(s.keys.event('01S1'))).toEqual({ json: JSON.stringify({ alerts: alert.alerts }), refs: '3' });
    expect(await redis.hget(s.keys.execution('01S4'), 'evr')).toBeNull();
    for (const id of ids) {
      expect((await s.load(id))!.event).toEqual(alert);
      expect((await s.loadWithRecords(id)).exec!.event).toEqual(alert);
    }
    expect((await s.loadMany(ids)).map((e) => e!.event)).toEqual([alert, alert, alert]);
    expect((await s.load('01S4'))!.event).toEqual(lone);
    // A fresh store (another process) reads it from Redis, not from this one's cache.
    expect((await new ExecutionStore(redis, s.keys).load('01S3'))!.event).toEqual(alert);

    // Finished and removed one by one: the copy goes with the last execution that names it.
    for (const id of [...ids, '01S4']) await s.transition(id, { rev: 1 }, { status: 'COMPLETED', finishedAt: 10 });
    expect(await s.removeFinished(['01S1'])).toBe(1);
    expect(await redis.hget(s.keys.event('01S1'), 'refs')).toBe('2');
    expect((await s.load('01S2'))!.event).toEqual(alert);
    expect(await s.removeFinished(['01S2', '01S3', '01S4'])).toBe(3);
    expect(await redis.exists(s.keys.event('01S1'))).toBe(0);
    // Removing again (a repeated sweep) changes nothing and fails nothing.
    expect(await s.removeFinished(['01S2'])).toBe(0);
  });
});

describe('case-write.lua', () => {
  it('writes a step’s case and comment once, however often the step runs', async () => {
    const cases = new CaseStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`));
    const a = await cases.create({ title: 'Potential compromise: h', severity: 'high', opKey: 'E1/open_case' });
    const b = await cases.create({ title: 'Potential compromise: h', severity: 'high', opKey: 'E1/open_case' });
    expect(b.id).toBe(a.id);
    const c1 = await cases.addComment(a.id, { comment: 'x', author: 'w', opKey: 'E1/record' });
    const c2 = await cases.addComment(a.id, { comment: 'x', author: 'w', opKey: 'E1/record' });
    expect(c2).toEqual(c1);
    expect((await cases.getWithComments(a.id))!.comments).toHaveLength(1);
    expect((await cases.list({ limit: 10 })).results.map((x) => x.id)).toEqual([a.id]);
    expect(await cases.addComment('missing', { comment: 'x', author: 'w' })).toBeNull();
  });
});
