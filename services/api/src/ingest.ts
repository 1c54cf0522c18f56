import { createHash } from 'node:crypto';
import { newExecutionIds, startExecutions, type Runtime, type StartRequest } from '@flowgate/executor';
import { LeaseKeeper, type IdempotencyStore, type IdempotentAnswer } from '@flowgate/store';
import { isPlainObject } from '@flowgate/template';
import { matches, type AlertCandidates, type Candidate } from './candidates';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './body';
import { badRequest, conflict } from './errors';

export interface StartedExecution {
  executionId: string;
  workflowId: string;
}

/** A stored idempotent answer: the same status and body for every repeat. */
export type StoredAnswer = IdempotentAnswer;

/**
 * docs/api.md "Alert ingestion": an event `{id?, alerts: [...], rule?, spaceId?}`; any other JSON object is one bare
 * alert, taken as `{alerts: [it]}`. When `rule` is absent, `alerts[0].rule` is copied to it.
 * Throws a message (for a 400) when the value is not an object.
 */
export function normalizeEvent(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new Error(`an alert event must be a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`);
  let event: Record<string, unknown>;
  if ('alerts' in value) {
    if (!Array.isArray(value.alerts)) throw new Error('"alerts" must be an array of alerts');
    event = { ...value };
  } else {
    event = { alerts: [value] };
    if (value.id !== undefined) event.id = value.id;
  }
  const alerts = event.alerts as unknown[];
  if (event.rule === undefined && isPlainObject(alerts[0]) && alerts[0].rule !== undefined) event.rule = alerts[0].rule;
  return event;
}

