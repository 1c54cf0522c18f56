/**
 * How each channel of a wait's `with.channels` renders and sends its notification
 * (docs/workflows.md "Answering from Slack, e-mail or a webhook"), through the connectors of
 * connectors.yaml. The message leads with the decision, then the evidence (host, rule, severity, the
 * AI's verdict), then the links. Alert values are attacker-controlled: escaped for Slack (no link or
 * mention can be made from them) and for HTML.
 */
import {

  postSlackMessage,
  postWebhook,
  sendEmail,
  sendSlackWebhook,
  slackApprovalMessage,
  escapeSlackText,
  type ConnectorRegistry,
  type SlackLinkButton,
  type SlackActionButton,
} from '@flowgate/connectors';
import type { NotificationMessage, Notifier } from '@flowgate/executor';
import { escapeHtml, unescapeMarkdown } from '@flowgate/template';

/** The Slack action ids a signed button click comes back with (services/api/src/routes/slack.ts). */
export const SLACK_ACTIONS = { approve: 'flowgate_approve', reject: 'flowgate_reject' } as const;


/** Markdown to Slack mrkdwn, line by line: headings and bold become *bold*; everything escaped for Slack. */
export function toSlackText(markdown: string): string {
  return markdown
    .split(/\r?\n/)
    .map((raw) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(raw.trim());
      const line = escapeSlackText(unescapeMarkdown(heading ? heading[1] : raw));
      const bold = line.replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '*$1*');
      return heading ? `*${bold.replace(/^\*|\*$/g, '')}*` : bold;
    })
    .join('\n')
    .trim();
}

