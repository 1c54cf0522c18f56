import { createHash } from 'node:crypto';
import { startExecutions, type Runtime, type StartRequest } from '@flowgate/executor';
import { LeaseKeeper, type IdempotencyStore } from '@flowgate/store';
import { isPlainObject } from '@flowgate/template';
import { matches, type AlertCandidates, type Candidate } from './candidates';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './body';
import { badRequest, conflict } from './errors';

export interface StartedExecution {
  executionId: string;
  workflowId: string;
}

/** A stored idempotent answer: the same status and body for every repeat. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

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
  startExecutions?: (rt: Runtime, requests: StartRequest[]) => Promise<string[]>;
}

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
  /** set once its batch created them */
  executions: StartedExecution[] | null;
}

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

/** How many executions a progress entry (comma-separated execution ids) records. */
const countOf = (entry: string) => (entry === '' ? 0 : entry.split(',').length);

/** Alert ingestion: matching events against alert triggers, idempotency, starting executions. */
export class Ingestor {
  private readonly startFn: (rt: Runtime, requests: StartRequest[]) => Promise<string[]>;

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
   * Runs `fn` once per idempotency key: the first caller reserves the key (a lease, renewed while
   * `fn` runs) and stores its answer for the TTL; a repeat gets the stored answer; a concurrent
   * duplicate waits, then 409. A failure releases the key; `afterComplete` runs once the answer is stored.
   */
  private async once(
    keyName: string,
    key: string | null,
    fn: (keeper: LeaseKeeper) => Promise<StoredAnswer>,
    afterComplete?: () => Promise<void>,
  ): Promise<StoredAnswer & { replayed: boolean }> {
    const idem = this.o.idempotency;
    const keeper = new LeaseKeeper(idem, keyName);
    try {
      if (key !== null) {
        const reserved = await idem.reserve(keyName, key, keeper.token, this.o.duplicateWaitMs ?? 5000);
        if (reserved === 'busy') throw conflict('a request with the same idempotency key is still being processed; retry later', [{ idempotencyKey: key.slice(2) }]);
        if (reserved !== 'reserved') return { ...reserved, replayed: true };
        keeper.hold(key);
      }
      let answer: StoredAnswer;
      try {
        answer = await fn(keeper);
      } catch (err) {
        if (key !== null) await idem.release(keyName, key, keeper.token).catch(() => undefined);
        throw err;
      }
      if (key !== null) {
        await idem.complete(keyName, key, this.o.idempotencyTtlMs, answer);
        await afterComplete?.().catch(() => undefined);
      }
      return { ...answer, replayed: false };
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
    return this.once(args.keyName, key === null ? null : scoped('a', key), async () => {
      const requests = this.requestsFor(event, await this.select(args.restrict), args.keyName);
      // One alert is one unit: all its executions in one call (one pipeline of records), or none.
      const ids = requests.length > 0 ? await this.startFn(this.o.rt, requests) : [];
      this.o.onAccepted?.(1);
      return { status: 202, body: { executions: ids.map((executionId, i) => ({ executionId, workflowId: requests[i].workflowId })) } };
    });
  }

  /** POST /api/alerts/_bulk (lines already split; the 10,000-line limit is checked by the route). */
  async bulk(args: { lines: string[]; keyName: string; headerKey: string | null; restrict: Set<string> | null }): Promise<StoredAnswer & { replayed: boolean }> {
    if (args.headerKey === null) return this.once(args.keyName, null, (keeper) => this.bulkOnce(args, keeper, null));
    // With a request key, the lines done are recorded as they go (under `bp:<key>`): a retry after a
    // failure skips them. Dropped once the request's answer is stored.
    const progressKey = scoped('bp', args.headerKey);
    return this.once(
      args.keyName,
      scoped('b', args.headerKey),
      (keeper) => this.bulkOnce(args, keeper, progressKey),
      () => this.o.idempotency.dropProgress(args.keyName, progressKey),
    );
  }

  private async bulkOnce(args: { lines: string[]; keyName: string; restrict: Set<string> | null }, keeper: LeaseKeeper, progressKey: string | null): Promise<StoredAnswer> {
    const idem = this.o.idempotency;
    const ttl = this.o.idempotencyTtlMs;
    // Lines an earlier attempt of this request finished (docs/api.md "Idempotency"): skipped, but counted.
    const done = progressKey ? await idem.progress(args.keyName, progressKey) : new Map<string, string>();
    let executions = 0;
    const errors: { line: number; message: string }[] = [];
    const parsed: { line: number; event: Record<string, unknown>; key: string | null }[] = [];
    let accepted = 0;
    args.lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const previous = done.get(String(i + 1));
      if (previous !== undefined) {
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
        parsed.push({ line: i + 1, event: normalizeEvent(value), key: id === null ? null : scoped('a', id) });
      } catch (err) {
        errors.push({ line: i + 1, message: (err as Error).message });
      }
    });

