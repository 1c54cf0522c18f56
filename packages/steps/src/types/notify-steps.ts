/**
 * Kibana's connector steps `slack` and `email` (docs/workflows.md "slack", "email"): one message through
 * the connector named by `connector-id` (type `slack`: an incoming webhook; type `email`: SMTP), with
 * the senders the wait steps' notifications use (@flowgate/connectors, notify/). A send is not
 * retried here: a retryable failure is left to the step's `on-failure`.
 */
import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { abortError, NotifyError, sendEmail, sendSlackWebhook, type ConnectorRegistry } from '@flowgate/connectors';
import { escapeHtml } from '@flowgate/template';
import { connectorsOf, type StepServices } from './services';

type T = StepType<StepServices>;

/** The connector-id of a `slack` or `email` step, checked for its type (Kibana requires one too). */
function connectorOf<K extends 'slack' | 'email'>(ctx: StepRunContext, registry: ConnectorRegistry, type: K) {
  const id = ctx.step.connectorId;
  if (!id) throw new StepError('configuration_error', `${ctx.step.type}: connector-id is required (a connector of type ${type} in connectors.yaml)`);
  return registry.require(id, type, ctx.step.type);
}

/**
 * A sender's failure as a StepError: an abort keeps the executor's reason (cancel, timeout); a refused
 * message is a validation_error; a Slack error status an http_error; a network failure `network`; an
 * SMTP reply a step_error carrying its code. `retryable` is the sender's.
 */
export function notifyStepError(err: unknown, ctx: StepRunContext): StepError {
  if (ctx.signal.aborted) return abortError(ctx.signal, ctx.step.type);
  if (!(err instanceof NotifyError)) return err instanceof StepError ? err : new StepError('step_error', `${ctx.step.type}: ${err instanceof Error ? err.message : String(err)}`);
  const message = `${ctx.step.type}: ${err.message}`;
  const details = { channel: err.channel, connector: err.connector, ...(err.status !== undefined ? { status: err.status } : {}), ...(err.code !== undefined ? { code: err.code } : {}) };
  if (err.code === 'invalid_message') return new StepError('validation_error', message, { details });
  if (err.code === 'timeout') return new StepError('timeout', message, { retryable: true, details });
  if (err.code !== undefined && /CERT|TLS|SSL/.test(err.code)) return new StepError('tls_error', message, { details });
  if (err.status !== undefined && err.channel !== 'email') return new StepError('http_error', message, { retryable: err.retryable, details });
  if (err.status === undefined && err.retryable) return new StepError('network', message, { retryable: true, details });
  return new StepError('step_error', message, { retryable: err.retryable, details });
}

function requiredText(ctx: StepRunContext, key: string): string {
  const v = ctx.input[key];
  if (typeof v !== 'string' || v.trim() === '') throw new StepError('validation_error', `${ctx.step.type}: with.${key} is required (non-empty text)`);
  return v;
}

/** `to`, `cc`, `bcc`: one address, a comma-separated text, or a list of addresses. */
function addresses(ctx: StepRunContext, key: string, required: boolean): string[] {
  let v = ctx.input[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new StepError('validation_error', `${ctx.step.type}: with.${key} is required (one or more e-mail addresses)`);
    return [];
  }
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      /* reported below */
    }
  }
  const list = typeof v === 'string' ? v.split(',') : v;
  if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) {
    throw new StepError('validation_error', `${ctx.step.type}: with.${key} must be an e-mail address or a list of them`);
  }
  const out = list.map((a: string) => a.trim()).filter((a) => a !== '');
  if (required && out.length === 0) throw new StepError('validation_error', `${ctx.step.type}: with.${key} is required (one or more e-mail addresses)`);
  return out;
}

/** The HTML part of a message: its text, escaped, paragraph by paragraph (the text is never read as HTML). */
function htmlOf(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return `<!doctype html><html><body>${paragraphs}</body></html>`;
}

/** slack: `with.message` posted to the connector's incoming webhook. Output `{sent: true, text}`. */
export const slackStep: T = {
  type: 'slack',
  async run(ctx, services) {
    const registry = connectorsOf(services);
    try {
      const text = requiredText(ctx, 'message');
      const connector = connectorOf(ctx, registry, 'slack');
      if (ctx.signal.aborted) throw abortError(ctx.signal, ctx.step.type);
      await sendSlackWebhook(connector, { text }, ctx.signal);
      return { kind: 'output', output: registry.redact({ sent: true, text }) };
    } catch (err) {
      throw registry.redactError(notifyStepError(err, ctx));
    }
  },
};

/**
 * email: `with: {to, subject, message, cc?, bcc?}` sent through the connector's SMTP server, the message
 * as the text part (and, escaped, the HTML part). Output `{sent: true, messageId, accepted, rejected}`.
 */
export const emailStep: T = {
  type: 'email',
  async run(ctx, services) {
    const registry = connectorsOf(services);
    try {
      const to = addresses(ctx, 'to', true);
      const cc = addresses(ctx, 'cc', false);
      const bcc = addresses(ctx, 'bcc', false);
      const subject = requiredText(ctx, 'subject');
      if (/[\r\n]/.test(subject)) throw new StepError('validation_error', 'email: with.subject must be one line of text');
      const text = requiredText(ctx, 'message');
      const connector = connectorOf(ctx, registry, 'email');
      if (ctx.signal.aborted) throw abortError(ctx.signal, ctx.step.type);
      const sent = await sendEmail(connector, { to, ...(cc.length ? { cc } : {}), ...(bcc.length ? { bcc } : {}), subject, text, html: htmlOf(text) }, ctx.signal);
      return { kind: 'output', output: registry.redact({ sent: true, messageId: sent.messageId, accepted: sent.accepted, rejected: sent.rejected }) };
    } catch (err) {
      throw registry.redactError(notifyStepError(err, ctx));
    }
  },
};

export const notifyStepTypes: T[] = [slackStep, emailStep];
