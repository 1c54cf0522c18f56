/**
 * What the race tests share (test/races/*.test.ts): the executor in process against a real
 * redis-server, with the callers of a race on separate connections, as separate processes would be
 * (an API, a second API, a worker), under one key prefix per test; step jobs are run in process by
 * calling processStepJob on the execution's continuation, so a trial takes milliseconds and 200 of
 * them fit in a few seconds. And the checks every trial makes of the state a race left.
 */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { EXECUTION_STATUSES, isTerminal, parseStepKey, type ExecutionState, type StepRecord } from '@flowgate/engine';
import { Queues } from '@flowgate/queue';
import { Keys, type ResponseEntry } from '@flowgate/store';
import { builtinRegistry, connectorStepTypes } from '@flowgate/steps';
import { validateWorkflow } from '@flowgate/workflow-format';
import { AbortRegistry, createRuntime, processStepJob, reconcileOnce, ReconcilerMemory, startExecution, type CancelResult, type ResumeResult, type Runtime } from '@flowgate/executor';
import type { RedisServer } from '../helpers/redis-server';

/** Trials per race in `npm test`; FLOWGATE_RACE_TRIALS=1000 by hand. */
export const TRIALS = Math.max(1, Number(process.env.FLOWGATE_RACE_TRIALS ?? 200));