    // Each line's id covers that line: a repeat (in this request or an earlier one) starts nothing.
    const seen = new Set<string>();
    const toReserve: typeof parsed = [];
    const toStart: typeof parsed = [];
    for (const p of parsed) {
      if (p.key === null) {
        toStart.push(p);
        accepted++;
      } else if (seen.has(p.key)) accepted++;
      else {
        seen.add(p.key);
        toReserve.push(p);
      }
    }
    const units: Unit[] = [];
    try {
      for (let i = 0; i < toReserve.length; i += BATCH) {
        const chunk = toReserve.slice(i, i + BATCH);
        const results = await Promise.all(chunk.map((p) => idem.reserve(args.keyName, p.key!, keeper.token, this.o.duplicateWaitMs ?? 5000)));
        chunk.forEach((p, j) => {
          const r = results[j];
          if (r === 'reserved') {
            keeper.hold(p.key!);
            toStart.push(p);
            accepted++;
          } else if (r === 'busy') errors.push({ line: p.line, message: 'an alert with the same id is still being processed by another request; retry later' });
          else accepted++;
        });
      }
      toStart.sort((a, b) => a.line - b.line);
      const candidates = await this.select(args.restrict);
      for (const p of toStart) units.push({ line: p.line, key: p.key, requests: this.requestsFor(p.event, candidates, args.keyName), executions: null });
      executions += await this.startUnits(units, args.keyName, keeper, progressKey, ttl);
    } catch (err) {
      // Only the lines that created nothing give their keys up; the others keep their answers.
      const created = new Set(units.filter((u) => u.executions !== null).map((u) => u.line));
      await Promise.all(toStart.filter((p) => p.key !== null && !created.has(p.line)).map((p) => idem.release(args.keyName, p.key!, keeper.token).catch(() => undefined)));
      throw err;
    }
    errors.sort((a, b) => a.line - b.line);
    return { status: 202, body: { accepted, executions, errors } };
  }

  /**
   * Starts the units batch by batch, PARALLEL_BATCHES at once. As soon as a batch has created its
   * executions, each of its lines is recorded: its own key gets its answer, and the request's
   * progress (with a request key) lists it. After a failure no new batch starts; the batches in
   * flight finish and are recorded; then the first error is thrown. Returns the executions started.
   */
  private async startUnits(units: Unit[], keyName: string, keeper: LeaseKeeper, progressKey: string | null, ttl: number): Promise<number> {
    const idem = this.o.idempotency;
    const batches = batchesOf(units);
    let started = 0;
    let failure: { err: unknown } | null = null;
    let next = 0;
    const run = async (batch: Unit[]) => {
      const requests = batch.flatMap((u) => u.requests);
      const ids = requests.length > 0 ? await this.startFn(this.o.rt, requests) : [];
      let i = 0;
      for (const u of batch) u.executions = u.requests.map((r) => ({ executionId: ids[i++], workflowId: r.workflowId }));
      started += ids.length;
      this.o.onAccepted?.(batch.length);
      const writes: Promise<void>[] = [];
      for (const u of batch) {
        if (u.key === null) continue;
        const key = u.key;
        writes.push(idem.complete(keyName, key, ttl, { status: 202, body: { executions: u.executions } }).then(() => keeper.drop(key)));
      }
      if (progressKey) {
        const entries = Object.fromEntries(batch.map((u) => [String(u.line), u.executions!.map((e) => e.executionId).join(',')]));
        writes.push(idem.recordProgress(keyName, progressKey, ttl, entries));
      }
      await Promise.all(writes);
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
