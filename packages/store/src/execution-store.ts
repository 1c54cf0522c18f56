import { EXECUTION_STATUSES, isTerminal, type ExecutionState, type ExecutionStatus, type ExecutionSummary, type StepRecord, type WaitEnded } from '@flowgate/engine';
import { LruCache } from '@flowgate/template';
import { hasSearch, matchesSearch, SEARCH_SCAN, timeBounds, type ExecutionSearch } from './execution-search';
import { expandSummary, decodeEvent, decodeExecution, decodeRecord, encodeEvent, encodeExecution, encodeRecord, EVENT_REF_FIELD, EXECUTION_FIELDS, RECORD_PREFIX, recordField } from './execution-codec';
import { Keys } from './keys';
import { sendAll, sendAllOrThrow, type Command } from './multi-slot';
import { runScript, type RedisClient } from './scripts';

export interface Expectation {
  /** the rev the caller loaded; 0 = create (the execution must not exist) */
  rev?: number;
  /** the statuses the execution may be in */
  statuses?: readonly ExecutionStatus[];
  /** the path of the step the execution must be waiting at */
  waitStep?: string;
}

export interface ResponseEntry {
  by: string;
  at: string;
  accepted: boolean;
  code: number | string;
}

export type TransitionResult =
  | { ok: true; rev: number; previousStatus: string }
  | { ok: false; reason: 'missing' | 'exists' | 'rev' | 'status' | 'step'; status: string; rev: number };

/** The fields of an execution the reconciler needs. */
export interface ExecutionProgress {
  id: string;
  status: ExecutionStatus;
  /** bumped by every transition: an execution whose rev did not move between two looks did not move */
  rev: number;
  next: string;
  nextAt: number;
  deadline: number | null;
  finishedAt: number | null;
  /** the definition version (the reconciler looks up a wait's own timeout in it) */
  version: string;
  /** WAITING_FOR_INPUT: the waiting step's path and since when it waits */
  wait: { step: string; since: number } | null;
}

export interface ListQuery {
  statuses?: ExecutionStatus[];
  workflowId?: string;
  order?: 'asc' | 'desc';
  limit: number;
  cursor?: string;
  /** createdAt >= from, createdAt < to (ms) */
  from?: number;
  to?: number;
  search?: ExecutionSearch;
}

/** One History row: an execution and how its latest wait ended. */
export interface WaitEndRow {
  executionId: string;
  workflowId: string;
  workflowName: string;
  summary: ExecutionSummary | null;
  ended: WaitEnded;
}

export interface ListPage {
  results: ExecutionState[];
  nextCursor: string | null;
  /** executions matching the query; a lower bound when `truncated` */
  total: number;
  /** a search stopped at SEARCH_SCAN executions */
  truncated: boolean;
}

/** What a load of the execution's own fields reads: its fields, and the reference to a shared event. */
const LOAD_FIELDS = [...EXECUTION_FIELDS, EVENT_REF_FIELD];

/** Field/value pairs without those whose value is '' (absent reads as ''; see transition.lua). */
function withoutEmpty(pairs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i + 1] !== '') out.push(pairs[i], pairs[i + 1]);
  return out;
}

/** HMGET's answer as the hash HGETALL would give (absent fields left out). */
function zip(values: (string | null)[]): Record<string, string> {
  const hash: Record<string, string> = {};
  LOAD_FIELDS.forEach((f, i) => {
    if (values[i] !== null) hash[f] = values[i]!;
  });
  return hash;
}

/**
 * How many answer attempts an execution keeps, the latest (all its waits together); every attempt
 * is still counted per wait. A reviewer key sending refusals in a loop cannot grow an execution.
 */
export const RESPONSES_KEPT = 100;

/** The field counting a wait's answer attempts, beside its record: `s:<path>#n`. */
const responseCountField = (path: string) => `${recordField(path)}#n`;
const NOTIFICATION_PREFIX = 'n:';
const notificationField = (channel: string, path: string) => `${NOTIFICATION_PREFIX}${channel}:${path}`;

/** One notification of a wait: sent, failed after its last attempt, retrying, or skipped (the wait was over). */
export interface NotificationEntry {
  channel: string;
  /** the wait's attempt (run) it announced */
  run: number;
  status: 'sent' | 'retrying' | 'failed' | 'skipped';
  /** ISO time of the last attempt */
  at: string;
  attempts: number;
  error?: string;
}

