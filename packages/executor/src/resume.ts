import { isTerminal, type AnswerChannel, type StepRecord } from '@flowgate/engine';
import { jobIds } from '@flowgate/queue';
import { isHumanWaitStep, validateAnswer, type SchemaError } from '@flowgate/workflow-format';
import { applyPlan, loadExecution, planAdvance, type Loaded } from './transitions';
import { waitEnded } from './wait-context';
import type { Runtime } from './runtime';

export type ResumeResult =
  | { ok: true; executionId: string; status: 'RUNNING'; step: string }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'validation_failed'; errors: SchemaError[]; step: string }
  | { ok: false; code: 'not_waiting' | 'step_not_waiting'; status: string; step: string | null; respondedBy: string | null; respondedAt: number | null };

/** The wait step a late answer refers to: the one waiting now, else the last wait that ran. */
function lastWait(loaded: Loaded): StepRecord | undefined {
  const waits = [...loaded.records.values()].filter((r) => isHumanWaitStep(r.type));
  return waits.sort((a, b) => a.seq - b.seq).at(-1);
}

function notWaiting(loaded: Loaded, code: 'not_waiting' | 'step_not_waiting'): ResumeResult {
  const w = lastWait(loaded);
  return { ok: false, code, status: loaded.exec.status, step: w?.path ?? null, respondedBy: w?.respondedBy ?? null, respondedAt: w?.respondedAt ?? null };
}

/**
 * docs/semantics.md "Waiting for a human": validate the answer, then atomically — only while the execution still waits at that
 * step — store it as the step's output with who answered, and enqueue the next step.
 * Every attempt, accepted or not, is kept on the wait's record.
 */
export async function resumeExecution(
  rt: Runtime,
  executionId: string,
  answer: Record<string, unknown>,
  by: string,
  onlyStep?: string,
  channel: AnswerChannel = 'api',
): Promise<ResumeResult> {
  const t0 = Date.now();
  for (let tries = 0; tries < 10; tries++) {
    const loaded = await loadExecution(rt, executionId);
    if (!loaded) return { ok: false, code: 'not_found' };
    const { exec } = loaded;
    const at = new Date().toISOString();
    const waiting = exec.status === 'WAITING_FOR_INPUT' && exec.waitingFor ? exec.waitingFor : null;
    if (!waiting || (onlyStep !== undefined && onlyStep !== waiting.step)) {
      const result = notWaiting(loaded, waiting ? 'step_not_waiting' : 'not_waiting');
      const target = waiting?.step ?? lastWait(loaded)?.path;
      if (target) await rt.executions.appendResponse(executionId, target, { by, at, accepted: false, code: 409 });
      return result;
    }
    const errors = validateAnswer(waiting.schema, answer);
    if (errors.length > 0) {
      await rt.executions.appendResponse(executionId, waiting.step, { by, at, accepted: false, code: 400 });
      return { ok: false, code: 'validation_failed', errors, step: waiting.step };
    }
    const record = loaded.records.get(waiting.step)!;
    const now = Date.now();
    const answered: StepRecord = { ...record, status: 'COMPLETED', output: answer, error: null, finishedAt: now, respondedBy: by, respondedAt: now, respondedVia: channel };
    const p = planAdvance(loaded, answered, now);
    p.set.waitingFor = null;
    p.set.answeredBy = { by, at: now, step: waiting.step, channel };
    p.set.waitEnded = waitEnded(waiting, 'answered', now, by, channel);
    const result = await applyPlan(rt, exec, { rev: exec.rev, statuses: ['WAITING_FOR_INPUT'], waitStep: waiting.step }, p, {
      path: waiting.step,
      entry: { by, at, accepted: true, code: 200 },
    });
    if (result.ok) {
      // Only a wait with its own `timeout` has a timer to remove.
      if (loaded.plan.locate(waiting.name).step.timeoutMs) await rt.queues.removeTimer(jobIds.stepTimeout(executionId, waiting.step, record.attempts));
      rt.hooks.resumed?.(Date.now() - t0);
      return { ok: true, executionId, status: 'RUNNING', step: waiting.step };
    }
    if (result.reason === 'missing') return { ok: false, code: 'not_found' };
    // Lost a race (another answer, a cancel, a timeout): reload and answer with what won.
    if (isTerminal(result.status) || result.status !== 'WAITING_FOR_INPUT') continue;
  }
  const loaded = await loadExecution(rt, executionId);
  return loaded ? notWaiting(loaded, 'not_waiting') : { ok: false, code: 'not_found' };
}