/** Counts what the executor logs, so that a test can say how often a late commit was discarded. */
export class CountingLog {
  readonly counts = new Map<string, number>();
  readonly errors: string[] = [];
  private note(message: string): void {
    this.counts.set(message, (this.counts.get(message) ?? 0) + 1);
  }
  info(_fields: Record<string, unknown>, message: string): void {
    this.note(message);
  }
  warn(_fields: Record<string, unknown>, message: string): void {
    this.note(message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.note(message);
    this.errors.push(`${message} ${JSON.stringify(fields)}`);
  }
}

/** The numbers 0..n-1 in a random order: the order a race's callers are launched in. */
export function shuffled(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Randomly nothing, a few turns of the event loop, or up to 3 ms: the callers of a race start in every order. */
export async function jitter(): Promise<void> {
  const r = Math.random();
  if (r < 0.3) return;
  if (r < 0.7) {
    const turns = 1 + Math.floor(Math.random() * 4);
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
}

export interface Snapshot {
  exec: ExecutionState;
  records: StepRecord[];
  responses: Map<string, ResponseEntry[]>;
  step(path: string): StepRecord | undefined;
  /** the status indexes that list the execution */
  indexes: string[];
  /** whether the finish-time index lists it */
  finishedIndex: boolean;
}

export type Side = 'api' | 'api2' | 'worker';

/**
 * One test's executor world: three runtimes on three connections (two API processes and a worker)
 * sharing a unique key and queue prefix, an AbortRegistry fed by the cancel channel like a worker's,
 * and the workflows saved once.
 */
export class RaceBench {
  readonly keys = new Keys(`r${randomUUID().slice(0, 8)}`);
  readonly log = new CountingLog();
  readonly aborts = new AbortRegistry();
  private readonly sides = new Map<Side, Runtime>();
  private readonly connections: IORedis[] = [];
  private readonly versions = new Map<string, string>();
  private subscriber!: IORedis;

  static async open(server: RedisServer, options: { httpAllowedHosts?: string[] } = {}): Promise<RaceBench> {
    const bench = new RaceBench();
    const prefix = bench.keys.queuePrefix(false);
    for (const side of ['api', 'api2', 'worker'] as const) {
      const redis = server.client();
      bench.connections.push(redis);
      bench.sides.set(
        side,
        createRuntime({
          redis,
          queues: new Queues(redis, prefix),
          // As services/worker: the built-in step types and those that call out (http, ...).
          registry: builtinRegistry().register(...connectorStepTypes()),
          services: { httpAllowedHosts: options.httpAllowedHosts ?? [] },
          publicUrl: 'http://flowgate.test',
          log: bench.log,
          keys: bench.keys,
        }),
      );
    }
    // As in services/worker: a cancel published on the channel aborts the I/O step running here.
    bench.subscriber = server.client();
    bench.connections.push(bench.subscriber);
    await bench.subscriber.subscribe(bench.keys.cancelChannel());
    bench.subscriber.on('message', (_channel: string, id: string) => bench.aborts.abort(id, 'execution cancelled'));
    return bench;
  }

  rt(side: Side): Runtime {
    return this.sides.get(side)!;
  }

  async save(workflowId: string, yaml: string): Promise<void> {
    const result = validateWorkflow(yaml);
    if (!result.valid) throw new Error(JSON.stringify(result.errors));
    const api = this.rt('api');
    const saved = await api.workflows.save({ id: workflowId, yaml, definition: result.definition, name: result.definition!.name, errors: [], warnings: [] });
    this.versions.set(workflowId, saved.workflow.version);
  }

  /** Starts an execution of a saved workflow as the API would (its first step job and timers queued). */
  async start(workflowId: string): Promise<string> {
    const api = this.rt('api');
    const version = this.versions.get(workflowId)!;
    const { definition } = await api.definitions.get(version);
    return startExecution(api, { workflowId, version, definition, trigger: 'manual', triggeredBy: 'tester' });
  }

  /**
   * Runs the execution's continuation as a worker would, until it waits (for input, a timer), ends,
   * or has no continuation: answers the number of step jobs run.
   */
  async drive(id: string, maxJobs = 20): Promise<number> {
    const worker = this.rt('worker');
    let jobs = 0;
    for (; jobs < maxJobs; jobs++) {
      const exec = await worker.executions.load(id);
      if (!exec || isTerminal(exec.status) || exec.status === 'WAITING_FOR_INPUT' || exec.status === 'WAITING' || !exec.next) return jobs;
      await processStepJob(worker, { executionId: id, ...parseStepKey(exec.next) }, this.aborts);
    }
    throw new Error(`execution ${id} still moving after ${maxJobs} step jobs`);
  }

  /** Runs the execution's continuation once, as one step job (instant steps after it chained as a worker would); answers its step key. */
  async runNext(id: string): Promise<string> {
    const worker = this.rt('worker');
    const exec = await worker.executions.load(id);
    if (!exec?.next) throw new Error(`execution ${id} has no continuation (${exec?.status})`);
    await processStepJob(worker, { executionId: id, ...parseStepKey(exec.next) }, this.aborts);
    return exec.next;
  }

  /** A worker polling the execution while a race goes on: runs its continuation whenever there is one, until `stop()` is true and it is idle. */
  async driveWhile(id: string, stop: () => boolean): Promise<number> {
    const worker = this.rt('worker');
    let jobs = 0;
    for (let rounds = 0; rounds < 2000; rounds++) {
      const exec = await worker.executions.load(id);
      if (!exec || isTerminal(exec.status)) return jobs;
      if ((exec.status === 'PENDING' || exec.status === 'RUNNING') && exec.next) {
        jobs++;
        await processStepJob(worker, { executionId: id, ...parseStepKey(exec.next) }, this.aborts);
        continue;
      }
      if (stop()) return jobs;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`execution ${id}: the polling worker never went idle`);
  }

  /**
   * Index entries that disagreed with their execution right after a race and that the reconciler put
   * right (docs/operations.md "The reconciler"): each transition moves the execution between the status
   * indexes after its compare-and-set, outside the script, so two transitions by two processes can
   * update the indexes in the other order. Counted, and reported by the tests.
   */
  indexRepairs = 0;
  private readonly reconciler = new ReconcilerMemory();

  /**
   * The execution's state once the race is over. When its index entries disagree with it, the
   * reconciler runs its two passes (an entry is repaired when it still disagrees at the same rev a
   * pass later), as a worker's would within 2 × FLOWGATE_RECONCILE_MS, and the state is read again:
   * what is left wrong after that is a problem.
   */
  async settled(id: string): Promise<Snapshot> {
    const s = await this.snapshot(id);
    if (s.indexes.length === 1 && s.indexes[0] === s.exec.status) return s;
    for (let pass = 0; pass < 2; pass++) await reconcileOnce(this.rt('worker'), 'race-reconciler', { sweepWaits: true, memory: this.reconciler });
    const after = await this.snapshot(id);
    if (after.indexes.length === 1 && after.indexes[0] === after.exec.status) this.indexRepairs++;
    return after;
  }

  async snapshot(id: string): Promise<Snapshot> {
    const api = this.rt('api');
    const exec = await api.executions.load(id);
    if (!exec) throw new Error(`execution ${id} is missing`);
    const { records, responses } = await api.executions.loadRecords(id);
    const scores = await Promise.all(EXECUTION_STATUSES.map((s) => api.redis.zscore(this.keys.byStatus(s), id)));
    const finished = await api.redis.zscore(this.keys.finished(), id);
    return {
      exec,
      records,
      responses,
      step: (path) => records.find((r) => r.path === path),
      indexes: EXECUTION_STATUSES.filter((_, i) => scores[i] !== null),
      finishedIndex: finished !== null,
    };
  }

  async close(): Promise<void> {
    for (const rt of this.sides.values()) await rt.queues.close();
    for (const c of this.connections) c.disconnect();
  }
}

/**
 * What must hold whoever won: the status indexes list the execution once, under its status; a
 * terminal execution is in the finish-time index, has no continuation and no wait, and no step
 * record left PENDING, RUNNING or waiting; step paths are unique. Answers what does not hold.
 */
export function invariantProblems(s: Snapshot): string[] {
  const problems: string[] = [];
  const { exec } = s;
  if (s.indexes.length !== 1 || s.indexes[0] !== exec.status) problems.push(`status ${exec.status} but listed under [${s.indexes.join(', ')}]`);
  const paths = s.records.map((r) => r.path);
  if (new Set(paths).size !== paths.length) problems.push(`a step path recorded twice: ${paths.join(', ')}`);
  if (isTerminal(exec.status)) {
    if (!s.finishedIndex) problems.push(`${exec.status} but not in the finish-time index`);
    if (exec.next) problems.push(`${exec.status} with a continuation ${exec.next}`);
    if (exec.waitingFor) problems.push(`${exec.status} still waiting for ${exec.waitingFor.step}`);
    if (exec.finishedAt === null) problems.push(`${exec.status} without finishedAt`);
    for (const r of s.records) if (!isTerminal(r.status)) problems.push(`${exec.status} with step ${r.path} left ${r.status}`);
  }
  return problems;
}

/** The steps as [path, status] pairs, in start order: the shape most checks compare. */
export function stepStatuses(s: Snapshot): [string, string][] {
  return s.records.map((r) => [r.path, r.status]);
}

/** The wait's responses as `by:code` (accepted answers `by:200`), sorted: who tried, and what each got. */
export function responseCodes(s: Snapshot, path: string): string[] {
  return (s.responses.get(path) ?? []).map((r) => `${r.by}:${r.code}${r.accepted ? '' : '-'}`).sort();
}

/** Collects the problems of many trials and keeps the first ones whole. */
export class Problems {
  readonly list: string[] = [];
  add(trial: number, id: string, problems: string[]): void {
    for (const p of problems) this.list.push(`trial ${trial} (${id}): ${p}`);
  }
  get first(): string[] {
    return this.list.slice(0, 25);
  }
}

/**
 * For the tests through the API: waits (up to 5 s) until the status indexes of a System's Redis list
 * exactly `want` executions per status (none in the others), as the reconciler leaves them.
 */
export async function expectIndexes(redis: IORedis, want: Partial<Record<string, number>>): Promise<void> {
  const counts = async () => Object.fromEntries(await Promise.all(EXECUTION_STATUSES.map(async (s) => [s, await redis.zcard(`fg:x:st:${s}`)] as const)));
  const wanted = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, want[s] ?? 0]));
  const first = await counts();
  const t0 = Date.now();
  let last = first;
  for (const deadline = t0 + 5000; JSON.stringify(last) !== JSON.stringify(wanted) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
    last = await counts();
  }
  if (JSON.stringify(first) !== JSON.stringify(wanted)) {
    const differ = (c: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0)));
    process.stdout.write(`race: the status indexes listed ${differ(first)} at first, want ${differ(wanted)}; ${JSON.stringify(last) === JSON.stringify(wanted) ? `put right after ${Date.now() - t0} ms` : 'never put right'}\n`);
  }
  expect(last).toEqual(wanted);
}

