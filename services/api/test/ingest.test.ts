/**
 * Alert ingestion in-process on a real redis-server (docs/api.md "Idempotency"): leases that a dead
 * process cannot hold for long, and `_bulk` requests that fail part-way and are retried. The
 * `startExecutions` seam of IngestOptions makes a batch fail at a chosen moment.
 */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { createRuntime, startExecutions, type Runtime, type StartRequest } from '@flowgate/executor';
import { Queues } from '@flowgate/queue';
import { IdempotencyStore, Keys } from '@flowgate/store';
import { builtinRegistry } from '@flowgate/steps';
import { validateWorkflow } from '@flowgate/workflow-format';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { AlertCandidates } from '../src/candidates';
import { Ingestor, type IngestOptions } from '../src/ingest';

const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL = 3_600_000;

let server: RedisServer;
let redis: IORedis;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => {
  await Promise.all(runtimes.map((rt) => rt.queues.close().catch(() => undefined)));
  await server.stop();
});

/** A runtime with its own key prefix, and `count` alert workflows that match every event. */
async function setup(count: number): Promise<{ rt: Runtime; workflowIds: string[] }> {
  const keys = new Keys(`t${randomUUID().slice(0, 8)}`);
  const rt = createRuntime({ redis, queues: new Queues(redis, keys.queuePrefix(false)), registry: builtinRegistry(), publicUrl: 'http://flowgate.test', log: quiet, keys });
  runtimes.push(rt);
  const workflowIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `alert-${i}`;
    const yaml = `name: Alert ${i}\ntriggers:\n  - type: alert\nsteps:\n  - name: echo\n    type: console\n    with:\n      message: hi\n`;
    const result = validateWorkflow(yaml);
    await rt.workflows.save({ id, yaml, definition: result.definition, name: result.definition!.name, errors: [], warnings: [] });
    workflowIds.push(id);
  }
  return { rt, workflowIds };
}

function ingestor(rt: Runtime, over: Partial<IngestOptions> & { leaseMs?: number } = {}): Ingestor {
  const { leaseMs, ...rest } = over;
  return new Ingestor({
    rt,
    candidates: new AlertCandidates(rt),
    idempotency: new IdempotencyStore(rt.redis, rt.keys, { leaseMs }),
    idempotencyTtlMs: TTL,
    duplicateWaitMs: 2000,
    ...rest,
  });
}

