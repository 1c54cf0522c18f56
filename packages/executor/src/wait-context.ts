/**
 * What the reviewer's queue needs of a wait, computed once when the wait starts (docs/api.md
 * "The reviewer's queue"): its deadline and what the deadline does, and the AI verdict of a step
 * before it. Stored on waitingFor, so listing the inbox never reads step records.
 */
import type { AiVerdict, AnswerChannel, ExecutionState, StepRecord, WaitEnded, WaitingFor } from '@flowgate/engine';
import { waitingTitle } from './view';
import { isPlainObject } from '@flowgate/template';

const RATIONALE_CHARS = 300;
const CATEGORY_CHARS = 100;

/** The earlier of the wait step's own timeout (the step fails) and settings.timeout (the execution is cancelled). */
export function waitDeadline(since: number, stepTimeoutMs: number | undefined, exec: Pick<ExecutionState, 'deadline'>): Pick<WaitingFor, 'deadline' | 'onDeadline'> {
  const stepDeadline = stepTimeoutMs ? since + stepTimeoutMs : null;
  const execDeadline = exec.deadline ?? null;
  if (stepDeadline !== null && (execDeadline === null || stepDeadline < execDeadline)) return { deadline: stepDeadline, onDeadline: 'fail' };
  if (execDeadline !== null) return { deadline: execDeadline, onDeadline: 'cancel' };
  return { deadline: null, onDeadline: null };
}

const cut = (s: string, n: number) => [...s].slice(0, n).join('');

/** A verdict when the output has a category with a confidence or a rationale (what ai.classify answers). */
function verdictOf(record: StepRecord): AiVerdict | null {
  const out = record.output;
  if (!isPlainObject(out) || typeof out.category !== 'string') return null;
  const confidence = typeof out.confidence === 'number' && Number.isFinite(out.confidence) ? out.confidence : null;
  const rationale = typeof out.rationale === 'string' ? cut(out.rationale, RATIONALE_CHARS) : null;
  if (!record.type.startsWith('ai.') && confidence === null && rationale === null) return null;
  return { step: record.path, category: cut(out.category, CATEGORY_CHARS), confidence, rationale };
}

/** The latest completed step before the wait that gave a verdict, `ai.*` steps first. */
export function aiVerdict(records: Iterable<StepRecord>, beforeSeq: number): AiVerdict | null {
  const done = [...records].filter((r) => r.status === 'COMPLETED' && r.seq < beforeSeq).sort((a, b) => b.seq - a.seq);
  for (const pass of [(r: StepRecord) => r.type.startsWith('ai.'), () => true]) {
    for (const r of done) {
      const v = pass(r) ? verdictOf(r) : null;
      if (v) return v;
    }
  }
  return null;
}

/** The History's record of how a wait ended (docs/api.md "History"), kept on the execution. */
export function waitEnded(w: WaitingFor, outcome: WaitEnded['outcome'], at: number, by: string | null, channel: AnswerChannel | null): WaitEnded {
  return { step: w.step, title: waitingTitle(w), outcome, at, by, channel, ai: w.ai ?? null };
}
