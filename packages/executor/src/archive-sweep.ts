/**
 * The retention sweep with an archive (docs/operations.md "Archive"): executions past retention are
 * indexed into the archive first, and only those whose document the archive acknowledged leave Redis.
 * An archive that cannot be reached keeps everything in Redis and is retried with an exponential
 * backoff; its state lives in one Redis hash (Keys.archiveStatus) that the API shows in /api/health
 * and /metrics (workers serve no HTTP).
 */
import { isTerminal } from '@flowgate/engine';
import { archiveDocument, archiveIndex, describeArchiveError, type ArchiveItem, type ExecutionArchive, type StoreResult } from './archive';
import type { Runtime } from './runtime';

/** The archive's state as the API reads it (Keys.archiveStatus). */
export interface ArchiveStatus {
  status: 'ok' | 'failing';
  /** the last request or item failure, null once a request succeeds */
  lastError: string | null;
  /** when the status became what it is (ms), null before the first request */
  since: number | null;
  /** consecutive failed requests (the backoff grows with them) */
  failures: number;
  /** no archiving before this time (ms): the backoff */
  retryAt: number;
  lastSuccess: number | null;
  /** executions past retention not archived yet, at the last pass */
  backlog: number;
  /** counters since the archive was first used */
  failuresTotal: number;
  itemFailuresTotal: number;
  archivedTotal: number;
}

export async function readArchiveStatus(rt: Pick<Runtime, 'redis' | 'keys'>): Promise<ArchiveStatus> {
  const h = await rt.redis.hgetall(rt.keys.archiveStatus());
  const num = (v: string | undefined) => (v === undefined || v === '' ? 0 : Number(v));
  const opt = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return {
    status: h.status === 'failing' ? 'failing' : 'ok',
    lastError: h.lastError ? h.lastError : null,
    since: opt(h.since),
    failures: num(h.failures),
    retryAt: num(h.retryAt),
    lastSuccess: opt(h.lastSuccess),
    backlog: num(h.backlog),
    failuresTotal: num(h.failuresTotal),
    itemFailuresTotal: num(h.itemFailuresTotal),
    archivedTotal: num(h.archivedTotal),
  };
}

export interface ArchiveSweepOptions {
  archive: ExecutionArchive;
  retentionMs: number;
  /** executions per bulk request (500) */
  batch?: number;
  /** no new batch after this long (4 s); what is left goes at the next pass */
  budgetMs?: number;
  /** the clock (tests) */
  now?: number;
  /** the first retry delay after a failed request, doubled at each failure up to `backoffMaxMs` (1 s, 5 min) */
  backoffMs?: number;
  backoffMaxMs?: number;
}

export interface ArchiveSweepResult {
  removed: number;
  archived: number;
  /** items the archive refused this pass (kept in Redis, retried at the next pass) */
  kept: number;
  /** true when the pass did nothing because the backoff has not passed */
  deferred: boolean;
  /** the request failure of this pass, if any */
  error?: string;
}

