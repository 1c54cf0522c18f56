/**
 * The execution as the API shows it (docs/api.md "Executions"): list rows, the execution view with its
 * step records and answers. Pure functions, shared by services/api (its answers) and the archive
 * (archive.ts: the document of an archived execution is this view), so both read the same.
 */
import type { ExecutionState, ExecutionSummary, StepRecord, WaitingFor } from '@flowgate/engine';
import type { NotificationEntry, ResponseEntry } from '@flowgate/store';
import { isHumanWaitStep } from '@flowgate/workflow-format';

/** docs/api.md: every timestamp is ISO 8601 UTC with milliseconds; absent values are null. */
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return null;
  return new Date(ms).toISOString();
}

/**
 * The row title of a wait: the first non-empty line of its message without Markdown markers,
 * at most 200 characters.
 */
export function waitTitle(message: string | null | undefined): string {
  for (const raw of String(message ?? '').split(/\r?\n/)) {
    const line = stripMarkdown(raw);
    if (line !== '') return [...line].slice(0, 200).join('');
  }
  return '';
}

/**
 * `waitingFor.title`, the same in list rows and in the execution view (the UI shows it, never derives
 * its own): the wait's message title, or the step's name when the message has no text; at most 200
 * characters either way.
 */
export function waitingTitle(w: { message: string | null | undefined; name: string }): string {
  return waitTitle(w.message) || [...w.name].slice(0, 200).join('');
}