/** Prints one line of figures about a race (jest shows stdout of a test file). */
export function report(name: string, figures: Record<string, number | string>): void {
  process.stdout.write(`race ${name}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}

/**
 * What an answer (by alice, `{decision: "yes"}`) and a cancel racing on the wait `review` left,
 * checked whoever won (the cancel by a user, or by settings.timeout: `canceller`). `last`: the wait
 * is the last step (exactly one of them wins); `next`: the step `after` follows it. Adds what does not
 * hold to `out`; answers the outcome's name.
 */
export function judgeResumeCancel(s: Snapshot, resume: ResumeResult, cancel: CancelResult, shape: 'last' | 'next', canceller: { reason: 'user' | 'timeout'; by: string }, out: string[]): string {
  const review = s.step('review');
  const after = s.step('after');
  const answered = resume.ok;
  out.push(...invariantProblems(s));
  // The wait was decided once: by the answer (COMPLETED, who answered) or by the cancel (CANCELLED).
  if (answered) {
    if (review?.status !== 'COMPLETED' || review.respondedBy !== 'alice' || JSON.stringify(review.output) !== '{"decision":"yes"}') out.push(`the answer won but review is ${JSON.stringify(review)}`);
    if (JSON.stringify(responseCodes(s, 'review')) !== '["alice:200"]') out.push(`responses ${JSON.stringify(responseCodes(s, 'review'))}`);
  } else {
    const want = { ok: false, code: 'not_waiting', status: 'CANCELLED', step: 'review', respondedBy: null, respondedAt: null };
    if (JSON.stringify(resume) !== JSON.stringify(want)) out.push(`the answer lost with ${JSON.stringify(resume)}`);
    if (review?.status !== 'CANCELLED' || review.respondedBy) out.push(`the cancel won but review is ${JSON.stringify(review)}`);
    if (JSON.stringify(responseCodes(s, 'review')) !== '["alice:409-"]') out.push(`responses ${JSON.stringify(responseCodes(s, 'review'))}`);
    if (after) out.push(`a step ran after the cancel: ${JSON.stringify(after)}`);
  }
  if (cancel.ok) {
    if (s.exec.status !== 'CANCELLED' || JSON.stringify({ reason: s.exec.cancellation?.reason, by: s.exec.cancellation?.by }) !== JSON.stringify(canceller)) out.push(`the cancel won but the execution is ${s.exec.status} ${JSON.stringify(s.exec.cancellation)}`);
    if (after && (after.status !== 'CANCELLED' || after.output !== null)) out.push(`after the cancel, step after is ${JSON.stringify(after)}`);
  } else {
    if (JSON.stringify(cancel) !== JSON.stringify({ ok: false, code: 'already_finished', status: 'COMPLETED' })) out.push(`the cancel lost with ${JSON.stringify(cancel)}`);
    if (s.exec.status !== 'COMPLETED') out.push(`the cancel lost but the execution is ${s.exec.status}`);
    if (!answered) out.push('neither the answer nor the cancel won');
  }
  if (shape === 'last') {
    // Exactly one winner.
    if (answered === cancel.ok) out.push(`answer ${answered ? 'and' : 'nor'} cancel both ${answered ? 'won' : 'lost'}`);
    const want = answered ? [['prep', 'COMPLETED'], ['review', 'COMPLETED']] : [['prep', 'COMPLETED'], ['review', 'CANCELLED']];
    if (JSON.stringify(stepStatuses(s)) !== JSON.stringify(want)) out.push(`steps ${JSON.stringify(stepStatuses(s))}`);
    return answered ? 'answer won' : 'cancel won';
  }
  if (s.exec.status === 'COMPLETED') {
    if (JSON.stringify(stepStatuses(s)) !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'COMPLETED']]) || JSON.stringify(after?.output) !== '{"decided":"yes"}') out.push(`completed with ${JSON.stringify(s.records)}`);
    return 'answer won, next step ran, then the cancel came too late';
  }
  if (answered) {
    if (JSON.stringify(stepStatuses(s)) !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'CANCELLED']])) out.push(`steps ${JSON.stringify(stepStatuses(s))}`);
    return 'answer won, then the cancel stopped the next step';
  }
  if (JSON.stringify(stepStatuses(s)) !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'CANCELLED']])) out.push(`steps ${JSON.stringify(stepStatuses(s))}`);
  return 'cancel won';
}