/** The plain text of the message: what an e-mail's text part and a webhook carry. */
export function toPlainText(markdown: string): string {
  return markdown
    .split(/\r?\n/)
    .map((raw) => unescapeMarkdown(raw.replace(/^#{1,6}\s+/, '').replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '$1')))
    .join('\n')
    .trim();
}


/** The evidence lines under the decision: host, rule, severity, the AI's verdict. */
function evidence(m: NotificationMessage): string[] {
  const s = m.summary;
  const lines: string[] = [];
  if (s?.host) lines.push(`Host: ${s.host}`);
  if (s?.user) lines.push(`User: ${s.user}`);
  if (s?.rule) lines.push(`Rule: ${s.rule}`);
  if (s?.severity) lines.push(`Severity: ${s.severity}${s.riskScore !== null && s.riskScore !== undefined ? ` (risk ${s.riskScore})` : ''}`);
  if (m.ai?.category) lines.push(`AI: ${m.ai.category}${m.ai.confidence !== null ? ` (${Math.round(m.ai.confidence * 100)}%)` : ''}`);
  return lines;
}

function deadlineLine(m: NotificationMessage): string | null {
  return m.expiresAt ? `Links work once, until ${new Date(m.expiresAt).toISOString().replace('.000Z', 'Z')}.` : null;
}

/** The links as labelled buttons: approve/reject for an approval, the form otherwise, then the execution. */
function linkButtons(m: NotificationMessage): SlackLinkButton[] {
  const out: SlackLinkButton[] = [];
  if (m.links.approve) out.push({ label: m.approveLabel, url: m.links.approve, style: 'primary' });
  if (m.links.reject) out.push({ label: m.rejectLabel, url: m.links.reject, style: 'danger' });
  if (m.links.form) out.push({ label: 'Answer', url: m.links.form, style: 'primary' });
  out.push({ label: 'Open in Flowgate', url: m.executionUrl });
  return out;
}

function slackText(m: NotificationMessage): string {
  const facts = evidence(m).map((l) => `• ${escapeSlackText(l)}`);
  return [toSlackText(m.markdown) || `*${escapeSlackText(m.title)}*`, ...facts, `_${escapeSlackText(m.workflowName)}_`].join('\n');
}

function emailParts(m: NotificationMessage): { subject: string; text: string; html: string } {
  const configured = typeof m.config.subject === 'string' && m.config.subject.trim() !== '' ? m.config.subject : null;
  const subject = (configured ?? `Decision needed: ${m.title}`).replace(/[\r\n]+/g, ' ').slice(0, 200);
  const links = linkButtons(m);
  const deadline = deadlineLine(m);
  const text = [toPlainText(m.markdown), '', ...evidence(m), '', ...links.map((l) => `${l.label}: ${l.url}`), ...(deadline ? ['', deadline] : []), '', `Workflow: ${m.workflowName}`].join('\n');
  const paragraphs = toPlainText(m.markdown)
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  const facts = evidence(m).length ? `<ul>${evidence(m).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '';
  const buttons = links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(' &nbsp; ');
  const html = `<!doctype html><html><body><h2>${escapeHtml(m.title)}</h2>${paragraphs}${facts}<p>${buttons}</p>${deadline ? `<p><small>${escapeHtml(deadline)}</small></p>` : ''}<p><small>${escapeHtml(m.workflowName)}</small></p></body></html>`;
  return { subject, text, html };
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : typeof v === 'string' && v.trim() !== '' ? [v] : []);

export class ConnectorNotifier implements Notifier {
  constructor(private readonly connectors: ConnectorRegistry | undefined) {}

  async send(m: NotificationMessage, signal: AbortSignal): Promise<void> {
    const id = typeof m.config['connector-id'] === 'string' ? m.config['connector-id'] : '';
    const connector = this.connectors?.get(id);
    if (!connector) throw Object.assign(new Error(`no connector "${id}" in this worker's connectors.yaml`), { retryable: false });
    if (m.channel === 'slack' && connector.type === 'slack') {
      await sendSlackWebhook(connector, slackApprovalMessage({ text: slackText(m), links: linkButtons(m) }), signal);
    } else if (m.channel === 'slack_api' && connector.type === 'slack_api') {
      // With a signing secret, an approval gets buttons Slack posts back (signed): the clicking user answers.
      const actions: SlackActionButton[] =
        connector.signingSecret && m.links.approve && m.links.reject
          ? [
              { label: m.approveLabel, actionId: SLACK_ACTIONS.approve, value: tokenOf(m.links.approve), style: 'primary' },
              { label: m.rejectLabel, actionId: SLACK_ACTIONS.reject, value: tokenOf(m.links.reject), style: 'danger' },
            ]
          : [];
      const links = actions.length ? linkButtons(m).filter((l) => l.url === m.executionUrl || l.url === m.links.form) : linkButtons(m);
      const message = slackApprovalMessage({ text: slackText(m), links, actions });
      const channels = stringList(m.config.channels);
      if (channels.length === 0) throw Object.assign(new Error('slack_api: no channels to post to'), { retryable: false });
      for (const channel of channels) await postSlackMessage(connector, { channel, ...message }, signal);
    } else if (m.channel === 'email' && connector.type === 'email') {
      const to = stringList(m.config.to);
      if (to.length === 0) throw Object.assign(new Error('email: no recipients ("to")'), { retryable: false });
      await sendEmail(connector, { to, ...emailParts(m) }, signal);
    } else if (m.channel === 'webhook' && connector.type === 'http') {
      await postWebhook(
        connector,
        {
          executionId: m.executionId,
          step: m.step,
          workflow: m.workflowName,
          title: m.title,
          message: toPlainText(m.markdown),
          summary: m.summary,
          ai: m.ai,
          links: { ...m.links, execution: m.executionUrl },
          expiresAt: m.expiresAt ? new Date(m.expiresAt).toISOString() : null,
        },
        { signal, dispatcher: this.connectors?.dispatcher(connector), idempotencyKey: `${m.executionId}:${m.step}:${m.channel}` },
      );
    } else {
      throw Object.assign(new Error(`connector "${id}" is of type "${connector.type}", which cannot carry the ${m.channel} channel`), { retryable: false });
    }
  }
}

/** The token of a link (after `#`), what a Slack button carries back. */
function tokenOf(url: string): string {
  return url.slice(url.indexOf('#') + 1);
}


