/**
 * Answering through a single-use link (docs/api.md "Answer links"): the token names one wait and
 * what it may do; the answer then goes through the same resume as any other (schema, compare-and-set,
 * one winner), recorded as `respondedBy: "link:<channel>"`. A link whose wait is over — answered by
 * any path, timed out, cancelled — or that expired is `gone`, with who answered when that is known.
 */
import { isTerminal, type AnswerChannel, type ExecutionState, type StepRecord } from '@flowgate/engine';
import type { AnswerLink } from '@flowgate/store';
import type { SchemaError } from '@flowgate/workflow-format';
import { resumeExecution } from './resume';
import type { Runtime } from './runtime';
import { loadExecution } from './transitions';

export interface GoneLink {
  ok: false;
  code: 'gone';
  message: string;
  status: string | null;
  respondedBy: string | null;
  respondedAt: number | null;
}

export type LinkView =
  | { ok: true; link: AnswerLink; exec: ExecutionState; record: StepRecord }
  | GoneLink;

export type LinkResumeResult =
  | { ok: true; executionId: string; step: string; respondedBy: string; answer: Record<string, unknown> }
  | GoneLink
  | { ok: false; code: 'validation_failed'; errors: SchemaError[]; step: string }
  | { ok: false; code: 'bad_answer'; message: string };

const gone = (message: string, status: string | null = null, record?: StepRecord): GoneLink => ({
  ok: false,
  code: 'gone',
  message,
  status,
  respondedBy: record?.respondedBy ?? null,
  respondedAt: record?.respondedAt ?? null,
});

/** The link and the wait it answers, while that wait is still open. Reading it changes nothing. */
export async function viewLink(rt: Runtime, token: string): Promise<LinkView> {
  const link = await rt.links.resolve(token);
  if (!link) return gone('this link is not valid or has expired');
  const loaded = await loadExecution(rt, link.executionId);
  if (!loaded) return gone('the execution this link answers no longer exists');
  const { exec } = loaded;
  const record = loaded.records.get(link.step);
  const waiting = exec.status === 'WAITING_FOR_INPUT' && exec.waitingFor?.step === link.step && record?.attempts === link.attempt;
  if (!waiting || !record) {
    if (record?.respondedBy) return gone(`this request was already answered by ${record.respondedBy}`, exec.status, record);
    if (exec.status === 'CANCELLED') return gone('the execution was cancelled', exec.status, record);
    if (record?.error?.type === 'timeout' || (record?.output as { timedOut?: unknown } | null)?.timedOut === true) return gone('nobody answered in time: the request timed out', exec.status, record);
    return gone(isTerminal(exec.status) ? `the execution is ${exec.status}` : 'this request is no longer waiting for an answer', exec.status, record);
  }
  return { ok: true, link, exec, record };
}

/**
 * The answer a link gives: an approve/reject link answers `{approved}` (with the notes sent, if any);
 * a form link answers the body, validated against the wait's schema by the resume.
 */
function answerOf(link: AnswerLink, body: Record<string, unknown>): Record<string, unknown> | string {
  if (link.action === 'form') return body;
  const extra = Object.keys(body).filter((k) => k !== 'notes');
  if (extra.length > 0) return `an ${link.action} link takes only "notes", got "${extra[0]}"`;
  if (body.notes !== undefined && typeof body.notes !== 'string') return '"notes" must be text';
  const notes = typeof body.notes === 'string' ? body.notes.trim() : '';
  return { approved: link.action === 'approve', ...(notes ? { notes } : {}) };
}

/**
 * `where`: the request the client means (from the URL); null when the token alone says it (a Slack
 * button). `by`: who answers when the channel knows (the Slack user), else `link:<channel>`.
 */
export async function resumeByLink(
  rt: Runtime,
  token: string,
  where: { executionId: string; step: string } | null,
  body: Record<string, unknown>,
  by?: string,
): Promise<LinkResumeResult> {
  const view = await viewLink(rt, token);
  if (!view.ok) return view;
  const { link } = view;
  if (where && (link.executionId !== where.executionId || link.step !== where.step)) return gone('this link is for another request');
  const answer = answerOf(link, body);
  if (typeof answer === 'string') return { ok: false, code: 'bad_answer', message: answer };
  const who = by ?? `link:${link.channel}`;
  const result = await resumeExecution(rt, link.executionId, answer, who, link.step, link.channel as AnswerChannel);
  if (result.ok) return { ok: true, executionId: link.executionId, step: link.step, respondedBy: who, answer };
  if (result.code === 'validation_failed') return result;
  // Lost a race with another answer, a cancel or the timeout: say what won.
  const after = await viewLink(rt, token);
  return after.ok ? gone('this request is no longer waiting for an answer') : after;
}
