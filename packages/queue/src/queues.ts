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

/**
 * Timers sit in Redis for hours (one per execution with settings.timeout): small options. A timer
 * that fails (Redis failed it, or it arrived ahead of the commit that parks its execution) is
 * retried; one that fails every attempt is dropped, and the reconciler re-creates the timer of any
 * waiting execution whose wake or deadline passed without it.
 */
const TIMER_JOB_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 5, backoff: { type: 'exponential', delay: 100 } };

/**
 * A notification is retried for about a minute (2, 4, 8, 16, 32 s) when its channel fails; the wait
 * does not depend on it, and each attempt is recorded on the wait's record.
 */
export const NOTIFY_ATTEMPTS = 6;
// delay: queued just before the commit that parks the wait, a notification normally runs after it.
const NOTIFY_JOB_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: NOTIFY_ATTEMPTS, backoff: { type: 'exponential', delay: 2000 }, delay: 200 };

/** The two queues, for producers (API and workers both enqueue). */
export class Queues {
  readonly steps: Queue<StepJob>;
  readonly timers: Queue<TimerJob>;

  constructor(connection: Redis | Cluster, prefix: string) {
    this.steps = new Queue<StepJob>(STEPS_QUEUE, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    // The first run of a job scheduler is computed here, by the strategy that reads rrule patterns.
    this.timers = new Queue<TimerJob>(TIMERS_QUEUE, { connection, prefix, settings: { repeatStrategy: flowgateRepeatStrategy }, defaultJobOptions: TIMER_JOB_OPTIONS });
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

  /** Idempotent per wait run and channel (a redelivered step job adds nothing). */
  async addNotifications(executionId: string, path: string, attempt: number, channels: string[]): Promise<void> {
    if (channels.length === 0) return;
    await this.timers.addBulk(
      channels.map((channel) => ({ name: 'notify', data: { kind: 'notify' as const, executionId, path, attempt, channel }, opts: { jobId: jobIds.notify(executionId, path, attempt, channel), ...NOTIFY_JOB_OPTIONS } })),
    );
  }

  async addWake(executionId: string, path: string, attempt: number, delayMs: number): Promise<void> {
    await this.timers.add('timer', { kind: 'wake', executionId, path, attempt }, { jobId: jobIds.wake(executionId, path, attempt), delay: Math.max(0, delayMs) });
  }

  /** Wakes a parent waiting in workflow.execute at `path` (its child ended). */
  async addChildDone(parent: { executionId: string; step: string; attempt: number }, child: string): Promise<void> {
    const { executionId, step: path, attempt } = parent;
    await this.timers.add('timer', { kind: 'child-done', executionId, path, attempt, child }, { jobId: jobIds.childDone(executionId, path, attempt) });
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

  /** Whether a step job with this id is waiting, delayed or active. */
  async hasStepJob(job: StepJob): Promise<boolean> {
    return isLive(this.steps, jobIds.step(job));
  }

  /** Whether a timer with this id is waiting, delayed or active. */
  async hasTimer(jobId: string): Promise<boolean> {
    return isLive(this.timers, jobId);
  }

  /**
   * Adds a step job again for the reconciler: a finished or failed job left with the same id would
   * make the add a no-op, so it is removed first.
   */
  async readdStep(job: StepJob): Promise<void> {
    await removeDead(this.steps, jobIds.step(job));
    await this.addStep(job);
  }

  /** The same for a lost wake: due now. */
  async readdWake(executionId: string, path: string, attempt: number): Promise<void> {
    await removeDead(this.timers, jobIds.wake(executionId, path, attempt));
    await this.addWake(executionId, path, attempt, 0);
  }

  /** The same for a lost step timeout: due now. */
  async readdStepTimeout(executionId: string, path: string, attempt: number): Promise<void> {
    await removeDead(this.timers, jobIds.stepTimeout(executionId, path, attempt));
    await this.addStepTimeout(executionId, path, attempt, 0);
  }

  async close(): Promise<void> {
    await Promise.all([this.steps.close(), this.timers.close()]);
  }
}

const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

async function isLive(queue: Queue, jobId: string): Promise<boolean> {
  const found = await queue.getJob(jobId);
  return found ? LIVE_STATES.has(await found.getState()) : false;
}

async function removeDead(queue: Queue, jobId: string): Promise<void> {
  const old = await queue.getJob(jobId);
  if (old && !LIVE_STATES.has(await old.getState())) await old.remove().catch(() => undefined);
}