/** Notifications by wait path, oldest channel name first. */
function decodeNotifications(hash: Record<string, string>): Map<string, NotificationEntry[]> {
  const out = new Map<string, NotificationEntry[]>();
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith(NOTIFICATION_PREFIX)) continue;
    const rest = field.slice(NOTIFICATION_PREFIX.length);
    const path = rest.slice(rest.indexOf(':') + 1);
    const list = out.get(path) ?? [];
    list.push(JSON.parse(value) as NotificationEntry);
    out.set(path, list.sort((a, b) => a.channel.localeCompare(b.channel)));
  }
  return out;
}

/** The answer attempts of an execution's waits, by step path, oldest first, and how many each had in all. */
export interface Responses {
  responses: Map<string, ResponseEntry[]>;
  responseCounts: Map<string, number>;
}

/** Shared events are immutable: each process keeps the text of the last ones it read. */
const EVENT_CACHE_SIZE = 1000;

/** Executions and their step records in Redis; every status change goes through transition.lua. */
export class ExecutionStore {
  private readonly events = new LruCache<string, string>(EVENT_CACHE_SIZE);

  constructor(readonly redis: RedisClient, readonly keys: Keys = new Keys()) {}

  /** The execution's own fields only (HMGET): listing never drags step outputs along. */
  async load(id: string): Promise<ExecutionState | null> {
    const hash = zip(await this.redis.hmget(this.keys.execution(id), ...LOAD_FIELDS));
    return (await this.decodeWithEvents([[id, hash]]))[0];
  }

  /** Whether each execution exists (one EXISTS per id, sent at once). */
  async existing(ids: string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const replies = await sendAllOrThrow(this.redis, ids.map((id): Command => ['exists', this.keys.execution(id)]));
    return replies.map((r) => Number(r) === 1);
  }

