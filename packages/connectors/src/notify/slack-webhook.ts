/**
 * Slack incoming webhooks (docs/connectors.md "type: slack"), through the official `@slack/webhook`
 * client: one JSON POST of `{text, blocks}` to the connector's secret URL, no retries of its own (the
 * caller retries a retryable NotifyError).
 */
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError, type FetchFunction } from '@slack/webhook';
import type { SlackConnector } from '../config';
import { errorCode, rootMessage } from '../errors';
import type { SlackBlock } from './blocks';
import { abortedError, connectError, excerpt, NOTIFY_TIMEOUT_MS, NotifyError, retryableHttpStatus, sendSignal } from './errors';
import { connectorRedactor } from './secrets';

export interface SlackWebhookMessage {
  /** the message text (mrkdwn); with blocks, the notification and fallback text */
  text: string;
  blocks?: SlackBlock[];
}

/**
 * A fetch that also stops on the caller's signal (the client only knows its own timeout). Its
 * failures are plain Errors carrying the socket's `code` (ECONNREFUSED...): fetch hides it in
 * `cause`, which the Slack clients drop when the error is not an `Error` of their own realm.
 */
export function fetchWithSignal(signal: AbortSignal): FetchFunction {
  return async (url, init) => {
    try {
      const res = await globalThis.fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal } as RequestInit);
      return res as unknown as Awaited<ReturnType<FetchFunction>>;
    } catch (err) {
      const e = new Error(rootMessage(err)) as Error & { code?: string };
      e.name = err instanceof Error || (err && typeof err === 'object' && 'name' in err) ? String((err as { name: unknown }).name) : 'Error';
      const code = errorCode(err);
      if (code) e.code = code;
      throw e;
    }
  };
}

/** Posts one message to a Slack incoming webhook. Throws NotifyError (channel `slack`). */
export async function sendSlackWebhook(connector: SlackConnector, message: SlackWebhookMessage, signal?: AbortSignal): Promise<void> {
  const redactor = connectorRedactor(connector);
  const where = new URL(connector.url).origin;
  if (typeof message?.text !== 'string' || message.text.trim() === '') {
    throw new NotifyError('slack', connector.id, 'the message text is empty', false, { code: 'invalid_message' });
  }
  const deadline = sendSignal(signal, NOTIFY_TIMEOUT_MS);
  const webhook = new IncomingWebhook(connector.url, { fetch: fetchWithSignal(deadline), retryConfig: { retries: 0 } });
  try {
    await webhook.send({ text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
  } catch (err) {
    if (err instanceof IncomingWebhookHTTPError) {
      const body = excerpt(err.body ?? '', redactor);
      throw new NotifyError('slack', connector.id, `the webhook answered ${err.statusCode}${body ? `: ${body}` : ''}`, retryableHttpStatus(err.statusCode), {
        status: err.statusCode,
        ...(body && /^[a-z_]+$/.test(body) ? { code: body } : {}),
      });
    }
    if (deadline.aborted) throw abortedError('slack', connector.id, deadline, where);
    throw connectError('slack', connector.id, err instanceof IncomingWebhookRequestError ? err.original : err, where, redactor);
  }
}
