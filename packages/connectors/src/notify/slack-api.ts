/**
 * The Slack Web API (docs/connectors.md "type: slack_api"), through the official `@slack/web-api`
 * client: `chat.postMessage` with the connector's bot token, against the connector's `url` (Slack's
 * https://slack.com/api by default, a stand-in in tests). No retries and no waiting on rate limits
 * inside the client: a 429 is a retryable NotifyError with `retryAfter`, the caller decides.
 */
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Logger,
} from '@slack/web-api';
import type { SlackApiConnector } from '../config';
import type { SlackBlock } from './blocks';
import { abortedError, connectError, excerpt, NOTIFY_TIMEOUT_MS, NotifyError, retryableHttpStatus, sendSignal } from './errors';
import { connectorRedactor } from './secrets';
import { fetchWithSignal } from './slack-webhook';

export interface SlackPostMessage {
  /** a channel id (C0123...) or name (#alerts), or a user id for a DM */
  channel: string;
  /** mrkdwn; with blocks, the notification and fallback text */
  text: string;
  blocks?: SlackBlock[];
}

export interface SlackPostResult {
  /** the channel id Slack posted to */
  channel: string;
  /** the message's timestamp: its id within the channel (for chat.update or a thread) */
  ts: string;
}

/** Slack `error` codes (`{ok: false, error}`) worth another try later; every other one is not. */
export const RETRYABLE_SLACK_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** The client logs nothing (it would log request URLs and warnings to the console). */
const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** Posts one message with `chat.postMessage`. Throws NotifyError (channel `slack_api`). */
export async function postSlackMessage(connector: SlackApiConnector, message: SlackPostMessage, signal?: AbortSignal): Promise<SlackPostResult> {
  const redactor = connectorRedactor(connector);
  const where = connector.url;
  if (typeof message?.channel !== 'string' || message.channel.trim() === '') {
    throw new NotifyError('slack_api', connector.id, 'the channel is empty', false, { code: 'invalid_message' });
  }
  if (typeof message.text !== 'string' || message.text.trim() === '') {
    throw new NotifyError('slack_api', connector.id, 'the message text is empty', false, { code: 'invalid_message' });
  }
  const deadline = sendSignal(signal, NOTIFY_TIMEOUT_MS);
  const client = new WebClient(connector.token, {
    slackApiUrl: `${connector.url}/`,
    logger: silent,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    fetch: fetchWithSignal(deadline),
  });
  try {
    const res = await client.chat.postMessage({ channel: message.channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) });
    return { channel: String(res.channel ?? message.channel), ts: String(res.ts ?? '') };
  } catch (err) {
    throw mapSlackApiError(err, connector, where, deadline, redactor);
  }
}

function mapSlackApiError(err: unknown, connector: SlackApiConnector, where: string, deadline: AbortSignal, redactor: ReturnType<typeof connectorRedactor>): NotifyError {
  const id = connector.id;
  if (err instanceof WebAPIPlatformError) {
    const code = String(err.data.error);
    return new NotifyError('slack_api', id, `chat.postMessage failed: ${redactor.redactString(code)}`, RETRYABLE_SLACK_ERRORS.has(code), { status: 200, code });
  }
  if (err instanceof WebAPIRateLimitedError) {
    return new NotifyError('slack_api', id, `chat.postMessage was rate limited (retry after ${err.retryAfter} s)`, true, { status: 429, code: 'ratelimited', retryAfter: err.retryAfter });
  }
  if (err instanceof WebAPIHTTPError) {
    const body = excerpt(typeof err.body === 'string' ? err.body : JSON.stringify(err.body ?? ''), redactor);
    return new NotifyError('slack_api', id, `${where} answered ${err.statusCode}${body && body !== '""' ? `: ${body}` : ''}`, retryableHttpStatus(err.statusCode), { status: err.statusCode });
  }
  if (deadline.aborted) return abortedError('slack_api', id, deadline, where);
  if (err instanceof WebAPIRequestError) return connectError('slack_api', id, err.original, where, redactor);
  const message = err instanceof Error ? err.message : String(err);
  // A 429 without a usable Retry-After comes back as a plain Error from the client.
  if (/rate limit|retry-after|Retry header/i.test(message)) return new NotifyError('slack_api', id, 'chat.postMessage was rate limited', true, { status: 429, code: 'ratelimited' });
  return connectError('slack_api', id, err, where, redactor);
}