  /**
   * One HMGET per execution, in one pipeline (on a Cluster: sent at once, each to its shard).
   * `withEvents: false` leaves a shared event unread (`event` null): list rows never show it.
   */
  async loadMany(ids: string[], options: { withEvents?: boolean } = {}): Promise<(ExecutionState | null)[]> {
    if (ids.length === 0) return [];
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), ...LOAD_FIELDS]));
    const hashes = replies.map(([err, values], i): [string, Record<string, string>] => [ids[i], err ? {} : zip(values as (string | null)[])]);
    if (options.withEvents === false) return hashes.map(([id, hash]) => decodeExecution(id, hash));
    return this.decodeWithEvents(hashes);
  }

  /** Decodes executions, reading the shared events they refer to (each once, cached). */
  private async decodeWithEvents(hashes: [string, Record<string, string>][]): Promise<(ExecutionState | null)[]> {
    const states = hashes.map(([id, hash]) => decodeExecution(id, hash));
    const refs = [...new Set(hashes.map(([, hash]) => hash[EVENT_REF_FIELD]).filter((r): r is string => !!r))];
    if (refs.length === 0) return states;
    const missing = refs.filter((ref) => this.events.get(ref) === undefined);
    if (missing.length > 0) {
      const replies = await sendAll(this.redis, missing.map((ref): Command => ['hget', this.keys.event(ref), 'json']));
      replies.forEach(([err, json], i) => {
        if (!err && typeof json === 'string') this.events.set(missing[i], json);
      });
    }
    hashes.forEach(([, hash], i) => {
      const ref = hash[EVENT_REF_FIELD];
      const json = ref ? this.events.get(ref) : undefined;
      const state = states[i];
      if (state && json !== undefined) state.event = decodeEvent(json);
    });
    return states;
  }

  /**
   * Only what the reconciler looks at (status, continuation, deadline), for many executions: a
   * sweep of thousands of waiting ones then reads a few bytes each, not their events.
   */
  async loadProgress(ids: string[]): Promise<(ExecutionProgress | null)[]> {
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), 'status', 'rev', 'next', 'na', 'dl', 'fa', 'v', 'wait']));
    return replies.map(([err, values], i) => {
      const [status, rev, next, nextAt, deadline, finishedAt, version, wait] = (values ?? []) as (string | null)[];
      if (err || !status) return null;
      const w = wait ? (JSON.parse(wait) as { s: string; at: number }) : null;
      return {
        id: ids[i],
        status: status as ExecutionStatus,
        rev: Number(rev ?? 0),
        next: next ?? '',
        nextAt: Number(nextAt ?? 0),
        deadline: deadline ? Number(deadline) : null,
        finishedAt: finishedAt ? Number(finishedAt) : null,
        version: version ?? '',
        wait: w ? { step: w.s, since: w.at } : null,
      };
    });
  }

  /** One step record, or null (the reconciler reads a wait's attempt). */
  async loadRecord(id: string, path: string): Promise<StepRecord | null> {
    const json = await this.redis.hget(this.keys.execution(id), recordField(path));
    return json ? decodeRecord(json) : null;
  }

  /** The execution and its step records in one round trip (what a step job needs). */
  async loadWithRecords(id: string): Promise<{ exec: ExecutionState | null; records: StepRecord[] }> {
    const hash = await this.redis.hgetall(this.keys.execution(id));
    const [exec] = await this.decodeWithEvents([[id, hash]]);
    return { exec, records: this.decodeRecords(hash) };
  }

  /** Every step record, in start order, with the answer attempts kept for its waits (one round trip). */
  async loadRecords(id: string): Promise<{ records: StepRecord[]; notifications: Map<string, NotificationEntry[]> } & Responses> {
    const [[hashErr, hash], [listErr, list]] = await sendAll(this.redis, [
      ['hgetall', this.keys.execution(id)],
      ['lrange', this.keys.responses(id), 0, -1],
    ]);
    if (hashErr) throw hashErr;
    if (listErr) throw listErr;
    const fields = hash as Record<string, string>;
    return { records: this.decodeRecords(fields), ...decodeResponses(fields, list as string[]), notifications: decodeNotifications(fields) };
  }

  private decodeRecords(hash: Record<string, string>): StepRecord[] {
    const records: StepRecord[] = [];
    for (const [field, value] of Object.entries(hash)) {
      if (!field.startsWith(RECORD_PREFIX) || field.endsWith('#r') || field.endsWith('#n')) continue;
      records.push(decodeRecord(value));
    }
    return records.sort((a, b) => a.seq - b.seq);
  }

  async saveLoopItems(id: string, containerPath: string, items: unknown[]): Promise<void> {
    await this.redis.hset(this.keys.loopItems(id), containerPath, JSON.stringify(items));
  }

  async loadLoopItems(id: string, containerPath: string): Promise<unknown[]> {
    const json = await this.redis.hget(this.keys.loopItems(id), containerPath);
    return json ? JSON.parse(json) : [];
  }

  /**
   * One compare-and-set transition: applies `set` and `records` only when the execution matches
   * `expect`; then moves it between the status indexes (outside the script: other hash slots).
   */
  async transition(
    id: string,
    expect: Expectation,
    set: Partial<ExecutionState>,
    records: StepRecord[] = [],
    response?: { path: string; entry: ResponseEntry },
  ): Promise<TransitionResult> {
    const execFields = encodeExecution(set);
    const stepFields: string[] = [];
    for (const r of records) stepFields.push(recordField(r.path), encodeRecord(r));
    const args: (string | number)[] = [
      expect.rev === undefined ? '' : String(expect.rev),
      expect.statuses ? expect.statuses.join(',') : '',
      expect.waitStep ?? '',
      execFields.length / 2,
      ...execFields,
      stepFields.length / 2,
      ...stepFields,
      response ? responseCountField(response.path) : '',
      response ? JSON.stringify({ p: response.path, ...response.entry }) : '',
      RESPONSES_KEPT,
    ];
    const key = this.keys.execution(id);
    const reply = await runScript(this.redis, 'fgTransition', [key, key, this.keys.responses(id)], args);
    if (Number(reply[0]) !== 1) {
      return { ok: false, reason: String(reply[1]) as any, status: String(reply[2] ?? ''), rev: Number(reply[3] ?? 0) };
    }
    const previousStatus = String(reply[2]);
    const result = { ok: true as const, rev: Number(reply[1]), previousStatus };
    if (expect.rev === 0) await this.indexCreated(id, set);
    else if (set.status && set.status !== previousStatus) await this.reindex(id, previousStatus, set);
    return result;
  }

  /**
   * Writes new executions (fresh ULIDs, so no other writer can know them yet: no compare-and-set
   * needed) with their first step records, then their index entries, one ZADD per index key, all in
   * one pipeline (on a Cluster, where the executions and the indexes are in many hash slots, as
   * separate commands sent at once).
   *
   * Executions given the same event object (one alert that matched several workflows) share one
   * stored copy, named by the first of them, with a count of its executions; the retention sweep
   * counts each off and deletes the copy with the last. A lone execution keeps its event in its own
   * hash: one key less.
   */
  async createMany(items: { state: ExecutionState; records: StepRecord[] }[]): Promise<void> {
    if (items.length === 0) return;
    const commands: Command[] = [];
    const sharedRef = new Map<unknown, string>();
    const sharers = new Map<unknown, number>();
    for (const { state } of items) if (state.event && typeof state.event === 'object') sharers.set(state.event, (sharers.get(state.event) ?? 0) + 1);
    for (const { state } of items) {
      const n = sharers.get(state.event) ?? 0;
      if (n < 2 || sharedRef.has(state.event)) continue;
      sharedRef.set(state.event, state.id);
      commands.push(['hset', this.keys.event(state.id), 'json', encodeEvent(state.event), 'refs', n]);
    }
    const index = new Map<string, (string | number)[]>();
    const enter = (key: string, id: string) => {
      const members = index.get(key);
      if (members) members.push(0, id);
      else index.set(key, [0, id]);
    };
    for (const { state, records } of items) {
      const ref = sharedRef.get(state.event);
      const fields = withoutEmpty(ref ? [...encodeExecution({ ...state, event: undefined }), EVENT_REF_FIELD, ref] : encodeExecution(state));
      commands.push(['hset', this.keys.execution(state.id), ...fields, 'rev', '1', ...records.flatMap((r) => [recordField(r.path), encodeRecord(r)])]);
      enter(this.keys.byWorkflow(state.workflowId), state.id);
      enter(this.keys.byStatus(state.status), state.id);
    }
    for (const [key, members] of index) commands.push(['zadd', key, ...members]);
    await sendAllOrThrow(this.redis, commands);
  }

  /** Links `id` to `rerunId`, the execution that re-runs it (`reruns`, the latest `keep`); false when `id` is gone. */
  async addRerun(id: string, rerunId: string, keep: number): Promise<boolean> {
    const count = (await runScript(this.redis, 'fgAddRerun', [this.keys.execution(id)], [rerunId, keep])) as unknown as number;
    return Number(count) > 0;
  }

  /**
   * What happened to one notification of a wait (docs/workflows.md "Answering from Slack, e-mail or a webhook"): field
   * `n:<channel>:<path>` of the execution's hash, overwritten by each attempt, gone with the execution.
   */
  async recordNotification(id: string, path: string, entry: NotificationEntry): Promise<boolean> {
    const reply = (await runScript(this.redis, 'fgSetIfExists', [this.keys.execution(id)], [notificationField(entry.channel, path), JSON.stringify(entry)])) as unknown as number;
    return Number(reply) === 1;
  }

  /** One notification's latest entry, or null (read before sending, so a repeated job sends nothing). */
  async loadNotification(id: string, path: string, channel: string): Promise<NotificationEntry | null> {
    const json = await this.redis.hget(this.keys.execution(id), notificationField(channel, path));
    return json ? (JSON.parse(json) as NotificationEntry) : null;
  }

  async appendResponse(id: string, path: string, entry: ResponseEntry): Promise<void> {
    await runScript(this.redis, 'fgAppendResponse', [this.keys.execution(id), this.keys.responses(id)], [recordField(path), JSON.stringify({ p: path, ...entry }), responseCountField(path), RESPONSES_KEPT]);
  }

  // Index keys live in other hash slots than the execution, so they are written as separate
  // commands (sent back to back, no pipeline object: a pipeline would copy every script BullMQ
  // defined on this connection, and would refuse keys of several slots on a Cluster).
  private async indexCreated(id: string, set: Partial<ExecutionState>): Promise<void> {
    await Promise.all([this.redis.zadd(this.keys.byWorkflow(set.workflowId!), 0, id), this.redis.zadd(this.keys.byStatus(set.status!), 0, id)]);
  }

  private async reindex(id: string, previous: string, set: Partial<ExecutionState>): Promise<void> {
    // Added to the new index before it leaves the old one: a process killed between the two writes (a
    // SIGKILL may land between two socket writes of one tick) leaves it in both, which the reconciler
    // repairs, never in none, where nothing would find it.
    const writes: Promise<unknown>[] = [this.redis.zadd(this.keys.byStatus(set.status!), 0, id)];
    // A terminal status never changes again: from now on only the retention sweep removes it.
    if (isTerminal(set.status!)) writes.push(this.redis.zadd(this.keys.finished(), Number(set.finishedAt ?? Date.now()), id));
    writes.push(this.redis.zrem(this.keys.byStatus(previous), id));
    await Promise.all(writes);
  }

  /** Ids of executions that finished at or before `before` (ms), oldest first, at most `limit`. */
  async finishedBefore(before: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.finished(), '-inf', before, 'LIMIT', 0, limit);
  }

  /**
   * Removes finished executions from Redis: the record with its step records and answers, its
   * foreach items, and its index entries. An execution that is not finished (it never is in the
   * finished index, but an operator may have edited Redis) is left alone and leaves that index.
   * Answers how many were removed.
   */
  async removeFinished(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), 'status', 'wf', EVENT_REF_FIELD]));
    const commands: Command[] = [['zrem', this.keys.finished(), ...ids]];
    const released: string[] = [];
    let removed = 0;
    ids.forEach((id, i) => {
      const [err, values] = replies[i];
      const [status, workflowId, eventRef] = (err ? [] : values) as (string | null)[];
      if (!status || !isTerminal(status)) return;
      removed++;
      commands.push(['del', this.keys.execution(id), this.keys.loopItems(id), this.keys.responses(id)], ['zrem', this.keys.byStatus(status), id]);
      if (workflowId) commands.push(['zrem', this.keys.byWorkflow(workflowId), id]);
      if (eventRef) released.push(eventRef);
    });
    await sendAllOrThrow(this.redis, commands);
    // After the executions are gone: a crash in between leaves a count too high (the event stays), never too low.
    await Promise.all(released.map((ref) => runScript(this.redis, 'fgEventRelease', [this.keys.event(ref)], [])));
    return removed;
  }

  /**
   * Pages through executions, newest first by default. Ids are ULIDs, so the id order is the
   * creation order and the cursor is the last id returned. Index entries are hints: each row is
   * checked against the execution itself, so a stale index entry is never shown. Rows: a shared
   * event is not read (`event` null), as for loadMany({withEvents: false}). A search (or a status
   * filter within one workflow) goes through `searchPage`.
   */
  async list(query: ListQuery): Promise<ListPage> {
    const statuses = query.statuses && query.statuses.length > 0 ? new Set(query.statuses) : null;
    if (hasSearch(query.search)) return this.searchPage(query, statuses);
    const desc = query.order !== 'asc';
    const sources = this.sourcesOf(query.workflowId, statuses);
    const bounds = timeBounds(query.from, query.to);
    // Within one workflow the index holds every status: the statuses asked for are counted by a scan.
    const { total, truncated } =
      statuses && query.workflowId ? await this.scanMatching(query, statuses).then((m) => ({ total: m.matching.length, truncated: m.truncated })) : { total: await this.countRange(sources, bounds), truncated: false };
    const results: ExecutionState[] = [];
    let cursor = query.cursor;
    let exhausted = false;
    // Stale entries may drop rows: scan a bounded number of batches.
    for (let round = 0; round < 20 && results.length < query.limit && !exhausted; round++) {
      const batch = Math.max(query.limit + 1, 50);
      const ids = await this.mergeRange(sources, cursor, batch, desc, bounds);
      exhausted = ids.length < batch;
      const states = await this.loadMany(ids, { withEvents: false });
      for (let i = 0; i < ids.length; i++) {
        cursor = ids[i];
        const s = states[i];
        if (!s || (statuses && !statuses.has(s.status))) continue;
        if (query.workflowId && s.workflowId !== query.workflowId) continue;
        results.push(s);
        if (results.length === query.limit) {
          const more = i < ids.length - 1 || !exhausted;
          return { results, nextCursor: more ? ids[i] : null, total, truncated };
        }
      }
    }
    return { results, nextCursor: exhausted ? null : (cursor ?? null), total, truncated };
  }

  /**
   * A search: reads the status, workflow and summary of at most SEARCH_SCAN executions in the time
   * range (from its start, whatever the cursor, so that `total` is the same on every page), then loads
   * only the page's rows.
   */
  private async searchPage(query: ListQuery, statuses: Set<ExecutionStatus> | null): Promise<ListPage> {
    const desc = query.order !== 'asc';
    const { matching, truncated } = await this.scanMatching(query, statuses);
    const start = query.cursor ? matching.findIndex((id) => (desc ? id < query.cursor! : id > query.cursor!)) : 0;
    const pageIds = start < 0 ? [] : matching.slice(start, start + query.limit);
    const results = (await this.loadMany(pageIds, { withEvents: false })).filter((s): s is ExecutionState => !!s);
    const more = start >= 0 && start + query.limit < matching.length;
    return { results, nextCursor: more ? pageIds[pageIds.length - 1] : null, total: matching.length, truncated };
  }

  /** The ids matching the query among at most SEARCH_SCAN in its time range, in its order. */
  private async scanMatching(query: ListQuery, statuses: Set<ExecutionStatus> | null): Promise<{ matching: string[]; truncated: boolean }> {
    const desc = query.order !== 'asc';
    const sources = this.sourcesOf(query.workflowId, statuses);
    const ids = await this.mergeRange(sources, undefined, SEARCH_SCAN + 1, desc, timeBounds(query.from, query.to));
    const truncated = ids.length > SEARCH_SCAN;
    if (truncated) ids.length = SEARCH_SCAN;
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), 'status', 'wf', 'sm']));
    const matching: string[] = [];
    replies.forEach(([err, values], i) => {
      const [status, workflowId, summary] = (err ? [] : values) as (string | null)[];
      if (!status || (statuses && !statuses.has(status as ExecutionStatus))) return;
      if (query.workflowId && workflowId !== query.workflowId) return;
      if (query.search && !matchesSearch(ids[i], summary ? expandSummary(summary) : null, query.search)) return;
      matching.push(ids[i]);
    });
    return { matching, truncated };
  }

  /**
   * How the latest waits ended, newest first (the inbox's History): reads the workflow, name, summary
   * and `we` of at most SEARCH_SCAN executions, newest created first, within `workflowId` when given.
   */
  async recentWaitEnds(query: { workflowId?: string; since?: number; match?: (w: WaitEnded) => boolean; limit: number }): Promise<{ results: WaitEndRow[]; truncated: boolean }> {
    const ids = await this.mergeRange(this.sourcesOf(query.workflowId, null), undefined, SEARCH_SCAN + 1, true, timeBounds(undefined, undefined));
    const truncated = ids.length > SEARCH_SCAN;
    if (truncated) ids.length = SEARCH_SCAN;
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), 'we', 'wf', 'wn', 'sm']));
    const rows: WaitEndRow[] = [];
    replies.forEach(([err, values], i) => {
      const [we, workflowId, workflowName, summary] = (err ? [] : values) as (string | null)[];
      if (!we || !workflowId) return;
      const ended = JSON.parse(we) as WaitEnded;
      if (query.since !== undefined && ended.at < query.since) return;
      if (query.match && !query.match(ended)) return;
      rows.push({ executionId: ids[i], workflowId, workflowName: workflowName ?? workflowId, summary: summary ? expandSummary(summary) : null, ended });
    });
    rows.sort((a, b) => b.ended.at - a.ended.at);
    return { results: rows.slice(0, query.limit), truncated };
  }

  private sourcesOf(workflowId: string | undefined, statuses: Set<ExecutionStatus> | null): string[] {
    if (workflowId) return [this.keys.byWorkflow(workflowId)];
    return [...(statuses ?? EXECUTION_STATUSES)].map((st) => this.keys.byStatus(st));
  }

  /** Index entries in the range: the total of an unsearched list (stale entries included until the reconciler repairs them). */
  private async countRange(sources: string[], bounds: { min: string; max: string }): Promise<number> {
    const counts = await Promise.all(sources.map((key) => this.redis.zlexcount(key, bounds.min, bounds.max)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async mergeRange(sources: string[], cursor: string | undefined, count: number, desc: boolean, bounds = { min: '-', max: '+' }): Promise<string[]> {
    const lists = await Promise.all(
      sources.map((key) =>
        desc
          ? this.redis.zrevrangebylex(key, cursor ? `(${cursor}` : bounds.max, bounds.min, 'LIMIT', 0, count)
          : this.redis.zrangebylex(key, cursor ? `(${cursor}` : bounds.min, bounds.max, 'LIMIT', 0, count),
      ),
    );
    const merged = [...new Set(lists.flat())].sort();
    if (desc) merged.reverse();
    return merged.slice(0, count);
  }

  /**
   * Executions waiting for input, oldest wait first, among the `scan` oldest created ones (no index
   * of its own: a waiting execution is the one that stays in Redis, so it carries as few entries as
   * possible; an execution created earlier almost always started waiting earlier too).
   */
  async inbox(limit: number, scan = 500): Promise<ExecutionState[]> {
    const ids = await this.redis.zrangebylex(this.keys.byStatus('WAITING_FOR_INPUT'), '-', '+', 'LIMIT', 0, scan);
    const waiting = (await this.loadMany(ids, { withEvents: false })).filter((s): s is ExecutionState => !!s && s.status === 'WAITING_FOR_INPUT' && !!s.waitingFor);
    return waiting.sort((a, b) => a.waitingFor!.since - b.waitingFor!.since).slice(0, limit);
  }

  /**
   * When the oldest wait for input began (epoch ms), or null when none waits: among the `scan` oldest
   * created executions of the WAITING_FOR_INPUT index (as `inbox`), reading only their `status` and
   * `wait` fields — the /metrics gauge, refreshed often, loads no execution.
   */
  async oldestWaitSince(scan = 50): Promise<number | null> {
    const ids = await this.redis.zrangebylex(this.keys.byStatus('WAITING_FOR_INPUT'), '-', '+', 'LIMIT', 0, scan);
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hmget', this.keys.execution(id), 'status', 'wait']));
    let oldest: number | null = null;
    for (const [err, values] of replies) {
      const [status, wait] = (values ?? []) as (string | null)[];
      if (err || status !== 'WAITING_FOR_INPUT' || !wait) continue;
      const since = Number((JSON.parse(wait) as { at?: unknown }).at);
      if (Number.isFinite(since) && (oldest === null || since < oldest)) oldest = since;
    }
    return oldest;
  }

  /** Ids in a status index, oldest first, at most `limit`, after the id `after` (a cursor) when given. */
  async idsInStatus(status: ExecutionStatus, limit: number, after?: string): Promise<string[]> {
    return this.redis.zrangebylex(this.keys.byStatus(status), after ? `(${after}` : '-', '+', 'LIMIT', 0, limit);
  }

  /**
   * Puts an execution's index entries right when the status index `listed` disagrees with it (a
   * crash between a transition and its index update): out of `listed`, into its own status (and,
   * finished, into the finish-time index); a missing execution only leaves `listed`.
   */
  async repairIndex(id: string, listed: ExecutionStatus, actual: Pick<ExecutionProgress, 'status' | 'finishedAt'> | null): Promise<void> {
    // The right entries first, the wrong one after (as in reindex): a crash in between never leaves it in no index.
    const commands: Command[] = [];
    if (actual) {
      commands.push(['zadd', this.keys.byStatus(actual.status), 0, id]);
      if (isTerminal(actual.status)) commands.push(['zadd', this.keys.finished(), actual.finishedAt ?? Date.now(), id]);
    }
    if (actual?.status !== listed) commands.push(['zrem', this.keys.byStatus(listed), id]);
    await sendAllOrThrow(this.redis, commands);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const replies = await sendAll(this.redis, EXECUTION_STATUSES.map((s): Command => ['zcard', this.keys.byStatus(s)]));
    return Object.fromEntries(EXECUTION_STATUSES.map((s, i) => [s, Number(replies[i]?.[1] ?? 0)]));
  }
}

/**
 * The answer attempts of the list (`{p: path, ...entry}`), by path, plus those an older version kept
 * in the hash as `s:<path>#r` JSON arrays; the counts from `s:<path>#n` (or, for those older ones,
 * the length of their array).
 */
function decodeResponses(hash: Record<string, string>, list: string[]): Responses {
  const responses = new Map<string, ResponseEntry[]>();
  const responseCounts = new Map<string, number>();
  const add = (path: string, entry: ResponseEntry) => {
    const entries = responses.get(path);
    if (entries) entries.push(entry);
    else responses.set(path, [entry]);
  };
  for (const [field, value] of Object.entries(hash)) {
    if (!field.startsWith(RECORD_PREFIX)) continue;
    const path = field.slice(RECORD_PREFIX.length, -2);
    if (field.endsWith('#r')) {
      for (const entry of JSON.parse(value) as ResponseEntry[]) add(path, entry);
      if (!hash[responseCountField(path)]) responseCounts.set(path, responses.get(path)?.length ?? 0);
    } else if (field.endsWith('#n')) responseCounts.set(path, Number(value));
  }
  for (const json of list) {
    const { p, ...entry } = JSON.parse(json) as ResponseEntry & { p: string };
    add(p, entry);
  }
  return { responses, responseCounts };
}
