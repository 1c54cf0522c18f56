import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { isRedisConnectionError, isRedisOutOfMemory } from '@flowgate/queue';

/** The error codes of docs/api.md and their HTTP statuses. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  not_waiting: 409,
  already_finished: 409,
  link_gone: 410,
  not_rerunnable: 409,
  step_not_waiting: 409,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  /** the API is starting (workflows being loaded) */
  unavailable: 503,
  /** Redis cannot be reached or does not answer in time (docs/operations.md "Redis outages") */
  redis_unavailable: 503,
  /** new work refused before Redis runs out of memory or the backlog grows without bound, or a write Redis refused for lack of memory (docs/operations.md "Backpressure") */
  overloaded: 503,
  /** not in docs/api.md: an unexpected server error (a bug), never expected in normal operation */
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error answered as `{"error": {"code", "message", "details"}}` with the code's status. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(code: ErrorCode, message: string, details: unknown[] = []): { error: { code: ErrorCode; message: string; details: unknown[] } } {
  return { error: { code, message, details } };
}

/** Seconds a client should wait before retrying, by 503 code (`Retry-After`; every 503 carries one). */
export const RETRY_AFTER_SECONDS = { unavailable: 1, redis_unavailable: 2, overloaded: 5 } as const;

export function sendError(res: Response, err: ApiError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (err.status === 503 && !res.getHeader('Retry-After')) {
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS[err.code as keyof typeof RETRY_AFTER_SECONDS] ?? 1));
  }
  res.status(err.status).json(errorBody(err.code, err.message, err.details));
}

export const badRequest = (message: string, details: unknown[] = []) => new ApiError('bad_request', message, details);
export const notFound = (message: string) => new ApiError('not_found', message);
export const conflict = (message: string, details: unknown[] = []) => new ApiError('conflict', message, details);

/** Express 4 does not catch rejected promises: route them to the error handler. */
export function asyncHandler(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}

/** A JSON 404 for any /api route that does not exist (after every router). */
export const apiNotFound: RequestHandler = (req, res) => {
  sendError(res, notFound(`no route ${req.method} ${req.path}`));
};

interface LogLike {
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Turns anything thrown into the docs/api.md error format; body-parser errors become 400/413; Redis
 * unreachable becomes `503 redis_unavailable`, a write Redis refused at maxmemory `503 overloaded`
 * (then `onOutOfMemory`, so that the overload check looks again at once), never a 500.
 */
export function errorHandler(log: LogLike, hooks: { onOutOfMemory?: () => void } = {}): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof ApiError) return sendError(res, err);
    const type = (err as { type?: string })?.type;
    if (type === 'entity.too.large') {
      const limit = (err as { limit?: number }).limit;
      return sendError(res, new ApiError('payload_too_large', `the request body is larger than ${limit ?? 'the limit'} bytes`));
    }
    if (type === 'request.aborted') return sendError(res, badRequest('the request was aborted'));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, badRequest((err as Error).message));
    const status = (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, badRequest((err as Error).message));
    if (isRedisOutOfMemory(err)) {
      log.error({ err: (err as Error).message, method: req.method, path: req.path }, 'redis out of memory');
      hooks.onOutOfMemory?.();
      return sendError(res, outOfMemory());
    }
    if (isRedisUnavailable(err)) {
      log.error({ err: (err as Error).message, method: req.method, path: req.path }, 'redis unavailable');
      return sendError(res, new ApiError('redis_unavailable', 'the store (Redis) is unavailable; retry later'));
    }
    log.error({ err: (err as Error)?.stack ?? String(err), method: req.method, path: req.path }, 'request failed');
    sendError(res, new ApiError('internal_error', 'internal error'));
  };
}

/** Sockets already answered by answerClientError (the parser reports every later chunk again). */
const answeredSockets = new WeakSet<Duplex>();

/**
 * For the HTTP server's `clientError`: a request Node's parser refuses before express sees it (bytes
 * outside ASCII in the path, malformed headers, headers over 16 KiB) is answered `400 bad_request` in
 * the error format of docs/api.md, not with Node's bare `400` without a body. The connection is
 * closed after a short linger: the rest of the request (a body the client is still sending) is read
 * and dropped for up to 2 s, so that closing does not reset the connection under the client before
 * it has read the answer.
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (answeredSockets.has(socket)) return;
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  answeredSockets.add(socket);
  const reason = err.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers are larger than 16 KiB' : `malformed HTTP request (${err.code ?? err.message})`;
  const body = JSON.stringify(errorBody('bad_request', reason));
  // A HEAD gets the headers only (its client reads no body).
  const head = err.rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
  socket.removeAllListeners('data'); // the parser's: it would report each chunk as another error
  socket.on('data', () => undefined);
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), 2000);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/** `503 overloaded` for a write Redis refused at its maxmemory. */
export function outOfMemory(): ApiError {
  return new ApiError('overloaded', 'Redis refused the write: it reached its maxmemory; retry later', [
    { reason: 'redis_oom', message: "Redis answered OOM (used memory > 'maxmemory')" },
  ]);
}

/** Redis unreachable, restarting, loading, failing over, or too slow to answer (a command timed out). */
export function isRedisUnavailable(err: unknown): boolean {
  return isRedisConnectionError(err) || /\bREADONLY\b/.test((err as Error)?.message ?? '');
}
