import { createHash } from 'node:crypto';
import { startExecutions, type Runtime, type StartRequest } from '@flowgate/executor';
import type { IdempotencyStore } from '@flowgate/store';
import { isPlainObject } from '@flowgate/template';
import { matches, type AlertCandidates, type Candidate } from './candidates';
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
function scoped(namespace: 'a' | 'b', key: string): string {
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
}

const BATCH = 500;
/** bulk batches in flight at once */
const PARALLEL_BATCHES = 4;

/** Alert ingestion: matching events against alert triggers, idempotency, starting executions. */
export class Ingestor {
  constructor(private readonly o: IngestOptions) {}

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

  /** Starts executions in batches (records, then one addBulk per batch). */
  private async start(requests: StartRequest[]): Promise<string[]> {
    if (requests.length <= BATCH) return startExecutions(this.o.rt, requests);
    const batches: StartRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH) batches.push(requests.slice(i, i + BATCH));
    const results: string[][] = new Array(batches.length);
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const i = next++;
        results[i] = await startExecutions(this.o.rt, batches[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, lane));
    return results.flat();
  }

  /**
   * Runs `fn` once per idempotency key: the first caller reserves the key and stores its answer;
   * a repeat gets the stored answer; a concurrent duplicate waits, then 409.
   */
  private async once(keyName: string, key: string | null, fn: () => Promise<StoredAnswer>): Promise<StoredAnswer & { replayed: boolean }> {
    if (key === null) return { ...(await fn()), replayed: false };
    const reserved = await this.o.idempotency.reserve(keyName, key, this.o.idempotencyTtlMs, this.o.duplicateWaitMs ?? 5000);
    if (reserved === 'busy') throw conflict('a request with the same idempotency key is still being processed; retry later', [{ idempotencyKey: key.slice(2) }]);
    if (reserved !== 'reserved') return { ...reserved, replayed: true };
    let answer: StoredAnswer;
    try {
      answer = await fn();
    } catch (err) {
      await this.o.idempotency.release(keyName, key).catch(() => undefined);
      throw err;
    }
    await this.o.idempotency.complete(keyName, key, this.o.idempotencyTtlMs, answer);
    return { ...answer, replayed: false };
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
      const ids = await this.start(requests);
      this.o.onAccepted?.(1);
      return { status: 202, body: { executions: ids.map((executionId, i) => ({ executionId, workflowId: requests[i].workflowId })) } };
    });
  }

  /** POST /api/alerts/_bulk (lines already split; the 10,000-line limit is checked by the route). */
  async bulk(args: { lines: string[]; keyName: string; headerKey: string | null; restrict: Set<string> | null }): Promise<StoredAnswer & { replayed: boolean }> {
    return this.once(args.keyName, args.headerKey === null ? null : scoped('b', args.headerKey), () => this.bulkOnce(args));
  }

  private async bulkOnce(args: { lines: string[]; keyName: string; restrict: Set<string> | null }): Promise<StoredAnswer> {
    const errors: { line: number; message: string }[] = [];
    const parsed: { line: number; event: Record<string, unknown>; key: string | null }[] = [];
    args.lines.forEach((text, i) => {
      if (text.trim() === '') return;
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
    let accepted = 0;
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
    const reserved: typeof parsed = [];
    const idem = this.o.idempotency;
    try {
      for (let i = 0; i < toReserve.length; i += BATCH) {
        const chunk = toReserve.slice(i, i + BATCH);
        const results = await Promise.all(chunk.map((p) => idem.reserve(args.keyName, p.key!, this.o.idempotencyTtlMs, this.o.duplicateWaitMs ?? 5000)));
        chunk.forEach((p, j) => {
          const r = results[j];
          if (r === 'reserved') {
            reserved.push(p);
            toStart.push(p);
            accepted++;
          } else if (r === 'busy') errors.push({ line: p.line, message: 'an alert with the same id is still being processed by another request; retry later' });
          else accepted++;
        });
      }
      const candidates = await this.select(args.restrict);
      const requests: StartRequest[] = [];
      const owner: number[] = [];
      toStart.forEach((p, idx) => {
        for (const r of this.requestsFor(p.event, candidates, args.keyName)) {
          requests.push(r);
          owner.push(idx);
        }
      });
      const ids = await this.start(requests);
      const perLine = new Map<number, StartedExecution[]>();
      ids.forEach((executionId, i) => {
        const list = perLine.get(owner[i]) ?? [];
        list.push({ executionId, workflowId: requests[i].workflowId });
        perLine.set(owner[i], list);
      });
      const index = new Map(toStart.map((p, i) => [p, i]));
      for (let i = 0; i < reserved.length; i += BATCH) {
        await Promise.all(
          reserved.slice(i, i + BATCH).map((p) => idem.complete(args.keyName, p.key!, this.o.idempotencyTtlMs, { status: 202, body: { executions: perLine.get(index.get(p)!) ?? [] } })),
        );
      }
      this.o.onAccepted?.(toStart.length);
      errors.sort((a, b) => a.line - b.line);
      return { status: 202, body: { accepted, executions: ids.length, errors } };
    } catch (err) {
      await Promise.all(reserved.map((p) => idem.release(args.keyName, p.key!).catch(() => undefined)));
      throw err;
    }
  }
}
