import { isMoving, isTerminal, parseStepKey, stepKey } from '@flowgate/engine';
import type { StepJob } from '@flowgate/queue';
import { loadExecution, type Loaded } from './transitions';
import type { Runtime } from './runtime';

/** Thrown for a job whose continuation is not committed yet; the steps queue retries it after a short delay. */
export class ContinuationNotCommitted extends Error {
  constructor(key: string) {
    super(`continuation ${key} is not committed yet`);
    this.name = 'ContinuationNotCommitted';
  }
}

/**
 * Lets a step job through only when it is its execution's continuation (`next`), and answers the
 * execution loaded for it. Jobs are delivered at least once: a duplicate or stale one finds its step
 * committed and makes sure what follows is queued; one that arrives ahead of its commit is retried.
 */
export async function gateStepJob(rt: Runtime, job: StepJob): Promise<Loaded | null> {
  const loaded = await loadExecution(rt, job.executionId);
  if (!loaded || isTerminal(loaded.exec.status)) return null;
  const { exec } = loaded;
  const key = stepKey(job.path, job.attempt);
  // A wake (end of a wait or retry delay) sends the job right behind its commit: not applied yet.
  if (exec.next === key && exec.status === 'WAITING') throw new ContinuationNotCommitted(key);
  if (exec.next === key) return loaded;
  const moving = isMoving(exec.status);
  if (!loaded.records.has(job.path) && moving) {
    // Ahead of its commit (the script that commits it may be re-sent after a NOSCRIPT): let BullMQ
    // retry shortly rather than drop the continuation.
    throw new ContinuationNotCommitted(key);
  }
  // A duplicate or stale delivery: the step was committed already. Make sure what follows is queued.
  if (exec.next && moving) await rt.queues.addStep({ executionId: exec.id, ...parseStepKey(exec.next) });
  return null;
}