/** The event's own idempotency id (its top-level `id`, a bare alert's own `id`), when it is a string or number. */
export function eventIdOf(raw: unknown): string | null {
  if (!isPlainObject(raw)) return null;
  const id = raw.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

/** Idempotency keys are bounded in size: long ones are hashed. */
function scoped(namespace: 'a' | 'b' | 'bp', key: string): string {
  return `${namespace}:${key.length > 200 ? `sha256-${createHash('sha256').update(key).digest('hex')}` : key}`;
}

export interface IngestOptions {
  rt: Runtime;
  candidates: AlertCandidates;
  idempotency: IdempotencyStore;
  idempotencyTtlMs: number;
  /** how long a concurrent duplicate waits for the first answer */
  duplicateWaitMs?: number;
  onAccepted?: (alerts: number) => void;
  /**
   * What creates executions and queues their first steps: `startExecutions` of @flowgate/executor,
   * always, except in tests, which pass one that fails part-way (e.g. on the third batch of a
   * `_bulk`) to check what a failed request leaves behind (services/api/test/ingest.test.ts).
   */
  startExecutions?: StartFn;
}

type StartFn = (rt: Runtime, requests: StartRequest[], ids: string[]) => Promise<string[]>;

/** Executions per batch (a batch may grow past it to keep one line's executions together), and lines per batch. */
const BATCH = 500;
/** bulk batches in flight at once */
const PARALLEL_BATCHES = 4;

/** One `_bulk` line to start: all its executions are created in one batch, or none is. */
interface Unit {
  line: number;
  /** the line's own idempotency key (its event id), when it has one */
  key: string | null;
  requests: StartRequest[];
  /** the executions it will create, their ids taken before anything is written */
  planned: StartedExecution[];
  /** set once its batch created them */
  executions: StartedExecution[] | null;
}

/** The executions `requests` will create, with fresh ids. */
function plan(requests: StartRequest[]): StartedExecution[] {
  const ids = newExecutionIds(requests.length);
  return requests.map((r, i) => ({ executionId: ids[i], workflowId: r.workflowId }));
}

const accepted202 = (executions: StartedExecution[]): StoredAnswer => ({ status: 202, body: { executions } });

/** A progress entry for a line about to be started: its planned executions, to be checked by a retry. */
const INTENDED = '?';

/** Lines in order, cut into batches of about BATCH executions (or BATCH lines); a line is never split. */
function batchesOf(units: Unit[]): Unit[][] {
  const batches: Unit[][] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const u of units) {
    current.push(u);
    size += u.requests.length;
    if (size >= BATCH || current.length >= BATCH) {
      batches.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** How many executions a progress entry of a line done (comma-separated execution ids) records. */
const countOf = (entry: string) => (entry === '' ? 0 : entry.split(',').length);

/** Alert ingestion: matching events against alert triggers, idempotency, starting executions. */
export class Ingestor {
  private readonly startFn: StartFn;

  constructor(private readonly o: IngestOptions) {
    this.startFn = o.startExecutions ?? startExecutions;
  }

  private async select(restrict: Set<string> | null): Promise<Candidate[]> {
    const all = await this.o.candidates.get();
    return restrict ? all.filter((c) => restrict.has(c.id)) : all;
  }

  private requestsFor(event: Record<string, unknown>, candidates: Candidate[], keyName: string): StartRequest[] {
    const out: StartRequest[] = [];
    for (const c of candidates) {
      let hit = false;
      try {
        hit = matches(c, event);
      } catch (err) {
        this.o.rt.log.warn({ workflowId: c.id, err: (err as Error).message }, 'trigger condition failed on an event');
      }
      if (hit) out.push({ workflowId: c.id, version: c.version, definition: c.definition, trigger: 'alert', triggeredBy: keyName, event });
    }
    return out;
  }


  /**
   * An earlier request with the same key meant to create `planned` and stopped before it answered
   * (it died, or lost Redis, after writing them or not): the executions it wrote are kept, those it
   * did not are created now with the same ids (when their workflow still matches the event), so that
   * the alert is started once whatever the earlier request got done (docs/api.md "Idempotency").
   * Answers the executions, and whether any was the earlier request's.
   */
  private async settle(planned: StartedExecution[], requests: StartRequest[]): Promise<{ executions: StartedExecution[]; replayed: boolean }> {
    const exists = await this.o.rt.executions.existing(planned.map((e) => e.executionId));
    const missing: StartRequest[] = [];
    const missingIds: string[] = [];
    const executions = planned.filter((e, i) => {
      if (exists[i]) return true;
      const request = requests.find((r) => r.workflowId === e.workflowId);
      if (!request) return false;
      missing.push(request);
      missingIds.push(e.executionId);
      return true;
    });
    if (missing.length > 0) await this.startFn(this.o.rt, missing, missingIds);
    return { executions, replayed: exists.some(Boolean) };
  }

  /**
   * Runs `fn` once per idempotency key: the first caller reserves the key (a lease, renewed while
   * `fn` runs, and the answer it intends to give) and stores its answer for the TTL; a repeat gets
   * the stored answer; a concurrent duplicate waits, then 409; a caller that finds an earlier
   * request's lease passed settles what that request meant to create instead of running `fn`.
   * A failure releases the key; `afterComplete` runs once the answer is stored.
   */
  private async once(
    args: { keyName: string; key: string | null; intended: StartedExecution[] | null; requests: StartRequest[] },
    fn: (keeper: LeaseKeeper) => Promise<StoredAnswer>,
    afterComplete?: () => Promise<void>,
  ): Promise<StoredAnswer & { replayed: boolean }> {
    const { keyName, key } = args;
    const idem = this.o.idempotency;
    const keeper = new LeaseKeeper(idem, keyName);
    try {
      let answer: StoredAnswer;
      const replayed = false;
      try {
        if (key !== null) {
          const intended = args.intended && accepted202(args.intended);
          const reserved = await idem.reserve(keyName, key, keeper.token, { waitMs: this.o.duplicateWaitMs, ttlMs: this.o.idempotencyTtlMs, intended });
          if (reserved === 'busy') throw conflict('a request with the same idempotency key is still being processed; retry later', [{ idempotencyKey: key.slice(2) }]);
          if (reserved !== 'reserved' && !('takenOver' in reserved)) return { ...reserved, replayed: true };
          keeper.hold(key);
          if (reserved !== 'reserved') {
            const settled = await this.settle(executionsOf(reserved.takenOver), args.requests);
            await idem.complete(keyName, key, this.o.idempotencyTtlMs, accepted202(settled.executions));
            if (!settled.replayed) this.o.onAccepted?.(1);
            return { ...accepted202(settled.executions), replayed: settled.replayed };
          }
        }
        answer = await fn(keeper);
      } catch (err) {
        if (key !== null) await idem.release(keyName, key, keeper.token).catch(() => undefined);
        throw err;
      }
      if (key !== null) {
        await idem.complete(keyName, key, this.o.idempotencyTtlMs, answer);
        await afterComplete?.().catch(() => undefined);
      }
      return { ...answer, replayed };
    } finally {
      keeper.stop();
    }
  }

  /** POST /api/alerts */
  async single(args: { body: unknown; keyName: string; headerKey: string | null; restrict: Set<string> | null }): Promise<StoredAnswer & { replayed: boolean }> {
    let event: Record<string, unknown>;
    try {
      event = normalizeEvent(args.body);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const key = args.headerKey ?? eventIdOf(args.body);
    const requests = this.requestsFor(event, await this.select(args.restrict), args.keyName);
    // The ids are taken first, and recorded with the key before anything is written.
    const planned = plan(requests);
    return this.once({ keyName: args.keyName, key: key === null ? null : scoped('a', key), intended: planned, requests }, async () => {
      // One alert is one unit: all its executions in one call (one pipeline of records), or none.
      if (requests.length > 0)
        await this.startFn(
          this.o.rt,
          requests,
          planned.map((e) => e.executionId),
        );
      this.o.onAccepted?.(1);
      return accepted202(planned);
    });
  }

  /** POST /api/alerts/_bulk (lines already split; the 10,000-line limit is checked by the route). */
  async bulk(args: { lines: string[]; keyName: string; headerKey: string | null; restrict: Set<string> | null }): Promise<StoredAnswer & { replayed: boolean }> {
    if (args.headerKey === null) return this.once({ keyName: args.keyName, key: null, intended: null, requests: [] }, (keeper) => this.bulkOnce(args, keeper, null));
    // With a request key, the lines are recorded as they go (under `bp:<key>`): a retry after a
    // failure skips those done and settles those that were about to be. Dropped once the request's answer is stored.
    const progressKey = scoped('bp', args.headerKey);
    return this.once(
      { keyName: args.keyName, key: scoped('b', args.headerKey), intended: null, requests: [] },
      (keeper) => this.bulkOnce(args, keeper, progressKey),
      () => this.o.idempotency.dropProgress(args.keyName, progressKey),
    );
  }

  private async bulkOnce(args: { lines: string[]; keyName: string; restrict: Set<string> | null }, keeper: LeaseKeeper, progressKey: string | null): Promise<StoredAnswer> {
    const idem = this.o.idempotency;
    const ttl = this.o.idempotencyTtlMs;
    // Lines an earlier attempt of this request finished (docs/api.md "Idempotency"): skipped, but
    // counted; lines it was about to start when it stopped: settled below.
    const progress = progressKey ? await idem.progress(args.keyName, progressKey) : new Map<string, string>();
    let executions = 0;
    const errors: { line: number; message: string }[] = [];
    const parsed: { line: number; event: Record<string, unknown>; key: string | null; intended: StartedExecution[] | null }[] = [];
    let accepted = 0;
    args.lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const previous = progress.get(String(i + 1));
      if (previous !== undefined && !previous.startsWith(INTENDED)) {
        accepted++;
        executions += countOf(previous);
        return;
      }
      if (nestedDeeperThan(text)) {
        errors.push({ line: i + 1, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        errors.push({ line: i + 1, message: `malformed JSON: ${(err as Error).message}` });
        return;
      }
      try {
        const id = eventIdOf(value);
        const intended = previous === undefined ? null : executionsOf(JSON.parse(previous.slice(INTENDED.length)));
        parsed.push({ line: i + 1, event: normalizeEvent(value), key: id === null ? null : scoped('a', id), intended });
      } catch (err) {
        errors.push({ line: i + 1, message: (err as Error).message });
      }
    });

    const candidates = await this.select(args.restrict);
    // Each line's id covers that line: a repeat (in this request or an earlier one) starts nothing.
    const seen = new Set<string>();
    const toStart: Unit[] = [];
    const toReserve: Unit[] = [];
    const toSettle: Unit[] = [];
    for (const p of parsed) {
      if (p.key !== null && seen.has(p.key)) {
        accepted++;
        continue;
      }
      if (p.key !== null) seen.add(p.key);
      const requests = this.requestsFor(p.event, candidates, args.keyName);
      const unit: Unit = { line: p.line, key: p.key, requests, planned: p.intended ?? plan(requests), executions: null };
      if (p.intended) toSettle.push(unit);
      else if (p.key === null) {
        accepted++;
        toStart.push(unit);
      }
      else toReserve.push(unit);
    }
    const held: Unit[] = [];
    try {
      for (let i = 0; i < toReserve.length; i += BATCH) {
        const chunk = toReserve.slice(i, i + BATCH);
        const results = await Promise.all(
          chunk.map((u) => idem.reserve(args.keyName, u.key!, keeper.token, { waitMs: this.o.duplicateWaitMs, ttlMs: ttl, intended: accepted202(u.planned) })),
        );
        chunk.forEach((u, j) => {
          const r = results[j];
          if (r === 'busy') {
            errors.push({ line: u.line, message: 'an alert with the same id is still being processed by another request; retry later' });
            return;
          }
          accepted++;
          if (r === 'reserved') {
            keeper.hold(u.key!);
            held.push(u);
            toStart.push(u);
          } else if ('takenOver' in r) {
            keeper.hold(u.key!);
            held.push(u);
            u.planned = executionsOf(r.takenOver);
            toSettle.push(u);
          }
        });
      }
      // Lines an earlier attempt stopped in the middle of: what it wrote is kept, the rest created with its ids.
      for (const u of toSettle) {
        const settled = await this.settle(u.planned, u.requests);
        u.executions = settled.executions;
        // A line of this request's earlier attempt counts as this request's; one that another
        // request left behind counts only what this one created.
        const own = progress.has(String(u.line));
        if (own) accepted++;
        if (own || !settled.replayed) executions += settled.executions.length;
        await this.recordLine(u, args.keyName, keeper, progressKey, ttl);
      }
      toStart.sort((a, b) => a.line - b.line);
      executions += await this.startUnits(toStart, args.keyName, keeper, progressKey, ttl);
    } catch (err) {
      // Only the lines that created nothing give their keys up; the others keep their answers.
      await Promise.all(held.filter((u) => u.executions === null).map((u) => idem.release(args.keyName, u.key!, keeper.token).catch(() => undefined)));
      throw err;
    }
    errors.sort((a, b) => a.line - b.line);
    return { status: 202, body: { accepted, executions, errors } };
  }

  /** A line's executions exist: its own key gets its answer, and the request's progress lists it as done. */
  private async recordLine(u: Unit, keyName: string, keeper: LeaseKeeper, progressKey: string | null, ttl: number): Promise<void> {
    const writes: Promise<void>[] = [];
    if (u.key !== null) {
      const key = u.key;
      writes.push(this.o.idempotency.complete(keyName, key, ttl, accepted202(u.executions!)).then(() => keeper.drop(key)));
    }
    if (progressKey) writes.push(this.o.idempotency.recordProgress(keyName, progressKey, ttl, { [String(u.line)]: u.executions!.map((e) => e.executionId).join(',') }));
    await Promise.all(writes);
  }

  /**
   * Starts the units batch by batch, PARALLEL_BATCHES at once. Before a batch is written, the
   * request's progress (with a request key) lists its lines as about to be started, with their
   * planned ids; once it has created its executions, each of its lines is recorded: its own key gets
   * its answer, and the progress lists it as done. After a failure no new batch starts; the batches
   * in flight finish and are recorded; then the first error is thrown. Returns the executions started.
   */
  private async startUnits(units: Unit[], keyName: string, keeper: LeaseKeeper, progressKey: string | null, ttl: number): Promise<number> {
    const idem = this.o.idempotency;
    const batches = batchesOf(units);
    let started = 0;
    let failure: { err: unknown } | null = null;
    let next = 0;
    const run = async (batch: Unit[]) => {
      if (progressKey) await idem.recordProgress(keyName, progressKey, ttl, Object.fromEntries(batch.map((u) => [String(u.line), INTENDED + JSON.stringify(accepted202(u.planned))])));
      const requests = batch.flatMap((u) => u.requests);
      if (requests.length > 0)
        await this.startFn(
          this.o.rt,
          requests,
          batch.flatMap((u) => u.planned.map((e) => e.executionId)),
        );
      for (const u of batch) u.executions = u.planned;
      started += requests.length;
      this.o.onAccepted?.(batch.length);
      await Promise.all(batch.map((u) => this.recordLine(u, keyName, keeper, progressKey, ttl)));
    };
    const lane = async () => {
      while (failure === null && next < batches.length) {
        const batch = batches[next++];
        try {
          await run(batch);
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, lane));
    if (failure) throw (failure as { err: unknown }).err;
    return started;
  }
}

/** The executions of a 202 answer (an intended or stored one). */
function executionsOf(answer: StoredAnswer): StartedExecution[] {
  const body = answer.body as { executions?: unknown };
  return Array.isArray(body?.executions) ? (body.executions as StartedExecution[]) : [];
}
