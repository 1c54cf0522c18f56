/**
 * Job shapes and their deterministic ids (docs/architecture.md "At-least-once jobs, exactly-once state"). BullMQ refuses ":" in custom ids, and
 * step paths never contain ":" or "#", so "#" separates the parts.
 */
export const STEPS_QUEUE = 'steps';
export const TIMERS_QUEUE = 'timers';

export interface StepJob {
  executionId: string;
  path: string;
  attempt: number;
}

export type TimerJob =
  /** settings.timeout of the whole execution */
  | { kind: 'execution-timeout'; executionId: string }
  /** the end of a `wait` step or of a retry delay: the execution moves on */
  | { kind: 'wake'; executionId: string; path: string; attempt: number }
  /** a wait step's own `timeout` */
  | { kind: 'step-timeout'; executionId: string; path: string; attempt: number }
  /** a scheduled trigger firing */
  | { kind: 'schedule'; workflowId: string }
  /** new executions (written already) whose first step jobs and timeout timers are to be queued */
  | { kind: 'start'; executions: StartEntry[] }
  /** one notification of a wait (a channel of `with.channels`), sent once its wait is committed */
  | { kind: 'notify'; executionId: string; path: string; attempt: number; channel: string }
  /** a child execution (workflow.execute) ended: its parent, waiting at `path`, goes on */
  | { kind: 'child-done'; executionId: string; path: string; attempt: number; child: string };

/** [executionId, first step path, settings.timeout deadline in ms since the epoch or 0] */
export type StartEntry = [string, string, number];

export const jobIds = {
  step: (j: StepJob) => `${j.executionId}#${j.path}#${j.attempt}`,
  executionTimeout: (executionId: string) => `t#${executionId}`,
  wake: (executionId: string, path: string, attempt: number) => `w#${executionId}#${path}#${attempt}`,
  stepTimeout: (executionId: string, path: string, attempt: number) => `st#${executionId}#${path}#${attempt}`,
  /** one per wait run and channel: a redelivered step job adds it again, a no-op */
  notify: (executionId: string, path: string, attempt: number, channel: string) => `n#${executionId}#${path}#${attempt}#${channel}`,
  /** one per parent step run: the child's end, however often announced, wakes it once */
  childDone: (executionId: string, path: string, attempt: number) => `cd#${executionId}#${path}#${attempt}`,
  /** a start batch is named by its first execution (ULIDs: unique) */
  startBatch: (firstExecutionId: string) => `sb#${firstExecutionId}`,
};