/** The delay before the next attempt after `failures` consecutive failed requests. */
export function archiveBackoff(failures: number, initialMs = 1000, maxMs = 300_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/** A per-item status that means "try later", not "this document is wrong". */
const transient = (status: number) => status === 429 || status >= 500 || status === 0;

/**
 * Archives, then removes, the executions that finished more than `retentionMs` ago, oldest first, in
 * batches, within a time budget. Items the archive refuses stay in Redis (the pass reads past them,
 * the next pass sends them again); a failed request stops the pass, removes nothing, and defers the
 * next attempt by the backoff. Call it under the reconciler's lease (retention.ts).
 */
export async function archiveFinished(rt: Runtime, options: ArchiveSweepOptions): Promise<ArchiveSweepResult> {
  const now = options.now ?? Date.now();
  const batch = options.batch ?? 500;
  // Longer than the delete-only sweep's second: each bulk waits for the index refresh (about 1 s)
  // and the pass runs beside the reconciler, not in its way.
  const budgetMs = options.budgetMs ?? 4000;
  const before = now - options.retentionMs;
  const key = rt.keys.archiveStatus();
  const state = await readArchiveStatus(rt);
  const result: ArchiveSweepResult = { removed: 0, archived: 0, kept: 0, deferred: false };
  const backlog = async () => rt.redis.hset(key, 'backlog', await rt.redis.zcount(rt.keys.finished(), '-inf', before));

  if (state.retryAt > now) {
    await backlog();
    return { ...result, deferred: true };
  }

  const until = Date.now() + budgetMs;
  let offset = 0;
  let requests = 0;
  let lastItemError: string | null = null;
  for (;;) {
    const ids = await rt.redis.zrangebyscore(rt.keys.finished(), '-inf', before, 'LIMIT', offset, batch);
    if (ids.length === 0) break;
    const [states, loaded] = await Promise.all([rt.executions.loadMany(ids), Promise.all(ids.map((id) => rt.executions.loadRecords(id)))]);
    const items: ArchiveItem[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const s = states[i];
      // Vanished or not finished (an operator's edit): removeFinished only takes it out of the index.
      if (!s || !isTerminal(s.status)) return void gone.push(id);
      items.push({ id, index: archiveIndex(s.finishedAt ?? now), doc: archiveDocument(s, loaded[i].records, loaded[i].responses, Date.now(), loaded[i].responseCounts, loaded[i].notifications) });
    });
    let stored: StoreResult;
    try {
      requests++;
      stored = await options.archive.store(items);
    } catch (err) {
      return { ...result, error: await recordFailure(rt, options, state, now, describe(err)) };
    }
    // Every item refused for a reason that passes with time (429, 5xx): the archive is overloaded.
    if (stored.stored.length === 0 && stored.failed.length > 0 && stored.failed.every((f) => transient(f.status))) {
      const error = `${options.archive.description} refused every document: ${stored.failed[0].reason}`;
      await rt.redis.hincrby(key, 'itemFailuresTotal', stored.failed.length);
      return { ...result, kept: stored.failed.length, error: await recordFailure(rt, options, state, now, error) };
    }
    result.removed += await rt.executions.removeFinished([...gone, ...stored.stored]);
    result.archived += stored.stored.length;
    result.kept += stored.failed.length;
    offset += stored.failed.length;
    if (stored.failed.length > 0) {
      lastItemError = `execution ${stored.failed[0].id}: ${stored.failed[0].reason}`;
      rt.log.warn({ kept: stored.failed.length, first: lastItemError, archive: options.archive.description }, 'archive: documents refused; their executions stay in Redis for the next pass');
    }
    if (ids.length < batch || Date.now() >= until) break;
  }

  if (requests > 0) {
    const fields: (string | number)[] = ['status', 'ok', 'failures', 0, 'retryAt', 0, 'lastSuccess', now, 'lastError', lastItemError ?? ''];
    if (state.status !== 'ok' || state.since === null) fields.push('since', now);
    await rt.redis.hset(key, ...fields);
    if (result.archived > 0) await rt.redis.hincrby(key, 'archivedTotal', result.archived);
    if (result.kept > 0) await rt.redis.hincrby(key, 'itemFailuresTotal', result.kept);
    if (state.status === 'failing') rt.log.info({ archive: options.archive.description, failingSince: state.since }, 'archive: reachable again');
  }
  await backlog();
  if (result.removed > 0 || result.archived > 0) rt.log.info({ archived: result.archived, removed: result.removed, kept: result.kept }, 'retention: archived and removed finished executions');
  return result;
}

function describe(err: unknown): string {
  return err instanceof Error && err.name === 'ArchiveUnavailableError' ? err.message : describeArchiveError(err);
}

/** A failed request: status failing, the backoff doubled, nothing removed. Answers the error. */
async function recordFailure(rt: Runtime, options: ArchiveSweepOptions, state: ArchiveStatus, now: number, error: string): Promise<string> {
  const failures = state.failures + 1;
  const delay = archiveBackoff(failures, options.backoffMs, options.backoffMaxMs);
  const key = rt.keys.archiveStatus();
  const fields: (string | number)[] = ['status', 'failing', 'failures', failures, 'retryAt', now + delay, 'lastError', error];
  if (state.status !== 'failing' || state.since === null) fields.push('since', now);
  await rt.redis.hset(key, ...fields);
  await rt.redis.hincrby(key, 'failuresTotal', 1);
  await rt.redis.hset(key, 'backlog', await rt.redis.zcount(rt.keys.finished(), '-inf', now - options.retentionMs));
  rt.log.warn({ err: error, failures, retryInMs: delay }, 'archive: request failed; finished executions stay in Redis until it succeeds');
  return error;
}
