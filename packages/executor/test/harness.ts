import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { validateWorkflow } from '@flowgate/workflow-format';
import { isTerminal } from '@flowgate/engine';
import { flowgateRepeatStrategy, Queues } from '@flowgate/queue';
import { Keys, versionHash } from '@flowgate/store';
import { builtinRegistry } from '@flowgate/steps';
import { AbortRegistry, createRuntime, processStepJob, processTimerJob, startExecution, type Runtime } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

const quiet = { info() {}, warn() {}, error() {} };

/**
 * The executor in-process against a real Redis: a runtime with a unique key prefix and queue prefix
 * per test (like BullMQ's own tests), and BullMQ workers running the real processors.
 */
export class ExecutorHarness {
  readonly rt: Runtime;
  private workers: Worker[] = [];
  private connections: IORedis[] = [];
  /** step jobs the workers ran (chained instant steps run inside one) */
  stepJobs = 0;
  readonly aborts = new AbortRegistry();

  constructor(redis: IORedis, extra: Partial<Parameters<typeof createRuntime>[0]> = {}) {
    const keys = new Keys(`t${randomUUID().slice(0, 8)}`);
    const prefix = keys.queuePrefix(false);
    this.rt = createRuntime({
      redis,
      queues: new Queues(redis, prefix),
      registry: builtinRegistry(),
      publicUrl: 'http://flowgate.test',
      log: quiet,
      keys,
      ...extra,
    });
    // The workers' own connections are closed with them (BullMQ leaves a connection it was given
    // open): one left behind would log connection errors once the test's Redis has stopped.
    const stepsConnection = redis.duplicate();
    const timersConnection = redis.duplicate();
    this.connections.push(stepsConnection, timersConnection);
    const options = { prefix, lockDuration: 5000, maxStalledCount: 1000 };
    this.workers.push(
      new Worker(
        'steps',
        async (job) => {
          this.stepJobs++;
          return processStepJob(this.rt, job.data, this.aborts, { stalls: job.stalledCounter });
        },
        { ...options, connection: stepsConnection, concurrency: 10 },
      ),
    );
    this.workers.push(new Worker('timers', async (job) => processTimerJob(this.rt, job.data, { attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 }), { ...options, connection: timersConnection, concurrency: 10, settings: { repeatStrategy: flowgateRepeatStrategy } }));
  }

  async save(id: string, yaml: string): Promise<string> {
    const result = validateWorkflow(yaml);
    if (!result.valid) throw new Error(JSON.stringify(result.errors));
    const saved = await this.rt.workflows.save({ id, yaml, definition: result.definition, name: result.definition!.name, errors: [], warnings: [] });
    expect(saved.workflow.version).toBe(versionHash(result.definition!));
    return saved.workflow.version;
  }

  async start(id: string, yaml: string, opts: { event?: unknown; inputs?: unknown } = {}): Promise<string> {
    const version = await this.save(id, yaml);
    const definition = (await this.rt.workflows.loadVersion(version))!;
    return startExecution(this.rt, { workflowId: id, version, definition, trigger: 'manual', triggeredBy: 'tester', ...opts });
  }

  async until(id: string, predicate: (status: string) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exec = await this.rt.executions.load(id);
      if (exec && predicate(exec.status)) {
        const { records, responses } = await this.rt.executions.loadRecords(id);
        return { exec, records, responses, step: (path: string) => records.find((r) => r.path === path) };
      }
      if (Date.now() > deadline) throw new Error(`execution ${id} stayed ${exec?.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  done(id: string, timeoutMs?: number) {
    return this.until(id, isTerminal, timeoutMs);
  }

  /** Stops the workers taking jobs (those queued stay queued, to be looked at). */
  async pause(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.pause()));
  }

  /** Stops only the timers worker (timers, start batches, notifications). */
  async pauseTimers(): Promise<void> {
    await this.workers[1].pause();
  }

  resume(): void {
    for (const w of this.workers) w.resume();
  }

  /** `force`: do not wait for jobs in flight (a test left one hanging on purpose). */
  async close(force = false): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(force)));
    await this.rt.queues.close();
    for (const c of this.connections) c.disconnect();
  }
}

/**
 * One redis-server and one harness for a whole test file: started before its tests, closed after
 * them. Read `.h` and `.redis` inside tests (they exist once `beforeAll` ran).
 */
export function harnessForFile(extra: Partial<Parameters<typeof createRuntime>[0]> | (() => Partial<Parameters<typeof createRuntime>[0]>) = {}) {
  const state: { server?: RedisServer; redis?: IORedis; h?: ExecutorHarness } = {};
  beforeAll(async () => {
    state.server = await startRedis();
    state.redis = state.server.client();
    state.h = new ExecutorHarness(state.redis, typeof extra === 'function' ? extra() : extra);
  });
  afterAll(async () => {
    await state.h?.close(true);
    await state.server?.stop();
  });
  return {
    get h(): ExecutorHarness {
      return state.h!;
    },
    get redis(): IORedis {
      return state.redis!;
    },
  };
}
