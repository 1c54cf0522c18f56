/**
 * Elasticsearch through the official client (v8): client construction from a connector
 * (targetUrl included), dotted-path API lookup, and error mapping to StepError.
 */
import type { Readable } from 'node:stream';
import { Client, UndiciConnection, errors as esErrors } from '@elastic/elasticsearch';
import { StepError } from '@flowgate/engine';
import { forbiddenElasticsearchSegment } from '@flowgate/workflow-format';
import type { ElasticsearchConnector } from './config';
import { abortError, errorCode, networkError } from './errors';
import { remappingConnect } from './net';

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor', 'then', 'name', 'serializer']);
const SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;

type ConnParams = Parameters<UndiciConnection['request']>[0];
type ConnOptions = Parameters<UndiciConnection['request']>[1] & { asStream?: boolean; maxResponseSize?: number };
interface StreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/**
 * The client's undici connection, reading response bodies itself so that a body over
 * `maxResponseSize` (the step's max-step-size) stops being read at once and fails cleanly. (The
 * stock connection destroys the stream without an error listener when the declared length is too
 * big, which surfaces as an uncaught error in the process.)
 */
class CappedConnection extends UndiciConnection {
  override async request(params: ConnParams, options: any): Promise<any> {
    const opts = options as ConnOptions;
    if (opts.asStream === true) return super.request(params, opts as never);
    const max = opts.maxResponseSize ?? Number.MAX_SAFE_INTEGER;
    const res = (await super.request(params, { ...opts, asStream: true } as never)) as unknown as StreamResponse;
    const discard = () => {
      res.body.on('error', () => undefined);
      res.body.destroy();
    };
    const declared = res.headers['content-length'];
    if (typeof declared === 'string' && Number(declared) > max) {
      discard();
      throw new esErrors.RequestAbortedError(`The content length (${declared}) is bigger than the maximum allowed string (${max})`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          discard();
          throw new esErrors.RequestAbortedError(`The content length (${size}) is bigger than the maximum allowed string (${max})`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof esErrors.RequestAbortedError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'UND_ERR_ABORTED' || (err as Error).name === 'AbortError') throw new esErrors.RequestAbortedError('Request aborted');
      throw new esErrors.ConnectionError((err as Error).message);
    }
    // A Buffer: the transport unzips it when compressed, and makes it a string unless binary.
    return { statusCode: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  }
}

export function createElasticsearchClient(connector: ElasticsearchConnector): Client {
  const auth = connector.apiKey
    ? { apiKey: connector.apiKey }
    : connector.username !== undefined
      ? { username: connector.username, password: connector.password ?? '' }
      : undefined;
  return new Client({
    node: connector.url,
    Connection: CappedConnection,
    ...(auth ? { auth } : {}),
    headers: { ...connector.headers },
    maxRetries: connector.maxRetries,
    // The step's `timeout` is the user's control; this only bounds a request nobody set a timeout for.
    requestTimeout: 5 * 60_000,
    // Undici agent options: every connection goes through the connector's connect function, which
    // dials targetUrl (when set) while the Host header and TLS name stay the connector's.
    agent: { connect: remappingConnect(connector.targetUrl, connector.tls) } as never,
    sniffOnStart: false,
    sniffOnConnectionFault: false,
    enableMetaHeader: false,
  });
}

export type ApiFunction = (params: unknown, options: Record<string, unknown>) => Promise<unknown>;

/** `indices.create` → client.indices.create (bound), or a StepError naming what is wrong. */
export function resolveApi(client: Client, apiPath: string, label: string): ApiFunction {
  const segments = apiPath.split('.');
  if (segments.length === 0 || segments.some((s) => !SEGMENT.test(s))) {
    throw new StepError('configuration_error', `${label}: "${apiPath}" is not an API of the Elasticsearch client`);
  }
  const forbidden = forbiddenElasticsearchSegment(apiPath);
  if (forbidden) {
    throw new StepError('configuration_error', `${label}: "${forbidden}" is not an API of the Elasticsearch client and cannot be called from a step`);
  }
  let holder: unknown = client;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (FORBIDDEN_SEGMENTS.has(seg) || seg in Object.prototype || seg in Function.prototype) {
      throw new StepError('configuration_error', `${label}: "${apiPath}" is not an API of the Elasticsearch client`);
    }
    const value = (holder as Record<string, unknown>)[seg];
    if (i === segments.length - 1) {
      if (typeof value !== 'function') throw new StepError('configuration_error', `${label}: "${apiPath}" is not an API of the Elasticsearch client`);
      const owner = holder;
      return (params, options) => (value as (p: unknown, o: unknown) => Promise<unknown>).call(owner, params, options);
    }
    if (value === null || typeof value !== 'object') throw new StepError('configuration_error', `${label}: "${apiPath}" is not an API of the Elasticsearch client`);
    holder = value;
  }
  throw new StepError('configuration_error', `${label}: "${apiPath}" is not an API of the Elasticsearch client`);
}

/** A readable location: the connector URL, and where it really goes when remapped. */
export function elasticsearchWhere(connector: ElasticsearchConnector): string {
  return connector.targetUrl ? `${connector.url} (via ${connector.targetUrl})` : connector.url;
}

/** Maps the client's errors to StepError. Never copies `meta` (it holds request headers). */
export function mapElasticsearchError(err: unknown, connector: ElasticsearchConnector, label: string, signal?: AbortSignal): StepError {
  if (err instanceof StepError) return err;
  if (signal?.aborted) return abortError(signal, label);
  const where = elasticsearchWhere(connector);
  if (err instanceof esErrors.ResponseError) {
    const status = err.statusCode ?? 0;
    const body = err.body as { error?: { type?: string; reason?: string; root_cause?: unknown } | string } | undefined;
    const e = body?.error;
    const type = typeof e === 'object' && e ? e.type : undefined;
    const reason = typeof e === 'object' && e ? e.reason : typeof e === 'string' ? e : undefined;
    const summary = [type, reason].filter(Boolean).join(': ') || (typeof err.body === 'string' ? err.body.slice(0, 500) : '');
    return new StepError('http_error', `${label}: Elasticsearch answered ${status}${summary ? `: ${summary}` : ''}`, {
      retryable: StepError.retryableStatus(status),
      details: { status, ...(type ? { type } : {}), ...(reason ? { reason } : {}) },
    });
  }
  if (err instanceof esErrors.TimeoutError) return new StepError('timeout', `${label}: ${where} did not answer in time`, { retryable: true });
  if (err instanceof esErrors.ProductNotSupportedError) {
    return new StepError('configuration_error', `${label}: the server at ${where} is not Elasticsearch (the answer lacks the x-elastic-product header)`);
  }
  if (err instanceof esErrors.RequestAbortedError) {
    if (/content length|bigger than the maximum/i.test(err.message)) {
      return new StepError('size_exceeded', `${label}: the response is over max-step-size: ${err.message}`);
    }
    return new StepError('cancelled', `${label}: request aborted`);
  }
  if (err instanceof esErrors.ConnectionError || err instanceof esErrors.NoLivingConnectionsError) {
    const code = errorCode(err);
    const stepErr = networkError(err, label, where);
    return code ? stepErr : new StepError('network', `${label}: cannot reach ${where} (${err.message})`, { retryable: true });
  }
  if (err instanceof esErrors.ConfigurationError) return new StepError('configuration_error', `${label}: ${err.message}`);
  if (err instanceof esErrors.SerializationError || err instanceof esErrors.DeserializationError) return new StepError('step_error', `${label}: ${err.message}`);
  if (err instanceof TypeError) return new StepError('validation_error', `${label}: ${err.message}`);
  return new StepError('step_error', `${label}: ${err instanceof Error ? err.message : String(err)}`);
}
