/**
 * The HTTP client of the `http` step (docs/workflows.md "Built-in step types", docs/connectors.md): URL rules, targetUrl, the no-connector
 * allowlist and SSRF guard, same-origin redirects, a capped response body, Idempotency-Key.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { StepError } from '@flowgate/engine';
import { isPlainObject } from '@flowgate/template';
import type { HttpConnector } from './config';
import { DROPPED_STEP_HEADERS, isHeaderName, isHeaderValue } from './headers';
import { guardedConnect, isHostAllowed, parseAllowedHosts, type AllowedHost, type Resolver } from './net';
import { errorCode, networkError, abortError } from './errors';

export const MAX_REDIRECTS = 5;
export const ERROR_BODY_EXCERPT = 500;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export interface HttpCallInput {
  method?: unknown;
  url?: unknown;
  headers?: unknown;
  body?: unknown;
  query?: unknown;
}

export interface HttpCallOptions {
  /** the error prefix, usually the step type */
  label?: string;
  /** `<executionId>:<stepPath>` */
  idempotencyKey: string;
  signal?: AbortSignal;
  /** the response body is read up to this many bytes; more fails with size_exceeded */
  maxBodyBytes: number;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Where a request may go: through a connector, or to the allowlisted hosts without one. */
export type HttpRoute =
  | { connector: HttpConnector; dispatcher: Dispatcher }
  | { connector?: undefined; allowedHosts: readonly string[]; dispatcher?: Dispatcher };

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * docs/connectors.md: a relative `url` is the connector's `url` (without a trailing "/") + "/" + the step's
 * (without a leading "/"); absolute or joined, the result's origin must be the connector's.
 */
export function resolveConnectorUrl(connectorUrl: string, stepUrl: string, label = 'http'): URL {
  const joined = ABSOLUTE.test(stepUrl) ? stepUrl : `${connectorUrl.replace(/\/+$/, '')}/${stepUrl.replace(/^\//, '')}`;
  let url: URL;
  try {
    url = new URL(joined);
  } catch {
    throw new StepError('validation_error', `${label}: url "${stepUrl}" is not a valid URL`);
  }
  const origin = new URL(connectorUrl).origin;
  if (url.origin !== origin) {
    throw new StepError('url_not_allowed', `${label}: url "${stepUrl}" is not on the connector's origin ${origin}`, { details: { url: stepUrl, origin } });
  }
  if (url.username || url.password) throw new StepError('validation_error', `${label}: url must not contain credentials`);
  url.hash = '';
  return url;
}

function appendQuery(url: URL, query: unknown, label: string): void {
  if (query === undefined || query === null) return;
  if (!isPlainObject(query)) throw new StepError('validation_error', `${label}: with.query must be an object`);
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      url.searchParams.append(k, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
    }
  }
}

function stepHeaders(headers: unknown, label: string): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (!isPlainObject(headers)) throw new StepError('validation_error', `${label}: with.headers must be an object`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) throw new StepError('validation_error', `${label}: "${name}" is not a valid header name`);
    if (DROPPED_STEP_HEADERS.has(name.toLowerCase())) continue;
    if (value === undefined || value === null) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (!isHeaderValue(text)) throw new StepError('validation_error', `${label}: header "${name}" contains a character not allowed in a header value (CR, LF or NUL)`);
    out[name] = text;
  }
  return out;
}

