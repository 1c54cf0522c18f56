/**
 * The API's side of the archive (docs/operations.md "Archive", docs/api.md "Executions"): executions
 * that left Redis are read back from Elasticsearch (one by id, lists with `archived=true`), an archive
 * that cannot be reached answers `503 unavailable` naming it, and /api/health and /metrics show the
 * archive's state as the sweeping worker recorded it in Redis.
 */
import type { Request } from 'express';
import {
  archiveFromEnv,
  ArchiveCursorError,
  archivedRow,
  ArchiveUnavailableError,
  decodeCursor,
  iso,
  readArchiveStatus,
  type ArchiveQuery,
  type ExecutionArchive,
  type Logger,
  type Runtime,
} from '@flowgate/executor';
import { loadConnectorsFile } from '@flowgate/connectors';
import { ApiError, badRequest } from './errors';
import { limitParam, orderParam, queryParam, searchParams, statusParam, timeRangeParams, workflowIdParam } from './params';

/**
 * FLOWGATE_ARCHIVE for the API: the archive's client from connectors.yaml (with its secrets from the
 * environment), or null when unset. Not an elasticsearch connector: throws one line naming the
 * variable and the id.
 */
export function loadArchive(connectorsPath: string | null, env: NodeJS.ProcessEnv = process.env, log?: Logger): ExecutionArchive | null {
  if (!env.FLOWGATE_ARCHIVE?.trim()) return null;
  return archiveFromEnv(env, connectorsPath ? loadConnectorsFile(connectorsPath, env) : undefined, { log });
}

/** The archive could not answer: `503 unavailable` naming it (never a 500); anything else as it is. */
export function archiveError(err: unknown): unknown {
  if (err instanceof ArchiveUnavailableError) return new ApiError('unavailable', err.message, [], { 'Retry-After': '5' });
  if (err instanceof ArchiveCursorError) return badRequest(`query parameter "cursor": ${err.message}`, [{ parameter: 'cursor' }]);
  return err;
}

/** The archived execution with this id, or null (also when no archive is configured). */
export async function findArchived(archive: ExecutionArchive | null | undefined, id: string): Promise<Record<string, unknown> | null> {
  if (!archive) return null;
  try {
    return await archive.get(id);
  } catch (err) {
    throw archiveError(err);
  }
}

/** `archived`: `true` lists the archive, `false` (the default) Redis. */
export function archivedParam(req: Request): boolean {
  const text = queryParam(req, 'archived');
  if (text === undefined || text === '' || text.toLowerCase() === 'false') return false;
  if (text.toLowerCase() === 'true') return true;
  throw badRequest(`query parameter "archived" must be "true" or "false", got "${text}"`, [{ parameter: 'archived', value: text }]);
}

/** The archive's own filters: refused on a list of Redis, where they mean nothing. */
export const ARCHIVE_ONLY_PARAMS = ['respondedBy'] as const;

/** The parameters of `GET /api/workflowExecutions?archived=true`. */
export function archiveListParams(req: Request): ArchiveQuery {
  const q: ArchiveQuery = { order: orderParam(req), limit: limitParam(req) };
  const search = Object.keys(searchParams(req));
  if (search.length > 0) throw badRequest(`query parameter "${search[0] === 'severities' ? 'severity' : search[0]}" searches executions in Redis only: leave out archived=true`, [{ parameter: search[0] }]);
  const statuses = statusParam(req);
  if (statuses) q.statuses = statuses;
  const workflowId = workflowIdParam(req);
  if (workflowId) q.workflowId = workflowId;
  const respondedBy = queryParam(req, 'respondedBy');
  if (respondedBy !== undefined && respondedBy !== '') {
    if (respondedBy.length > 256) throw badRequest('query parameter "respondedBy" is longer than 256 characters', [{ parameter: 'respondedBy' }]);
    q.respondedBy = respondedBy;
  }
  const range = timeRangeParams(req);
  q.from = range.from;
  q.to = range.to;
  const cursor = queryParam(req, 'cursor');
  if (cursor !== undefined && cursor !== '') {
    try {
      decodeCursor(cursor);
    } catch (err) {
      throw archiveError(err);
    }
    q.cursor = cursor;
  }
  return q;
}

