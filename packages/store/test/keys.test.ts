/**
 * The Redis keys Keys builds (docs/storage.md): their exact strings, and their Redis Cluster slots.
 * Every key of one execution (one case) must hash to one slot, or its Lua scripts fail with CROSSSLOT
 * on a Cluster; so must each BullMQ queue's keys. Slots are computed with cluster-key-slot (the CRC16
 * ioredis routes by) and checked against a real Redis Cluster's CLUSTER KEYSLOT (test/helpers starts
 * one: a standalone redis-server answers "ERR This instance has cluster support disabled").
 */
import type IORedis from 'ioredis';
import { Queues } from '@flowgate/queue';
import { Keys } from '../src';
import { startRedisCluster, type RedisCluster } from '../../../test/helpers/redis-cluster';

// cluster-key-slot (ioredis's own slot function) ships no type declarations.
const slotOf: (key: string) => number = require('cluster-key-slot');

const EXEC = '01JZ8Q4M3V7K2N6P9R1T5W0XYA';
const CASE = '7f3c2a9e-case';

type Kind =
  /** carries the execution's hash tag `{<id>}` */
  | 'execution'
  /** carries the case's hash tag `{<caseId>}` */
  | 'case'
  /** a single key outside any execution's or case's tag (indexes, workflows, coordination, metrics) */
  | 'single';

/**
 * Every method of Keys that builds a key, how to call it, and the string docs/storage.md documents for
 * it under the default prefix `fg` (operators may have data under these: they never change silently).
 * A new method of Keys fails "every method is classified" until it is added here.
 */
const KEYS: Record<string, { kind: Kind; build: (k: Keys) => string; documented: string }> = {
  execution: { kind: 'execution', build: (k) => k.execution(EXEC), documented: `fg:{${EXEC}}:e` },
  loopItems: { kind: 'execution', build: (k) => k.loopItems(EXEC), documented: `fg:{${EXEC}}:i` },
  responses: { kind: 'execution', build: (k) => k.responses(EXEC), documented: `fg:{${EXEC}}:r` },
  case: { kind: 'case', build: (k) => k.case(CASE), documented: `fg:case:{${CASE}}` },
  caseComments: { kind: 'case', build: (k) => k.caseComments(CASE), documented: `fg:case:{${CASE}}:c` },
  caseObservables: { kind: 'case', build: (k) => k.caseObservables(CASE), documented: `fg:case:{${CASE}}:o` },
  caseObservableValues: { kind: 'case', build: (k) => k.caseObservableValues(CASE), documented: `fg:case:{${CASE}}:of` },
  caseAlerts: { kind: 'case', build: (k) => k.caseAlerts(CASE), documented: `fg:case:{${CASE}}:a` },
  caseEvents: { kind: 'case', build: (k) => k.caseEvents(CASE), documented: `fg:case:{${CASE}}:v` },
  caseAttachments: { kind: 'case', build: (k) => k.caseAttachments(CASE), documented: `fg:case:{${CASE}}:t` },
  caseOps: { kind: 'case', build: (k) => k.caseOps(CASE), documented: `fg:case:{${CASE}}:ops` },
  caseTombstone: { kind: 'case', build: (k) => k.caseTombstone(CASE), documented: `fg:case:{${CASE}}:del` },
  casesByAlert: { kind: 'single', build: (k) => k.casesByAlert('a1b2'), documented: 'fg:x:ca:a1b2' },
  casesByObservable: { kind: 'single', build: (k) => k.casesByObservable('5ba9'), documented: 'fg:x:co:5ba9' },
  casesByTag: { kind: 'single', build: (k) => k.casesByTag('edr'), documented: 'fg:x:ct:edr' },
  byStatus: { kind: 'single', build: (k) => k.byStatus('RUNNING'), documented: 'fg:x:st:RUNNING' },
  byWorkflow: { kind: 'single', build: (k) => k.byWorkflow('triage'), documented: 'fg:x:wf:triage' },
  finished: { kind: 'single', build: (k) => k.finished(), documented: 'fg:x:fin' },
  event: { kind: 'single', build: (k) => k.event('01JZ8Q4M3V7K2N6P9R1T5EVREF'), documented: 'fg:ev:01JZ8Q4M3V7K2N6P9R1T5EVREF' },
  workflow: { kind: 'single', build: (k) => k.workflow('triage'), documented: 'fg:wf:triage' },
  workflows: { kind: 'single', build: (k) => k.workflows(), documented: 'fg:wfs' },
  workflowsRev: { kind: 'single', build: (k) => k.workflowsRev(), documented: 'fg:wfs:rev' },
  version: { kind: 'single', build: (k) => k.version('ab12'), documented: 'fg:wfv:ab12' },
  cases: { kind: 'single', build: (k) => k.cases(), documented: 'fg:x:cases' },
  idempotency: { kind: 'single', build: (k) => k.idempotency('ingest', 'a1'), documented: 'fg:idem:ingest:a1' },
  link: { kind: 'single', build: (k) => k.link('9f86d0'), documented: 'fg:lk:9f86d0' },
  reconcilerLease: { kind: 'single', build: (k) => k.reconcilerLease(), documented: 'fg:lease:reconciler' },
  archiveStatus: { kind: 'single', build: (k) => k.archiveStatus(), documented: 'fg:archive' },
  cancelChannel: { kind: 'single', build: (k) => k.cancelChannel(), documented: 'fg:cancel' },
  metrics: { kind: 'single', build: (k) => k.metrics('steps'), documented: 'fg:m:steps' },
};