/** Case-insensitive header merge: later sources win. */
function mergeHeaders(...sources: Record<string, string>[]): Record<string, string> {
  const byLower = new Map<string, [string, string]>();
  for (const src of sources) for (const [k, v] of Object.entries(src)) byLower.set(k.toLowerCase(), [k, v]);
  return Object.fromEntries([...byLower.values()]);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function encodeBody(body: unknown, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
    return body;
  }
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  return JSON.stringify(body);
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Stops reading a body: the connection is closed, a late error of the stream is ignored. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Reads a body up to `max` bytes; one byte more destroys the stream and fails the step. */
export async function readCapped(body: Dispatcher.ResponseData['body'], max: number, label: string, declaredLength?: string): Promise<Buffer> {
  if (declaredLength !== undefined && Number(declaredLength) > max) {
    discard(body);
    throw new StepError('size_exceeded', `${label}: the response body is ${declaredLength} bytes, over max-step-size (${max} bytes)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) {
      discard(body);
      throw new StepError('size_exceeded', `${label}: the response body is over max-step-size (${max} bytes); reading stopped`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (contentType && /\bjson\b/i.test(contentType) && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

let guardedAgents = new Map<string, Agent>();

/** The shared dispatcher for requests without a connector, for one allowlist. */
export function guardedDispatcher(allowedHosts: readonly string[], resolver?: Resolver): Dispatcher {
  const key = allowedHosts.join(',');
  if (resolver) return new Agent({ connect: guardedConnect(parseAllowedHosts(allowedHosts), resolver) });
  let agent = guardedAgents.get(key);
  if (!agent) {
    agent = new Agent({ connect: guardedConnect(parseAllowedHosts(allowedHosts)) });
    guardedAgents.set(key, agent);
  }
  return agent;
}

/** Closes the shared no-connector dispatchers (tests, shutdown). */
export async function closeGuardedDispatchers(): Promise<void> {
  const agents = [...guardedAgents.values()];
  guardedAgents = new Map();
  await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
}

/**
 * Sends one `http` step request. Throws StepError: url_not_allowed, validation_error,
 * size_exceeded, network / timeout (retryable), http_error (retryable for 408, 429, 5xx).
 * Error messages are not redacted here: the caller redacts with the registry.
 */
export async function httpCall(route: HttpRoute, input: HttpCallInput, options: HttpCallOptions): Promise<HttpResult> {
  const label = options.label ?? 'http';
  let method = input.method === undefined || input.method === null ? 'GET' : String(input.method).toUpperCase();
  if (!METHODS.has(method)) throw new StepError('validation_error', `${label}: method "${String(input.method)}" is not one of ${[...METHODS].join(', ')}`);
  if (typeof input.url !== 'string' || input.url.trim() === '') throw new StepError('validation_error', `${label}: with.url is required`);
  const stepUrl = input.url.trim();

  let url: URL;
  let allowed: AllowedHost[] = [];
  if (route.connector) {
    url = resolveConnectorUrl(route.connector.url, stepUrl, label);
  } else {
    if (!ABSOLUTE.test(stepUrl)) {
      throw new StepError('validation_error', `${label}: url "${stepUrl}" is relative: a relative url needs a connector-id`);
    }
    try {
      url = new URL(stepUrl);
    } catch {
      throw new StepError('validation_error', `${label}: url "${stepUrl}" is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StepError('url_not_allowed', `${label}: only http and https URLs are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw new StepError('validation_error', `${label}: url must not contain credentials`);
    url.hash = '';
    allowed = parseAllowedHosts(route.allowedHosts);
    if (!isHostAllowed(url, allowed)) {
      throw new StepError('url_not_allowed', `${label}: host "${url.host}" is not allowed: without a connector-id only the hosts in FLOWGATE_HTTP_ALLOWED_HOSTS may be reached`, {
        details: { url: url.href },
      });
    }
  }
  appendQuery(url, input.query, label);

  const headers = stepHeaders(input.headers, label);
  let body = encodeBody(input.body, headers);
  const fixedHeaders = mergeHeaders(route.connector?.headers ?? {}, { 'Idempotency-Key': options.idempotencyKey });
  const dispatcher = route.dispatcher ?? guardedDispatcher((route as { allowedHosts: readonly string[] }).allowedHosts);
  const origin = url.origin;
  const targetOrigin = route.connector?.targetUrl ? new URL(route.connector.targetUrl).origin : undefined;

  for (let redirects = 0; ; redirects++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers: mergeHeaders(headers, fixedHeaders),
        body,
        dispatcher,
        signal: options.signal,
      });
    } catch (err) {
      throw mapRequestError(err, label, method, url, options.signal);
    }

    const location = res.headers.location;
    if (REDIRECT_STATUSES.has(res.statusCode) && typeof location === 'string' && location !== '') {
      await res.body.dump().catch(() => undefined);
      if (redirects >= MAX_REDIRECTS) {
        throw new StepError('http_error', `${label}: more than ${MAX_REDIRECTS} redirects (last to ${location})`, { details: { status: res.statusCode, url: url.href } });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new StepError('http_error', `${label}: invalid redirect location "${location}"`, { details: { status: res.statusCode } });
      }
      // A target that redirects to its own real address is the same server: remap it back.
      if (targetOrigin && next.origin === targetOrigin) next = new URL(next.pathname + next.search, origin);
      if (next.origin !== origin) {
        throw new StepError('url_not_allowed', `${label}: redirect from ${url.href} to another origin (${next.origin}) refused`, {
          details: { status: res.statusCode, location },
        });
      }
      next.hash = '';
      url = next;
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') delete headers[k];
      }
      continue;
    }

    const resHeaders = flattenHeaders(res.headers);
    let raw: Buffer;
    try {
      raw = await readCapped(res.body, options.maxBodyBytes, label, resHeaders['content-length']);
    } catch (err) {
      if (err instanceof StepError) throw err;
      throw mapRequestError(err, label, method, url, options.signal);
    }
    const parsed = parseBody(raw, resHeaders['content-type']);
    if (res.statusCode < 200 || res.statusCode > 299) {
      const text = raw.toString('utf8');
      const excerpt = text.length > ERROR_BODY_EXCERPT ? `${text.slice(0, ERROR_BODY_EXCERPT)}…` : text;
      throw new StepError('http_error', `${label}: ${method} ${url.href} answered ${res.statusCode}${excerpt.trim() ? `: ${excerpt.trim()}` : ''}`, {
        retryable: StepError.retryableStatus(res.statusCode),
        details: { status: res.statusCode, url: url.href, body: excerpt },
      });
    }
    return { status: res.statusCode, headers: resHeaders, body: parsed };
  }
}

function mapRequestError(err: unknown, label: string, method: string, url: URL, signal?: AbortSignal): StepError {
  if (err instanceof StepError) return err;
  if (signal?.aborted) return abortError(signal, label);
  const code = errorCode(err);
  if (code === 'FLOWGATE_ADDRESS_NOT_ALLOWED') {
    return new StepError('url_not_allowed', `${label}: ${method} ${url.href}: ${(err as Error).message}`, { details: { url: url.href } });
  }
  if (code === 'UND_ERR_INVALID_ARG') return new StepError('validation_error', `${label}: ${(err as Error).message}`);
  return networkError(err, label, url.origin);
}
