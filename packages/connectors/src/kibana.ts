/**
 * Kibana's HTTP API (docs/connectors.md "type: kibana"), over the `http` step's client (http.ts): the
 * connector's url and space (`/s/<space>`), `Authorization: ApiKey <apiKey>`, `kbn-xsrf: true`, JSON,
 * a deadline and the caller's abort signal. Kibana's error answers become one-line StepErrors
 * (`http_error`, retryable on 408, 429 and 5xx; network errors and timeouts retryable), never holding
 * the connector's secrets.
 */
import type { Dispatcher } from 'undici';
import { StepError } from '@flowgate/engine';
import { isPlainObject } from '@flowgate/template';
import type { HttpConnector, KibanaConnector } from './config';
import { httpCall, type HttpResult } from './http';
import { headerSecrets, Redactor } from './redact';

/** A Kibana call gives up after 5 minutes (an agent's answer can take that long); a step's `timeout` stops it sooner. */
export const KIBANA_TIMEOUT_MS = 300_000;

/** Kibana's own space: its APIs have no `/s/default` prefix. */
const DEFAULT_SPACE = 'default';

export interface KibanaRequest {
  /** GET (default), POST, PUT, PATCH, DELETE, HEAD, OPTIONS */
  method?: unknown;
  /** an API path such as `/api/status`, without the space prefix */
  path: unknown;
  body?: unknown;
  query?: unknown;
  headers?: unknown;
}

export interface KibanaCallOptions {
  /** the error prefix, usually the step type */
  label: string;
  /** the connector's dispatcher (ConnectorRegistry.dispatcher): it dials targetUrl and trusts tls.ca */
  dispatcher: Dispatcher;
  /** `<executionId>:<stepPath>`, sent as Idempotency-Key like every connector call */
  idempotencyKey: string;
  signal?: AbortSignal;
  /** the response body is read up to this many bytes; more fails with size_exceeded */
  maxBodyBytes: number;
  timeoutMs?: number;
}

/** The connector's secrets: the API key (alone and as sent) and its header values. */
export function kibanaSecrets(connector: KibanaConnector): string[] {
  const out = Object.entries(connector.headers).flatMap(([name, value]) => headerSecrets(name, value));
  if (connector.apiKey) out.push(connector.apiKey, `ApiKey ${connector.apiKey}`);
  return out;
}

/**
 * The path the connector's space asks for: `/s/<space><path>`, except for the default space and for a
 * path that names its space itself (`/s/other/api/...`). The path must start with "/": a full URL
 * would leave the connector's Kibana.
 */
export function kibanaPath(connector: Pick<KibanaConnector, 'space'>, path: unknown, label: string): string {
  if (typeof path !== 'string' || path.trim() === '') throw new StepError('validation_error', `${label}: with.path is required (a Kibana API path such as /api/status)`);
  const p = path.trim();
  if (!p.startsWith('/') || p.startsWith('//')) {
    throw new StepError('validation_error', `${label}: with.path must be a path starting with "/" (such as /api/status), not ${JSON.stringify(p.slice(0, 100))}`);
  }
  if (!connector.space || connector.space === DEFAULT_SPACE || /^\/s\/[^/]+(\/|$)/.test(p)) return p;
  return `/s/${connector.space}${p}`;
}

/** The connector as the http client sees it: Kibana's credentials and CSRF header win over the step's. */
function asHttpConnector(connector: KibanaConnector): HttpConnector {
  return {
    id: connector.id,
    type: 'http',
    url: connector.url,
    headers: { ...connector.headers, ...(connector.apiKey ? { Authorization: `ApiKey ${connector.apiKey}` } : {}), 'kbn-xsrf': 'true' },
    ...(connector.targetUrl ? { targetUrl: connector.targetUrl } : {}),
    ...(connector.tls ? { tls: connector.tls } : {}),
  };
}

/** Kibana's error body `{statusCode, error, message}` in one line: `Kibana answered 404: Not Found: <message>`. */
function kibanaError(err: unknown, label: string): unknown {
  if (!(err instanceof StepError) || err.type !== 'http_error' || !isPlainObject(err.details)) return err;
  const { status, body } = err.details as { status?: unknown; body?: unknown };
  if (typeof status !== 'number') return err;
  let reason = typeof body === 'string' ? body.trim() : '';
  try {
    const parsed: unknown = JSON.parse(reason);
    if (isPlainObject(parsed)) reason = [parsed.error, parsed.message].filter((v) => typeof v === 'string' && v !== '').join(': ') || reason;
  } catch {
    /* not JSON: the text as it came */
  }
  return new StepError('http_error', `${label}: Kibana answered ${status}${reason ? `: ${reason.replace(/\s+/g, ' ')}` : ''}`, {
    retryable: err.retryable,
    details: err.details,
  });
}

/**
 * One call of Kibana's API. Output `{status, headers, body}` (body parsed when JSON). Throws StepError:
 * validation_error (a bad path, method or header), http_error (Kibana's error answer), network and
 * timeout (retryable), url_not_allowed, size_exceeded, cancelled. Secrets are redacted from errors.
 */
export async function kibanaCall(connector: KibanaConnector, request: KibanaRequest, options: KibanaCallOptions): Promise<HttpResult> {
  const redactor = new Redactor(kibanaSecrets(connector));
  const timeoutMs = options.timeoutMs ?? KIBANA_TIMEOUT_MS;
  // Our own abort reason, so that the deadline fails as a retryable timeout that says how long it waited.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new StepError('timeout', `${options.label}: Kibana did not answer within ${timeoutMs / 1000} s`, { retryable: true })), timeoutMs);
  timer.unref();
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    const url = kibanaPath(connector, request.path, options.label);
    const headers = isPlainObject(request.headers) ? { accept: 'application/json', ...request.headers } : request.headers ?? { accept: 'application/json' };
    return await httpCall(
      { connector: asHttpConnector(connector), dispatcher: options.dispatcher },
      { method: request.method, url, headers, body: request.body, query: request.query },
      { label: options.label, idempotencyKey: options.idempotencyKey, signal, maxBodyBytes: options.maxBodyBytes },
    );
  } catch (err) {
    const e = kibanaError(err, options.label);
    if (!(e instanceof StepError)) throw e;
    throw new StepError(e.type, redactor.redactString(e.message), { retryable: e.retryable, ...(e.details !== undefined ? { details: redactor.redact(e.details) } : {}) });
  } finally {
    clearTimeout(timer);
  }
}
