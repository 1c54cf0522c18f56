import { Queue, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { jobIds, STEPS_QUEUE, TIMERS_QUEUE, type StartEntry, type StepJob, type TimerJob } from './jobs';
import { flowgateRepeatStrategy } from './schedule-patterns';

/** Finished jobs are removed (their results live in the execution records); failed ones kept a day. */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 10000 },
  // Step failures are handled by the executor; a job only throws when Redis failed it or it ran
  // ahead of its commit, and then a quick retry is right (the reconciler covers the rest).
  attempts: 5,
  backoff: { type: 'exponential', delay: 50 },
};

/** The two queues, for producers (API and workers both enqueue). */
export class Queues {
  readonly steps: Queue<StepJob>;
  readonly timers: Queue<TimerJob>;

  constructor(connection: Redis | Cluster, prefix: string) {
    this.steps = new Queue<StepJob>(STEPS_QUEUE, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    // Timers sit in Redis for hours (one per execution with settings.timeout): the smallest options.
    // A failed timer is logged by the worker; the reconciler covers a timeout whose timer is lost.
    // The first run of a job scheduler is computed here, by the strategy that reads rrule patterns.
    this.timers = new Queue<TimerJob>(TIMERS_QUEUE, { connection, prefix, settings: { repeatStrategy: flowgateRepeatStrategy }, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  }

  /** Idempotent: a job whose id exists is not added again. */
  async addStep(job: StepJob): Promise<void> {
    await this.steps.add('step', job, { jobId: jobIds.step(job) });
  }

  async addSteps(jobs: StepJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.steps.addBulk(jobs.map((data) => ({ name: 'step', data, opts: { jobId: jobIds.step(data) } })));
  }

  /**
   * Queues the first step jobs and timeout timers of new executions as one job for the workers to
   * fan out. It goes on the timers queue, which stays short, so that a backlog of steps never
   * delays it; unlike timers it is retried, and a lost one is covered by the reconciler.
   */
  async addStartBatch(executions: StartEntry[]): Promise<void> {
    await this.timers.add('start', { kind: 'start', executions }, { jobId: jobIds.startBatch(executions[0][0]), ...DEFAULT_JOB_OPTIONS });
  }

  /** The first step jobs and the settings.timeout timers of new executions ([id, path, deadline or 0]). */
  async addStarts(executions: StartEntry[], now = Date.now()): Promise<void> {
    const timed = executions.filter(([, , deadline]) => deadline > 0);
    await Promise.all([
      this.addSteps(executions.map(([executionId, path]) => ({ executionId, path, attempt: 1 }))),
      timed.length === 0
        ? undefined
        : this.timers.addBulk(
            timed.map(([executionId, , deadline]) => ({
              name: 'timer',
              data: { kind: 'execution-timeout' as const, executionId },
              opts: { jobId: jobIds.executionTimeout(executionId), delay: Math.max(0, deadline - now) },
            })),
          ),
    ]);
  }

  async addWake(executionId: string, path: string, attempt: number, delayMs: number): Promise<void> {
    await this.timers.add('timer', { kind: 'wake', executionId, path, attempt }, { jobId: jobIds.wake(executionId, path, attempt), delay: Math.max(0, delayMs) });
  }

  async addStepTimeout(executionId: string, path: string, attempt: number, delayMs: number): Promise<void> {
    await this.timers.add('timer', { kind: 'step-timeout', executionId, path, attempt }, { jobId: jobIds.stepTimeout(executionId, path, attempt), delay: Math.max(0, delayMs) });
  }

  /** Removes a pending timer; a timer that is running or gone is left alone. */
  async removeTimer(jobId: string): Promise<void> {
    try {
      await this.timers.remove(jobId);
    } catch {
      // a locked (running) job cannot be removed; its handler finds the execution terminal and does nothing
    }
  }

  /** Whether a job with this id is waiting, delayed or active. */
  async hasStepJob(job: StepJob): Promise<boolean> {
    const found = await this.steps.getJob(jobIds.step(job));
    if (!found) return false;
    const state = await found.getState();
    return state === 'waiting' || state === 'delayed' || state === 'active' || state === 'prioritized' || state === 'waiting-children';
  }

  async close(): Promise<void> {
    await Promise.all([this.steps.close(), this.timers.close()]);
  }
}