/** A backslash escape, or the `&#96;` that stands for a backtick in an interpolated value (escapeMarkdown). */
const ESCAPED = /\\([!-/:-@[-`{-~])|&#96;/g;
const KEPT = /[\uE000-\uF8FF]/g;

export function stripMarkdown(line: string): string {
  // What an escape stands for is text, never a marker (the values interpolated into a wait's message
  // are escaped): set aside as private-use characters before the markers are removed, put back after.
  const kept: string[] = [];
  let s = line.trim().replace(ESCAPED, (_all, c: string | undefined) => {
    if (kept.length >= 0x18ff) return c ?? '`';
    kept.push(c ?? '`');
    return String.fromCharCode(0xe000 + kept.length - 1);
  });
  s = s.replace(/^(?:>\s*)+/, ''); // block quotes
  s = s.replace(/^#{1,6}(?:\s+|$)/, ''); // headings
  s = s.replace(/\s+#+\s*$/, ''); // closing heading hashes
  s = s.replace(/^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, ''); // list items, task boxes
  if (/^([-*_=])(?:\s*\1){2,}$/.test(s)) return ''; // rules, setext underlines
  if (/^(```|~~~)/.test(s)) return ''; // code fences
  s = s.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1'); // images
  s = s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'); // links
  s = s.replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1'); // reference links
  // Inline HTML is left as text: it is not a Markdown marker, and alert fields in it must stay visible.
  s = s.replace(/(\*\*|__|~~)(?=\S)([\s\S]*?\S)\1/g, '$2'); // bold, strike
  s = s.replace(/(\*|_)(?=\S)([\s\S]*?\S)\1/g, '$2'); // emphasis
  s = s.replace(/`+([^`]*)`+/g, '$1'); // inline code
  if (kept.length) s = s.replace(KEPT, (ch) => kept[ch.charCodeAt(0) - 0xe000] ?? ch); // escapes
  return s.replace(/\s+/g, ' ').trim();
}

const NO_SUMMARY: ExecutionSummary = { host: null, user: null, rule: null, severity: null, riskScore: null, alertId: null };

/** The summary as the API shows it: every field present (all null for an execution created before summaries). */
export function summaryView(s: Pick<ExecutionState, 'summary'>): ExecutionSummary {
  return { ...NO_SUMMARY, ...(s.summary ?? {}) };
}

/** What the reviewer's queue shows of a wait: its deadline and triage context (docs/api.md "The reviewer's queue"). */
function waitQueueView(s: ExecutionState, w: WaitingFor) {
  return {
    // A wait without a deadline of its own ends at settings.timeout, the execution's deadline, if any.
    deadline: iso(w.deadline ?? s.deadline),
    onDeadline: w.onDeadline ?? (s.deadline ? 'cancel' : null),
    context: { ...summaryView(s), group: groupOf(s), ai: w.ai ?? null },
  };
}

/** Executions from one alert share a group: its id, else the first execution it started, else the execution itself. */
export function groupOf(s: Pick<ExecutionState, 'id' | 'group' | 'summary'>): string {
  return s.summary?.alertId || s.group || s.id;
}

/** What every row and view says of how the execution went, beyond its status. */
function outcomeView(s: ExecutionState) {
  return {
    summary: summaryView(s),
    group: groupOf(s),
    rerunOf: s.rerunOf ?? null,
    parent: s.parent ? { executionId: s.parent.executionId, step: s.parent.step } : null,
    answeredBy: s.answeredBy ? { by: s.answeredBy.by, at: iso(s.answeredBy.at), step: s.answeredBy.step, channel: s.answeredBy.channel } : null,
    cancellation: s.cancellation ? { reason: s.cancellation.reason, by: s.cancellation.by, at: iso(s.cancellation.at), comment: s.cancellation.comment ?? null } : null,
    error: s.error ? { type: s.error.type, message: s.error.message, step: s.error.step ?? null } : null,
  };
}

export function executionRow(s: ExecutionState) {
  const w = s.waitingFor && s.status === 'WAITING_FOR_INPUT' ? s.waitingFor : null;
  return {
    id: s.id,
    workflowId: s.workflowId,
    workflowName: s.workflowName,
    status: s.status,
    createdAt: iso(s.createdAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    waitingFor: w ? { step: w.step, since: iso(w.since), title: waitingTitle(w), ...waitQueueView(s, w) } : null,
    ...outcomeView(s),
  };
}

/** `responseCount`: every answer attempt the wait had, when more than `responses` (the latest ones kept) shows. */
export function stepRecordView(r: StepRecord, responses: ResponseEntry[] | undefined, responseCount?: number, notifications?: NotificationEntry[]) {
  const view: Record<string, unknown> = {
    name: r.name,
    path: r.path,
    type: r.type,
    status: r.status,
    iteration: r.iteration ?? null,
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.error ? { type: r.error.type, message: r.error.message, ...(r.error.details !== undefined ? { details: r.error.details } : {}) } : null,
    attempts: r.attempts,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
  if (r.child !== undefined) view.child = r.child;
  // respondedBy/respondedAt/responses belong to waits: there they are always present (null until answered).
  if (isHumanWaitStep(r.type) || r.respondedBy !== undefined || responses) {
    view.respondedBy = r.respondedBy ?? null;
    view.respondedAt = iso(r.respondedAt);
    view.respondedVia = r.respondedVia ?? null;
    view.responses = (responses ?? []).map((e) => ({ by: e.by, at: e.at, accepted: e.accepted, code: e.code }));
    view.responseCount = Math.max(responseCount ?? 0, (responses ?? []).length);
    view.notifications = (notifications ?? []).map((n) => ({ channel: n.channel, status: n.status, at: n.at, attempts: n.attempts, ...(n.error ? { error: n.error } : {}) }));
  }
  return view;
}

export function executionView(
  s: ExecutionState,
  records: StepRecord[],
  responses: Map<string, ResponseEntry[]>,
  responseCounts: Map<string, number> = new Map(),
  notifications: Map<string, NotificationEntry[]> = new Map(),
) {
  const w = s.waitingFor && s.status === 'WAITING_FOR_INPUT' ? s.waitingFor : null;
  return {
    id: s.id,
    workflowId: s.workflowId,
    workflowName: s.workflowName,
    workflowVersion: s.version,
    trigger: s.trigger,
    triggeredBy: s.triggeredBy,
    status: s.status,
    event: s.event ?? {},
    inputs: s.inputs ?? {},
    createdAt: iso(s.createdAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    ...outcomeView(s),
    reruns: s.reruns ?? [],
    output: s.output ?? null,
    waitingFor: w
      ? {
          step: w.step,
          name: w.name,
          type: w.type,
          message: w.message,
          schema: w.schema ?? null,
          since: iso(w.since),
          title: waitingTitle(w),
          ...(w.approveLabel !== undefined ? { approveLabel: w.approveLabel } : {}),
          ...(w.rejectLabel !== undefined ? { rejectLabel: w.rejectLabel } : {}),
          ...waitQueueView(s, w),
        }
      : null,
    steps: [...records].sort((a, b) => a.seq - b.seq).map((r) => stepRecordView(r, responses.get(r.path), responseCounts.get(r.path), notifications.get(r.path))),
  };
}