/** Methods of Keys that build no key of their own: the BullMQ prefix (tested below). */
const NOT_KEYS = ['queuePrefix'];

/** The hashes SharedMetrics (packages/telemetry) keeps the cluster-wide /metrics counters in. */
const METRICS_HASHES = ['steps', 'stepdur', 'stepdur_sum', 'finished'];

/** Suffixes of the keys BullMQ keeps per queue, `<prefix>:<queue>:<suffix>`, a job's own included. */
const BULLMQ_SUFFIXES = ['id', 'meta', 'wait', 'paused', 'active', 'delayed', 'prioritized', 'pc', 'marker', 'completed', 'failed', 'stalled', 'stalled-check', 'events', 'limiter', 'repeat', 'de', 'job-1', 'job-1:lock', 'job-1:logs', 'job-1:dependencies', 'job-1:processed'];

const keys = new Keys();
const ofKind = (kind: Kind) => Object.entries(KEYS).filter(([, v]) => v.kind === kind).map(([, v]) => v.build(keys));

let cluster: RedisCluster;
let node: IORedis;
beforeAll(async () => {
  cluster = await startRedisCluster();
  node = cluster.nodeClients()[0];
}, 90_000);
afterAll(async () => cluster?.stop());

/** The slots a real Redis Cluster node computes for these keys (CLUSTER KEYSLOT). */
async function redisSlots(list: string[]): Promise<number[]> {
  return Promise.all(list.map(async (k) => Number(await node.call('CLUSTER', 'KEYSLOT', k))));
}

