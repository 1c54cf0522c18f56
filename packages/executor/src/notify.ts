/**
 * Notifications of a wait (docs/workflows.md "Answering from Slack, e-mail or a webhook"): each
 * channel of `with.channels` is one job on the timers queue, named by the wait run and the channel,
 * so a redelivered step job adds nothing and a notification is sent once when the wait starts. It is
 * retried for about a minute when the channel fails, without holding up the wait, and every attempt
 * is recorded on the wait (`notifications` in the API). The message carries single-use links
 * (store/link-store.ts) unless FLOWGATE_EXTERNAL_RESUME=false.
 */
import { isMoving, isTerminal, stepKey, type AiVerdict, type ExecutionSummary, type NotificationChannel } from '@flowgate/engine';
import type { LinkAction, NotificationEntry } from '@flowgate/store';
import { isPlainObject } from '@flowgate/template';
import { ContinuationNotCommitted } from './job-gate';
import type { Runtime } from './runtime';
import { loadExecution } from './transitions';
import { waitingTitle } from './view';

export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['slack', 'slack_api', 'email', 'webhook'];

/** What a channel sends: the wait's decision, its evidence and its links, rendered by the channel. */
export interface NotificationMessage {
  channel: NotificationChannel;
  /** the channel's rendered settings from `with.channels.<channel>` (connector-id, to, channels, message) */
  config: Record<string, unknown>;
  type: 'waitForInput' | 'waitForApproval';
  title: string;
  /** Markdown: the channel's own `message`, else the wait's */
  markdown: string;
  workflowName: string;
  executionId: string;
  step: string;
  /** the execution in the web app (needs a key) */
  executionUrl: string;
  summary: ExecutionSummary | null;
  ai: AiVerdict | null;
  approveLabel: string;
  rejectLabel: string;
  /** single-use links; none when FLOWGATE_EXTERNAL_RESUME=false */
  links: { approve?: string; reject?: string; form?: string };
  /** ms, when the links expire (the wait's deadline) */
  expiresAt: number | null;
}

/** Sends a notification; throws an error with `retryable: false` when trying again cannot help. */
export interface Notifier {
  send(message: NotificationMessage, signal: AbortSignal): Promise<void>;
}

/** How long one attempt may take before it counts as failed. */
const SEND_TIMEOUT_MS = 15_000;
/** Links of a wait without any deadline (a workflow saved before wait timeouts had defaults). */
const LINK_FALLBACK_MS = 72 * 3_600_000;

/** The channels a wait's rendered input asks for, known ones only (the validator refuses others). */
export function channelsOf(input: unknown): NotificationChannel[] {
  const channels = isPlainObject(input) && isPlainObject(input.channels) ? input.channels : {};
  return NOTIFICATION_CHANNELS.filter((c) => isPlainObject(channels[c]));
}

export interface NotifyAttempt {
  /** attempts made before this one (BullMQ's attemptsMade) */
  attemptsMade: number;
  attempts: number;
}

export class NotificationFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NotificationFailed';
  }
}

export async function processNotification(rt: Runtime, job: { executionId: string; path: string; attempt: number; channel: string }, attempt: NotifyAttempt): Promise<void> {
  const loaded = await loadExecution(rt, job.executionId);
  if (!loaded) return;
  const { exec } = loaded;
  const record = loaded.records.get(job.path);
  // Queued just before the commit that parks the execution on this wait: try again in a moment.
  if (!isTerminal(exec.status) && isMoving(exec.status) && exec.next === stepKey(job.path, job.attempt)) throw new ContinuationNotCommitted(stepKey(job.path, job.attempt));
  const at = () => new Date().toISOString();
  const tries = attempt.attemptsMade + 1;
  const entry = (status: NotificationEntry['status'], error?: string): NotificationEntry => ({ channel: job.channel, run: job.attempt, status, at: at(), attempts: tries, ...(error ? { error } : {}) });
  // The same notification added again once the first was done (a step job redelivered late): sent already.
  const previous = await rt.executions.loadNotification(exec.id, job.path, job.channel);
  if (previous && previous.run === job.attempt && previous.status === 'sent') return;
  const w = exec.waitingFor;
  if (exec.status !== 'WAITING_FOR_INPUT' || !w || w.step !== job.path || record?.attempts !== job.attempt) {
    await rt.executions.recordNotification(exec.id, job.path, entry('skipped', 'the wait was over before the notification went out'));
    return;
  }
  if (!rt.notifier) {
    await rt.executions.recordNotification(exec.id, job.path, entry('failed', 'no notifier is configured in this worker'));
    return;
  }
  const channel = job.channel as NotificationChannel;
  const config = ((record.input as { channels?: Record<string, unknown> } | null)?.channels?.[channel] ?? {}) as Record<string, unknown>;
  const expiresAt = w.deadline ?? exec.deadline ?? w.since + LINK_FALLBACK_MS;
  const links = rt.externalResume ? await mintLinks(rt, { executionId: exec.id, step: w.step, attempt: job.attempt, channel, expiresAt, type: w.type }) : {};
  const message: NotificationMessage = {
    channel,
    config,
    type: w.type === 'waitForApproval' ? 'waitForApproval' : 'waitForInput',
    title: waitingTitle(w),
    markdown: typeof config.message === 'string' && config.message.trim() !== '' ? config.message : w.message,
    workflowName: exec.workflowName,
    executionId: exec.id,
    step: w.step,
    executionUrl: `${rt.publicUrl}/executions/${exec.id}`,
    summary: exec.summary ?? null,
    ai: w.ai ?? null,
    approveLabel: w.approveLabel ?? 'Approve',
    rejectLabel: w.rejectLabel ?? 'Decline',
    links,
    expiresAt,
  };
  try {
    await rt.notifier.send(message, AbortSignal.timeout(SEND_TIMEOUT_MS));
  } catch (err) {
    const retryable = (err as { retryable?: unknown }).retryable !== false;
    const last = !retryable || tries >= attempt.attempts;
    const text = (err as Error).message || String(err);
    await rt.executions.recordNotification(exec.id, job.path, entry(last ? 'failed' : 'retrying', text));
    rt.log.warn({ executionId: exec.id, step: job.path, channel, attempt: tries, err: text }, last ? 'notification failed' : 'notification failed, retrying');
    if (!last) throw new NotificationFailed(text, true);
    return;
  }
  await rt.executions.recordNotification(exec.id, job.path, entry('sent'));
}

/** An approval gets an approve and a reject link, a form one link; each names only its own action. */
async function mintLinks(
  rt: Runtime,
  wait: { executionId: string; step: string; attempt: number; channel: string; expiresAt: number; type: string },
): Promise<NotificationMessage['links']> {
  const actions: LinkAction[] = wait.type === 'waitForApproval' ? ['approve', 'reject'] : ['form'];
  const links: NotificationMessage['links'] = {};
  for (const action of actions) {
    const token = await rt.links.mint({ executionId: wait.executionId, step: wait.step, attempt: wait.attempt, action, channel: wait.channel, expiresAt: wait.expiresAt });
    // The token rides in the fragment: browsers never send it, so no server, proxy or Referer sees it.
    links[action] = `${rt.publicUrl}/respond#${token}`;
  }
  return links;
}
