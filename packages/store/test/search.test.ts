/**
 * Searching executions by summary and time range (docs/api.md "Listing executions") on a real
 * redis-server: the scan stops at SEARCH_SCAN and says so, totals stay the same on every page, and a
 * cleared field leaves the hash instead of staying as ''.
 */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { encodeTime } from 'ulid';
import type { ExecutionState, ExecutionSummary } from '@flowgate/engine';
import { ExecutionStore, Keys, SEARCH_SCAN } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());

const NONE: ExecutionSummary = { host: null, user: null, rule: null, severity: null, riskScore: null, alertId: null };

/** An id created at `ms` (a ULID: time first), unique by `n`. */
const idAt = (ms: number, n: number) => `${encodeTime(ms, 10)}${String(n).padStart(16, '0')}`;

function state(id: string, summary: Partial<ExecutionSummary>): ExecutionState {
  return {
    id, workflowId: 'wf', workflowName: 'W', version: 'v1', trigger: 'alert', triggeredBy: 'siem', status: 'PENDING', rev: 0,
    createdAt: 1, startedAt: null, finishedAt: null, error: null, cancellation: null, waitingFor: null, next: 'a#1', nextAt: 1,
    event: {}, inputs: {}, variables: {}, deadline: null, seqs: 1, summary: { ...NONE, ...summary },
  };
}

describe('ExecutionStore.list with a search', () => {
  it(`reads at most ${SEARCH_SCAN.toLocaleString('en-US')} executions, newest first, and says it stopped there`, async () => {
    const s = new ExecutionStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`));
    const t0 = Date.UTC(2026, 0, 1);
    const many = Array.from({ length: SEARCH_SCAN + 10 }, (_, i) => ({ state: state(idAt(t0 + i, i), { host: i < 10 ? 'old-host' : `web-${i}` }), records: [] }));
    await s.createMany(many);
    // The 10 oldest match but lie beyond the 5,000 newest: not found, and the answer says why.
    const old = await s.list({ limit: 50, search: { q: 'old-host' } });
    expect(old).toMatchObject({ results: [], total: 0, truncated: true });
    // Narrowing the time range brings them within reach.
    const ranged = await s.list({ limit: 50, search: { q: 'old-host' }, to: t0 + 10 });
    expect(ranged).toMatchObject({ total: 10, truncated: false });
    expect(ranged.results.map((e) => e.id)).toEqual(many.slice(0, 10).map((m) => m.state.id).reverse());
    // Without a search the total counts the whole range, beyond the scan.
    expect((await s.list({ limit: 1 })).total).toBe(SEARCH_SCAN + 10);
    expect((await s.list({ limit: 1, from: t0 + 5, to: t0 + 15 })).total).toBe(10);
  });

  it('pages a search: same total on each page, no row twice, in both orders', async () => {
    const s = new ExecutionStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`));
    const t0 = Date.UTC(2026, 0, 2);
    const items = Array.from({ length: 25 }, (_, i) => ({ state: state(idAt(t0 + i, i), { severity: i % 2 ? 'critical' : 'low', rule: 'R' }), records: [] }));
    await s.createMany(items);
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.list({ limit: 4, order, cursor, search: { severities: ['critical'] } });
        expect(page.total).toBe(12);
        seen.push(...page.results.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = items.filter((_, i) => i % 2).map((m) => m.state.id);
      expect(seen).toEqual(order === 'asc' ? expected : expected.reverse());
    }
  });

  it('stores no empty field: a summary of nulls and a cleared wait leave the hash', async () => {
    const keys = new Keys(`t${randomUUID().slice(0, 8)}`);
    const s = new ExecutionStore(redis, keys);
    const id = idAt(Date.now(), 1);
    await s.createMany([{ state: state(id, {}), records: [] }]);
    const fields = await redis.hkeys(keys.execution(id));
    for (const empty of ['sm', 'fa', 'err', 'cx', 'wait']) expect(fields).not.toContain(empty);
    const set = { status: 'WAITING_FOR_INPUT' as const, waitingFor: { step: 'a', name: 'a', type: 'waitForInput', message: 'm', schema: null, since: 1 } };
    expect((await s.transition(id, { rev: 1 }, set)).ok).toBe(true);
    expect(await redis.hexists(keys.execution(id), 'wait')).toBe(1);
    expect((await s.transition(id, { rev: 2 }, { status: 'RUNNING', waitingFor: null })).ok).toBe(true);
    expect(await redis.hexists(keys.execution(id), 'wait')).toBe(0);
    expect((await s.load(id))!).toMatchObject({ status: 'RUNNING', waitingFor: null, summary: null });
  });
});
