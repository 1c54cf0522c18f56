import { archiveFinished, type ArchiveSweepResult } from './archive-sweep';
import type { ExecutionArchive } from './archive';
import { holdLease } from './reconciler';
import type { Runtime } from './runtime';

export interface RetentionOptions {
  /** how long a finished execution stays in Redis after `finishedAt` */
  retentionMs: number;
  /** executions removed per round trip */
  batch?: number;
  /** stop after this long even if more are due (the next pass goes on): a pass never hogs Redis */
  budgetMs?: number;
  leaseMs?: number;
  /** the clock (tests) */
  now?: number;
  /**
   * FLOWGATE_ARCHIVE: executions are archived first and removed only once their document is
   * acknowledged (archive-sweep.ts, docs/operations.md "Archive"); without it they are deleted.
   */
  archive?: ExecutionArchive | null;
  /** the archive's retry delays: the first, doubled at each failed request up to the max (1 s, 5 min) */
  backoffMs?: number;
  backoffMaxMs?: number;
}

/**
 * The retention sweep (docs/operations.md "Retention"): removes executions that finished more than
 * `retentionMs` ago — record, step records, answers, foreach items and index entries; cases stay —
 * oldest first, through the index of finish times, in batches, within a time budget per pass. Runs
 * under the reconciler's lease, so one worker sweeps at a time. Answers how many it removed, or
 * null when another worker holds the lease.
 */
export async function sweepFinished(rt: Runtime, owner: string, options: RetentionOptions): Promise<{ removed: number } | ArchiveSweepResult | null> {
  if (!(await holdLease(rt, owner, options.leaseMs))) return null;
  if (options.archive) return archiveFinished(rt, { ...options, archive: options.archive });
  const batch = options.batch ?? 500;
  const budgetMs = options.budgetMs ?? 1000;
  const before = (options.now ?? Date.now()) - options.retentionMs;
  const until = Date.now() + budgetMs;
  let removed = 0;
  for (;;) {
    const ids = await rt.executions.finishedBefore(before, batch);
    if (ids.length === 0) break;
    removed += await rt.executions.removeFinished(ids);
    if (ids.length < batch || Date.now() >= until) break;
  }
  if (removed > 0) rt.log.info({ removed, retentionMs: options.retentionMs }, 'retention: removed finished executions');
  return { removed };
}