/** Executions per alert (the `n` of the event's first alert), over every workflow. */
async function executionsPerAlert(rt: Runtime, workflowIds: string[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const workflowId of workflowIds) {
    let cursor: string | undefined;
    do {
      const page = await rt.executions.list({ workflowId, limit: 500, cursor });
      const loaded = await rt.executions.loadMany(page.results.map((s) => s.id));
      for (const e of loaded) {
        const n = (e!.event as { alerts: { n: number }[] }).alerts[0].n;
        out.set(n, [...(out.get(n) ?? []), e!.workflowId]);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return out;
}

/** startExecutions that throws on its `failOn`-th call (1-based) before creating anything. */
function failingOn(failOn: number) {
  const calls: StartRequest[][] = [];
  const fn = async (rt: Runtime, requests: StartRequest[], ids: string[]) => {
    calls.push(requests);
    if (calls.length === failOn) throw new Error(`batch ${failOn} failed`);
    return startExecutions(rt, requests, ids);
  };
  return { fn, calls };
}

const bulkArgs = (lines: string[], headerKey: string | null = null) => ({ lines, keyName: 'siem', headerKey, restrict: null });

describe('idempotency leases', () => {
  it('a key reserved by a process that died is free again after one lease: the retry creates the execution', async () => {
    const { rt, workflowIds } = await setup(1);
    // "Another API process" on its own connection: it reserves the alert's key, then dies mid-request
    // (its connection drops; its startExecutions never returns), so it never renews, answers nor releases.
    const connection = redis.duplicate();
    const dying = createRuntime({ redis: connection, queues: rt.queues, registry: rt.registry, publicUrl: rt.publicUrl, log: quiet, keys: rt.keys });
    const args = { body: { alerts: [{ n: 1 }] }, keyName: 'siem', headerKey: 'dead-1', restrict: null };
    void ingestor(dying, { leaseMs: 300, startExecutions: () => new Promise<string[]>(() => undefined) }).single(args).catch(() => undefined);
    const key = rt.keys.idempotency('siem', 'a:dead-1');
    while ((await redis.exists(key)) === 0) await sleep(10);
    connection.disconnect();
    await sleep(400);
    const t0 = Date.now();
    const r = await ingestor(rt, { leaseMs: 300, duplicateWaitMs: 1000 }).single(args);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ status: 202, replayed: false });
    expect((r.body as { executions: unknown[] }).executions).toHaveLength(1);
    expect(await executionsPerAlert(rt, workflowIds)).toEqual(new Map([[1, [workflowIds[0]]]]));
    // the answer is kept for the full TTL
    expect(await redis.pttl(key)).toBeGreaterThan(TTL - 60_000);
  });

  it('a live request longer than its lease renews it: a duplicate waits for its answer, or gets 409, and one execution is created', async () => {
    const { rt, workflowIds } = await setup(1);
    const slow = async (r: Runtime, requests: StartRequest[], ids: string[]) => {
      await sleep(1500);
      return startExecutions(r, requests, ids);
    };
    const first = ingestor(rt, { leaseMs: 300, startExecutions: slow });
    const args = { body: { alerts: [{ n: 7 }] }, keyName: 'siem', headerKey: 'live-1', restrict: null };
    const firstAnswer = first.single(args);
    // long after one lease: still held
    await sleep(800);
    const impatient = ingestor(rt, { leaseMs: 300, duplicateWaitMs: 100 });
    await expect(impatient.single(args)).rejects.toMatchObject({ code: 'conflict', status: 409 });
    const patient = ingestor(rt, { leaseMs: 300, duplicateWaitMs: 3000 });
    const [a, b] = await Promise.all([firstAnswer, patient.single(args)]);
    expect(a.replayed).toBe(false);
    expect(b).toEqual({ ...a, replayed: true });
    expect(await executionsPerAlert(rt, workflowIds)).toEqual(new Map([[7, [workflowIds[0]]]]));
    expect(await redis.pttl(rt.keys.idempotency('siem', 'a:live-1'))).toBeGreaterThan(TTL - 60_000);
  });
});

describe('a request that stops after writing its executions', () => {
  it('died (or lost Redis) before answering: the retry after one lease answers the executions it wrote, and starts nothing', async () => {
    const { rt, workflowIds } = await setup(2);
    const connection = redis.duplicate();
    const dying = createRuntime({ redis: connection, queues: rt.queues, registry: rt.registry, publicUrl: rt.publicUrl, log: quiet, keys: rt.keys });
    const args = { body: { alerts: [{ n: 3 }] }, keyName: 'siem', headerKey: 'wrote-then-died', restrict: null };
    let written: string[] = [];
    // It writes both executions, then never answers: its connection is cut (as Redis going away
    // mid-request, or the process killed, would leave it).
    const writeThenHang = async (r: Runtime, requests: StartRequest[], ids: string[]) => {
      written = await startExecutions(rt, requests, ids);
      connection.disconnect();
      return new Promise<string[]>(() => undefined);
    };
    void ingestor(dying, { leaseMs: 300, startExecutions: writeThenHang }).single(args).catch(() => undefined);
    while (written.length === 0) await sleep(10);
    await sleep(400);
    const retried = failingOn(0);
    const r = await ingestor(rt, { leaseMs: 300, duplicateWaitMs: 1000, startExecutions: retried.fn }).single(args);
    expect(r).toMatchObject({ status: 202, replayed: true });
    expect((r.body as { executions: { executionId: string }[] }).executions.map((e) => e.executionId).sort()).toEqual([...written].sort());
    expect(retried.calls).toEqual([]);
    const counts = await executionsPerAlert(rt, workflowIds);
    expect([...counts.keys()]).toEqual([3]);
    expect(counts.get(3)!.sort()).toEqual(workflowIds);
    // and the answer is now stored: a later repeat gets it at once
    expect(await ingestor(rt).single(args)).toEqual(r);
  });

  it('failed after writing them (their jobs could not be queued): the immediate retry answers the same executions, and starts nothing', async () => {
    const { rt, workflowIds } = await setup(1);
    const args = { body: { id: 'evt-queue-full', alerts: [{ n: 4 }] }, keyName: 'siem', headerKey: null, restrict: null };
    const writeThenFail = async (r: Runtime, requests: StartRequest[], ids: string[]) => {
      const written = await startExecutions(r, requests, ids);
      throw new Error(`queueing ${written.length} failed`);
    };
    await expect(ingestor(rt, { startExecutions: writeThenFail }).single(args)).rejects.toThrow('queueing 1 failed');
    const first = await executionsPerAlert(rt, workflowIds);
    const r = await ingestor(rt).single(args);
    expect(r).toMatchObject({ status: 202, replayed: true });
    expect(await executionsPerAlert(rt, workflowIds)).toEqual(first);
  });

  it('failed before writing them: the retry creates them, with the ids the first attempt meant to use', async () => {
    const { rt, workflowIds } = await setup(1);
    const args = { body: { id: 'evt-early', alerts: [{ n: 5 }] }, keyName: 'siem', headerKey: null, restrict: null };
    const intended: string[] = [];
    const failBefore = async (_r: Runtime, _requests: StartRequest[], ids: string[]) => {
      intended.push(...ids);
      throw new Error('Redis went away');
    };
    await expect(ingestor(rt, { startExecutions: failBefore }).single(args)).rejects.toThrow('Redis went away');
    expect((await executionsPerAlert(rt, workflowIds)).size).toBe(0);
    const r = await ingestor(rt).single(args);
    expect(r).toMatchObject({ status: 202, replayed: false, body: { executions: [{ executionId: intended[0], workflowId: workflowIds[0] }] } });
    expect(await executionsPerAlert(rt, workflowIds)).toEqual(new Map([[5, workflowIds]]));
  });

  it('a _bulk with an Idempotency-Key whose batch was written but not recorded: the retry keeps those executions, even for lines without ids', async () => {
    const { rt, workflowIds } = await setup(1);
    const lines = Array.from({ length: 1200 }, (_, n) => JSON.stringify({ n }));
    let calls = 0;
    const secondWrittenThenFails = async (r: Runtime, requests: StartRequest[], ids: string[]) => {
      const created = await startExecutions(r, requests, ids);
      if (++calls === 2) throw new Error('lost Redis after the write');
      return created;
    };
    await expect(ingestor(rt, { startExecutions: secondWrittenThenFails }).bulk(bulkArgs(lines, 'req-w'))).rejects.toThrow('lost Redis after the write');
    expect((await executionsPerAlert(rt, workflowIds)).size).toBe(1200);
    const retry = await ingestor(rt).bulk(bulkArgs(lines, 'req-w'));
    expect(retry.body).toEqual({ accepted: 1200, executions: 1200, errors: [] });
    const counts = await executionsPerAlert(rt, workflowIds);
    expect(counts.size).toBe(1200);
    for (const [n, wfs] of counts) expect({ n, wfs }).toEqual({ n, wfs: workflowIds });
  });
});

describe('a _bulk request that fails part-way', () => {
  const LINES = 1500;

  it('keeps the answers of the lines whose executions were created: the retry creates nothing twice (lines with ids)', async () => {
    const { rt, workflowIds } = await setup(2);
    const lines = Array.from({ length: LINES }, (_, n) => JSON.stringify({ id: `evt-${n}`, n }));
    const failing = failingOn(3);
    await expect(ingestor(rt, { startExecutions: failing.fn }).bulk(bulkArgs(lines))).rejects.toThrow('batch 3 failed');
    const afterFailure = await executionsPerAlert(rt, workflowIds);
    expect(afterFailure.size).toBeGreaterThan(0);
    expect(afterFailure.size).toBeLessThan(LINES);

    const retry = await ingestor(rt).bulk(bulkArgs(lines));
    expect(retry.body).toEqual({ accepted: LINES, executions: 2 * (LINES - afterFailure.size), errors: [] });
    const counts = await executionsPerAlert(rt, workflowIds);
    expect(counts.size).toBe(LINES);
    for (const [n, wfs] of counts) expect({ n, wfs: wfs.sort() }).toEqual({ n, wfs: workflowIds });
  });

  it('with an Idempotency-Key and lines without ids, records the lines done: the retry skips them and answers for the whole request', async () => {
    const { rt, workflowIds } = await setup(2);
    const lines = Array.from({ length: LINES }, (_, n) => JSON.stringify({ n }));
    const failing = failingOn(3);
    await expect(ingestor(rt, { startExecutions: failing.fn }).bulk(bulkArgs(lines, 'req-1'))).rejects.toThrow('batch 3 failed');
    const afterFailure = await executionsPerAlert(rt, workflowIds);
    expect(afterFailure.size).toBeGreaterThan(0);
    expect(afterFailure.size).toBeLessThan(LINES);
    // the request's key was released; its progress stays for the TTL: the lines done, and those of
    // the failed batch as about to be started ("?" and their planned executions)
    expect(await redis.exists(rt.keys.idempotency('siem', 'b:req-1'))).toBe(0);
    const progress = Object.values(await redis.hgetall(rt.keys.idempotency('siem', 'bp:req-1')));
    expect(progress.filter((v) => !v.startsWith('?'))).toHaveLength(afterFailure.size);
    expect(progress.filter((v) => v.startsWith('?')).length).toBeGreaterThan(0);

    const retried = failingOn(0);
    const retry = await ingestor(rt, { startExecutions: retried.fn }).bulk(bulkArgs(lines, 'req-1'));
    expect(retry).toMatchObject({ status: 202, replayed: false, body: { accepted: LINES, executions: 2 * LINES, errors: [] } });
    expect(retried.calls.flat()).toHaveLength(2 * (LINES - afterFailure.size));
    const counts = await executionsPerAlert(rt, workflowIds);
    expect(counts.size).toBe(LINES);
    for (const [n, wfs] of counts) expect({ n, wfs: wfs.sort() }).toEqual({ n, wfs: workflowIds });
    // answered: the progress is gone, a repeat is a replay
    expect(await redis.exists(rt.keys.idempotency('siem', 'bp:req-1'))).toBe(0);
    const again = await ingestor(rt).bulk(bulkArgs(lines, 'req-1'));
    expect(again).toEqual({ ...retry, replayed: true });
    expect((await executionsPerAlert(rt, workflowIds)).size).toBe(LINES);
  });

  it('never splits one line\'s executions across batches', async () => {
    const { rt, workflowIds } = await setup(3);
    const lines = Array.from({ length: 400 }, (_, n) => JSON.stringify({ n }));
    const recorded = failingOn(0);
    const r = await ingestor(rt, { startExecutions: recorded.fn }).bulk(bulkArgs(lines));
    expect(r.body).toEqual({ accepted: 400, executions: 1200, errors: [] });
    expect(recorded.calls.length).toBeGreaterThan(1);
    for (const batch of recorded.calls) {
      expect(batch.length % 3).toBe(0);
      for (let i = 0; i < batch.length; i += 3) {
        expect(new Set(batch.slice(i, i + 3).map((q) => q.event)).size).toBe(1);
        expect(batch.slice(i, i + 3).map((q) => q.workflowId).sort()).toEqual(workflowIds);
      }
    }
  });
});

describe('nesting depth', () => {
  it('refuses a _bulk line nested deeper than 64 levels as that line\'s error, even 100,000 deep', async () => {
    const { rt } = await setup(1);
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const lines = [JSON.stringify({ n: 1 }), `${'['.repeat(100_000)}${']'.repeat(100_000)}`, deep(65), deep(63), JSON.stringify({ n: 2, s: '[[[[' })];
    const r = await ingestor(rt).bulk(bulkArgs(lines));
    expect(r.body).toEqual({
      accepted: 3,
      executions: 3,
      errors: [
        { line: 2, message: 'nested deeper than 64 levels' },
        { line: 3, message: 'nested deeper than 64 levels' },
      ],
    });
  });
});
