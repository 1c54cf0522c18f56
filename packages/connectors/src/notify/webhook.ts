/**
 * The generic `webhook` channel (docs/connectors.md "Notifications through an http connector"): one
 * JSON POST to an `http` connector's `url`, through the same client as `http` steps (the connector's
 * headers, targetUrl and TLS; Idempotency-Key; same-origin redirects only), for Teams, PagerDuty,
 * Opsgenie or a SOAR.
 */
import { randomUUID } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import { StepError } from '@flowgate/engine';
import type { HttpConnector } from '../config';
import { httpCall, type HttpResult } from '../http';
import { remappingConnect } from '../net';
import { headerSecrets, Redactor } from '../redact';
import { excerpt, NOTIFY_TIMEOUT_MS, NotifyError, sendSignal } from './errors';

export interface PostWebhookOptions {
  signal?: AbortSignal;
  /** the registry's dispatcher of the connector (`registry.dispatcher(connector)`); default: one for this call */
  dispatcher?: Dispatcher;
  /** sent as Idempotency-Key, the same on every attempt of one notification (default: a random UUID) */
  idempotencyKey?: string;
  /** the answer is read up to this many bytes (default 64 KB) */
  maxBodyBytes?: number;
}

/** POSTs `body` as JSON to the connector's `url`. Returns the answer; throws NotifyError (channel `webhook`). */
export async function postWebhook(connector: HttpConnector, body: unknown, options: PostWebhookOptions = {}): Promise<HttpResult> {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(connector.headers)) secrets.push(...headerSecrets(name, value));
  // A webhook URL's path is often its credential (Teams, Slack-style hooks): never in an error.
  const path = new URL(connector.url).pathname;
  if (path.length > 1) secrets.push(connector.url, path);
  const redactor = new Redactor(secrets);
  const own = options.dispatcher ? undefined : new Agent({ connect: remappingConnect(connector.targetUrl, connector.tls) });
  const deadline = sendSignal(options.signal, NOTIFY_TIMEOUT_MS);
  try {
    return await httpCall(
      { connector, dispatcher: options.dispatcher ?? own! },
      { method: 'POST', url: connector.url, body: body ?? {} },
      { label: 'webhook', idempotencyKey: options.idempotencyKey ?? randomUUID(), signal: deadline, maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 },
    );
  } catch (err) {
    throw toNotifyError(err, connector, redactor);
  } finally {
    if (own) void own.close().catch(() => undefined);
  }
}

function toNotifyError(err: unknown, connector: HttpConnector, redactor: Redactor): NotifyError {
  const origin = new URL(connector.url).origin;
  if (err instanceof StepError) {
    const details = (err.details ?? {}) as { status?: unknown; body?: unknown; code?: unknown };
    const status = typeof details.status === 'number' ? details.status : undefined;
    if (err.type === 'http_error' && status !== undefined) {
      // The step client's message names the whole URL: a webhook URL's path may be its credential.
      const body = typeof details.body === 'string' ? excerpt(details.body, redactor) : '';
      return new NotifyError('webhook', connector.id, `${origin} answered ${status}${body ? `: ${body}` : ''}`, err.retryable, { status });
    }
    const message = redactor.redactString(err.message.replace(/^webhook: /, '').split(connector.url).join(origin));
    const code = typeof details.code === 'string' ? details.code : err.type;
    return new NotifyError('webhook', connector.id, message, err.retryable || err.type === 'cancelled', { code });
  }
  return new NotifyError('webhook', connector.id, redactor.redactString(err instanceof Error ? err.message : String(err)), false);
}
