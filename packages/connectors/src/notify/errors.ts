/**
 * The one error type of the notification senders (docs/connectors.md "Notification errors"): a
 * one-line message naming the channel and the connector, a `retryable` flag, and never a secret.
 */
import { errorCode, rootMessage } from '../errors';
import type { Redactor } from '../redact';

/** The channel a notification went through (a wait step's `with.channels` key). */
export type NotifyChannel = 'slack' | 'slack_api' | 'email' | 'webhook';

export interface NotifyErrorDetails {
  /** the HTTP status (Slack, webhook) or the SMTP reply code (e-mail) */
  status?: number;
  /** a short machine-readable reason: ECONNREFUSED, invalid_auth, EAUTH, timeout, aborted, ... */
  code?: string;
  /** seconds to wait before trying again, when the far side said so (429 Retry-After) */
  retryAfter?: number;
}

/**
 * A notification that was not delivered. `retryable`: network errors, timeouts, HTTP 408/429/5xx,
 * Slack's transient errors, SMTP 4xx replies; not: other 4xx, Slack's auth and channel errors, SMTP 5xx
 * replies, invalid input. The message never holds the webhook URL's path, a token or a password.
 */
export class NotifyError extends Error {
  readonly channel: NotifyChannel;
  readonly connector: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfter?: number;

  constructor(channel: NotifyChannel, connector: string, message: string, retryable: boolean, details: NotifyErrorDetails = {}) {
    super(`${channel} "${connector}": ${message}`);
    this.name = 'NotifyError';
    this.channel = channel;
    this.connector = connector;
    this.retryable = retryable;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
  }

  /** Plain data for a step record (`notifications[].error`) or a log line. */
  toJSON(): { message: string; channel: NotifyChannel; connector: string; retryable: boolean; status?: number; code?: string } {
    return {
      message: this.message,
      channel: this.channel,
      connector: this.connector,
      retryable: this.retryable,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.code !== undefined ? { code: this.code } : {}),
    };
  }
}

/** HTTP statuses worth another try later: 408, 429, 5xx. */
export function retryableHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The first 200 characters of a body, on one line, redacted. */
export function excerpt(text: string, redactor: Redactor, max = 200): string {
  const one = redactor.redactString(text).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** An AbortSignal's failure: `timeout` for a TimeoutError, else `aborted`; both retryable (nothing was confirmed sent). */
export function abortedError(channel: NotifyChannel, connector: string, signal: AbortSignal | undefined, where: string): NotifyError {
  const reason: unknown = signal?.reason;
  const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
  return new NotifyError(channel, connector, timedOut ? `${where} did not answer in time` : `sending to ${where} was aborted`, true, {
    code: timedOut ? 'timeout' : 'aborted',
  });
}

/** A failure to talk to `where` at all (refused, reset, DNS, TLS, timeout). TLS certificate errors are not retryable. */
export function connectError(channel: NotifyChannel, connector: string, err: unknown, where: string, redactor: Redactor): NotifyError {
  const code = errorCode(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'ETIMEDOUT') {
    return new NotifyError(channel, connector, `${where} did not answer in time`, true, { code: code ?? 'timeout' });
  }
  if (code && /CERT|TLS|SSL/.test(code)) {
    return new NotifyError(channel, connector, `TLS error with ${where}: ${redactor.redactString(rootMessage(err))} (${code})`, false, { code });
  }
  return new NotifyError(channel, connector, `cannot reach ${where} (${code ?? redactor.redactString(rootMessage(err))})`, true, code ? { code } : {});
}

/**
 * An AbortSignal that aborts when `signal` does or after `timeoutMs`: the per-send deadline, so
 * that a notification never hangs the caller.
 */
export function sendSignal(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** Every sender's deadline for one send (connect, TLS, request and answer). */
export const NOTIFY_TIMEOUT_MS = 15_000;
