import { Router, type Request, type RequestHandler, type Response } from 'express';
import { callerOf, type Authenticator, type IngestLimiter } from '../auth';
import { bodyText, jsonBody, MiB, rawBody } from '../body';
import { ApiError, asyncHandler, badRequest } from '../errors';
import type { Ingestor, StoredAnswer } from '../ingest';
import { queryParam } from './executions';

export const MAX_BULK_LINES = 10_000;

/** `?workflowId=a,b` restricts the candidate workflows. */
function restriction(req: Request): Set<string> | null {
  const text = queryParam(req, 'workflowId');
  if (text === undefined || text.trim() === '') return null;
  return new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
}

function idempotencyHeader(req: Request): string | null {
  const v = req.headers['idempotency-key'];
  const text = Array.isArray(v) ? v[0] : v;
  if (text === undefined) return null;
  if (text.trim() === '') throw badRequest('the Idempotency-Key header is empty');
  return text.trim();
}

function send(res: Response, answer: StoredAnswer & { replayed: boolean }): void {
  if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(answer.status).json(answer.body);
}

/** NDJSON lines: "\n" or "\r\n"; a final newline does not open another line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Alert ingestion (docs/api.md "Alert ingestion"). */
export function alertsRouter(deps: { auth: Authenticator; ingestor: Ingestor; limiter: IngestLimiter | null; admit?: RequestHandler }): Router {
  const { auth, ingestor, limiter } = deps;
  // Backpressure: refused before the body is read (docs/operations.md "Backpressure").
  const admit: RequestHandler = deps.admit ?? ((_req, _res, next) => next());
  const r = Router({ caseSensitive: true });

  const limit = (res: Response, count: number) => {
    if (!limiter) return;
    const wait = limiter.take(callerOf(res).name, count);
    if (wait > 0) throw new ApiError('rate_limited', `ingestion is limited to ${limiter.perSecond} alerts per second per key; retry in ${wait} s`, [], { 'Retry-After': String(wait) });
  };

  r.post(
    '/api/alerts/_bulk',
    auth.require('ingest'),
    admit,
    rawBody(16 * MiB),
    asyncHandler(async (req, res) => {
      const lines = splitLines(bodyText(req) ?? '');
      if (lines.length > MAX_BULK_LINES) throw new ApiError('payload_too_large', `at most ${MAX_BULK_LINES} lines per request, got ${lines.length}`, [{ lines: lines.length, limit: MAX_BULK_LINES }]);
      limit(res, lines.filter((l) => l.trim() !== '').length);
      send(res, await ingestor.bulk({ lines, keyName: callerOf(res).name, headerKey: idempotencyHeader(req), restrict: restriction(req) }));
    }),
  );

  r.post(
    '/api/alerts',
    auth.require('ingest'),
    admit,
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const body = jsonBody(req);
      if (body === undefined) throw badRequest('the body is empty: send an alert event as a JSON object');
      const restrict = restriction(req);
      const headerKey = idempotencyHeader(req);
      limit(res, 1);
      send(res, await ingestor.single({ body, keyName: callerOf(res).name, headerKey, restrict }));
    }),
  );

  return r;
}
