import { isTerminal, type Cancellation, type StepRecord } from '@flowgate/engine';
import { applyPlan, loadExecution } from './transitions';
import type { Runtime } from './runtime';
import { waitEnded } from './wait-context';
import { cancelChildren } from './composition';

export type CancelResult =
  | { ok: true; status: 'CANCELLED' }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'already_finished'; status: string };

/**
 * docs/semantics.md "Cancelling" and "Timeouts": one compare-and-set makes the execution CANCELLED; the step in flight is marked
 * CANCELLED and aborted (its late commit is refused because the rev moved).
 */
export async function cancelExecution(rt: Runtime, executionId: string, who: { reason: Cancellation['reason']; by: string; comment?: string | null }): Promise<CancelResult> {
  for (let tries = 0; tries < 20; tries++) {
    const loaded = await loadExecution(rt, executionId);
    if (!loaded) return { ok: false, code: 'not_found' };
    const { exec } = loaded;
    if (isTerminal(exec.status)) return { ok: false, code: 'already_finished', status: exec.status };
    const now = Date.now();
    const writes: StepRecord[] = [];
    for (const r of loaded.records.values()) {
      if (!isTerminal(r.status)) writes.push({ ...r, status: 'CANCELLED', finishedAt: now });
    }
    // A wait ended by the cancel goes to the History: cancelled by a person, or timed out (settings.timeout).
    const ended = exec.status === 'WAITING_FOR_INPUT' && exec.waitingFor
      ? { waitEnded: who.reason === 'timeout' ? waitEnded(exec.waitingFor, 'timed_out', now, null, null) : waitEnded(exec.waitingFor, 'cancelled', now, who.by, null) }
      : {};
    const result = await applyPlan(rt, exec, { rev: exec.rev }, {
      set: { status: 'CANCELLED', finishedAt: now, next: '', waitingFor: null, cancellation: { reason: who.reason, by: who.by, at: now, ...(who.comment ? { comment: who.comment } : {}) }, ...ended },
      writes,
      terminal: 'CANCELLED',
    });
    if (result.ok) {
      await rt.redis.publish(rt.keys.cancelChannel(), executionId);
      await cancelChildren(rt, executionId, loaded.records.values(), (child) =>
        cancelExecution(rt, child, { reason: who.reason, by: `workflow:${exec.workflowId}`, comment: `its parent ${executionId} was cancelled` }),
      );
      return { ok: true, status: 'CANCELLED' };
    }
    if (result.reason === 'missing') return { ok: false, code: 'not_found' };
  }
  throw new Error(`could not cancel ${executionId}: too much contention`);
}