describe('Keys', () => {
  it('every method is classified', () => {
    const methods = Object.getOwnPropertyNames(Keys.prototype).filter((m) => m !== 'constructor');
    expect([...methods].sort()).toEqual([...Object.keys(KEYS), ...NOT_KEYS].sort());
  });

  it('builds the strings docs/storage.md documents, under the configured prefix', () => {
    for (const [name, { build, documented }] of Object.entries(KEYS)) {
      expect([name, build(keys)]).toEqual([name, documented]);
      expect([name, build(new Keys('t42'))]).toEqual([name, `t42${documented.slice('fg'.length)}`]);
    }
  });

  // Not on every key: after an empty tag cluster-key-slot 1.1.1 keeps looking for one ("a{}{b}" is
  // the slot of "{b" to it, of the whole key to Redis: redis/ioredis#2172). Flowgate's tags are never empty.
  it('cluster-key-slot and a real Redis Cluster agree on the slots of these keys', async () => {
    const all = [...Object.values(KEYS).map((v) => v.build(keys)), ...BULLMQ_SUFFIXES.map((s) => `{fgq}:steps:${s}`), 'fgq:steps:wait', 'fgq:steps:id', 'no tag', '{}x', '{b}c{d}'];
    expect(await redisSlots(all)).toEqual(all.map(slotOf));
  });

  it('(a) every key of one execution hashes to the slot of its id, and nothing else carries its tag', async () => {
    const exec = ofKind('execution');
    expect(exec.length).toBeGreaterThan(0);
    for (const k of exec) expect(k).toContain(`{${EXEC}}`);
    expect(new Set(exec.map(slotOf))).toEqual(new Set([slotOf(EXEC)]));
    expect(new Set(await redisSlots(exec))).toEqual(new Set([slotOf(EXEC)]));
    // The tag is the id: executions spread over the slots (and so over the shards).
    const spread = new Set(Array.from({ length: 50 }, (_, i) => slotOf(keys.execution(`${EXEC.slice(0, -2)}${String(i).padStart(2, '0')}`))));
    expect(spread.size).toBeGreaterThan(40);
    for (const k of [...ofKind('case'), ...ofKind('single')]) expect(k).not.toContain(EXEC);
  });

  it('(b) every key of one case hashes to the slot of its id', async () => {
    const kase = ofKind('case');
    expect(kase.length).toBeGreaterThan(0);
    for (const k of kase) expect(k).toContain(`{${CASE}}`);
    expect(new Set(kase.map(slotOf))).toEqual(new Set([slotOf(CASE)]));
    expect(new Set(await redisSlots(kase))).toEqual(new Set([slotOf(CASE)]));
  });

  it('single keys carry no hash tag', () => {
    for (const k of ofKind('single')) expect(k).not.toMatch(/\{.*\}/);
  });

  it('(c) the queue prefix on a Cluster keeps each BullMQ queue in one slot', async () => {
    expect(keys.queuePrefix(false)).toBe('fgq');
    expect(keys.queuePrefix(true)).toBe('{fgq}');
    expect(new Keys('t42').queuePrefix(true)).toBe('{t42q}');
    for (const queue of ['steps', 'timers']) {
      const tagged = BULLMQ_SUFFIXES.map((s) => `${keys.queuePrefix(true)}:${queue}:${s}`);
      expect(new Set(tagged.map(slotOf))).toEqual(new Set([slotOf('fgq')]));
      expect(new Set(await redisSlots(tagged))).toEqual(new Set([slotOf('fgq')]));
      // Without the tag the same keys spread over slots: BullMQ's scripts would fail with CROSSSLOT.
      expect(new Set(BULLMQ_SUFFIXES.map((s) => slotOf(`${keys.queuePrefix(false)}:${queue}:${s}`))).size).toBeGreaterThan(1);
    }
  });

  it('(c) Flowgate queues with the Cluster prefix work on a real Redis Cluster, all their keys in one slot', async () => {
    const prefix = new Keys('kt').queuePrefix(true);
    const queues = new Queues(cluster.client(), prefix);
    try {
      await queues.addStep({ executionId: EXEC, path: 'a', attempt: 1 });
      await queues.addWake(EXEC, 'a', 1, 60_000);
      await queues.addStartBatch([[EXEC, 'a', 0]]);
      expect(await queues.hasStepJob({ executionId: EXEC, path: 'a', attempt: 1 })).toBe(true);
    } finally {
      await queues.close();
    }
    const created = (await Promise.all(cluster.nodeClients().map((c) => c.keys(`${prefix}:*`)))).flat();
    expect(created.length).toBeGreaterThan(4);
    expect(created.some((k) => k.startsWith(`${prefix}:steps:`)) && created.some((k) => k.startsWith(`${prefix}:timers:`))).toBe(true);
    expect(new Set(await redisSlots(created))).toEqual(new Set([slotOf('ktq')]));
  });

  it('(d) the metrics hashes use the configured prefix', async () => {
    expect(METRICS_HASHES.map((h) => keys.metrics(h))).toEqual(['fg:m:steps', 'fg:m:stepdur', 'fg:m:stepdur_sum', 'fg:m:finished']);
    expect(METRICS_HASHES.map((h) => new Keys('t42').metrics(h))).toEqual(['t42:m:steps', 't42:m:stepdur', 't42:m:stepdur_sum', 't42:m:finished']);
    const slots = METRICS_HASHES.map((h) => keys.metrics(h));
    expect(await redisSlots(slots)).toEqual(slots.map(slotOf));
  });
});