/** One page of archived executions, as list rows. */
export async function listArchived(archive: ExecutionArchive | null | undefined, req: Request) {
  if (!archive) throw badRequest('query parameter "archived": no archive is configured (FLOWGATE_ARCHIVE)', [{ parameter: 'archived' }]);
  const q = archiveListParams(req);
  try {
    const page = await archive.search(q);
    return { results: page.results.map(archivedRow), nextCursor: page.nextCursor };
  } catch (err) {
    throw archiveError(err);
  }
}

/**
 * A resume or cancel of an execution that is no longer in Redis: found in the archive, it is a
 * finished execution (409 as for one still in Redis: `not_waiting`, `already_finished`); else nothing
 * is thrown and the caller answers 404. Nothing is recorded on an archived execution.
 */
export async function refuseArchived(archive: ExecutionArchive | null | undefined, id: string, action: 'resume' | 'cancel'): Promise<void> {
  const doc = await findArchived(archive, id);
  if (!doc) return;
  const status = String(doc.status);
  if (action === 'cancel') throw new ApiError('already_finished', `execution is ${status} (archived)`, [{ status }]);
  const waits = ((doc.steps ?? []) as Record<string, unknown>[]).filter((s) => Array.isArray(s.responses));
  const last = waits.at(-1);
  throw new ApiError('not_waiting', `execution is ${status} (archived)`, [
    { status, step: (last?.path as string | undefined) ?? null, respondedBy: (last?.respondedBy as string | null | undefined) ?? null, respondedAt: (last?.respondedAt as string | null | undefined) ?? null },
  ]);
}

/* ---------- /api/health and /metrics ---------- */

/** `archive: {status, lastError, since}` of /api/health; null when Redis cannot tell. */
export async function archiveHealth(rt: Pick<Runtime, 'redis' | 'keys'>): Promise<{ status: 'ok' | 'failing'; lastError: string | null; since: string | null } | null> {
  try {
    const s = await readArchiveStatus(rt);
    return { status: s.status, lastError: s.lastError, since: iso(s.since) };
  } catch {
    return null;
  }
}

/** The archive's metrics (Prometheus text), from the state the sweeping worker keeps in Redis. */
export async function archiveMetrics(rt: Pick<Runtime, 'redis' | 'keys'>): Promise<string> {
  let s;
  try {
    s = await readArchiveStatus(rt);
  } catch {
    return '';
  }
  return [
    '# HELP flowgate_archive_up 1 while the archive takes documents, 0 while its requests fail (then finished executions stay in Redis)',
    '# TYPE flowgate_archive_up gauge',
    `flowgate_archive_up ${s.status === 'ok' ? 1 : 0}`,
    '# HELP flowgate_archive_failures_total Archive failures: requests that failed (kind="request") and documents refused (kind="document")',
    '# TYPE flowgate_archive_failures_total counter',
    `flowgate_archive_failures_total{kind="request"} ${s.failuresTotal}`,
    `flowgate_archive_failures_total{kind="document"} ${s.itemFailuresTotal}`,
    '# HELP flowgate_archive_backlog Executions past retention not archived yet (at the last sweep)',
    '# TYPE flowgate_archive_backlog gauge',
    `flowgate_archive_backlog ${s.backlog}`,
    '# HELP flowgate_archive_last_success_timestamp_seconds When an archive request last succeeded (0: never)',
    '# TYPE flowgate_archive_last_success_timestamp_seconds gauge',
    `flowgate_archive_last_success_timestamp_seconds ${s.lastSuccess === null ? 0 : s.lastSuccess / 1000}`,
    '# HELP flowgate_archived_executions_total Executions archived, then removed from Redis',
    '# TYPE flowgate_archived_executions_total counter',
    `flowgate_archived_executions_total ${s.archivedTotal}`,
    '',
  ].join('\n');
}
