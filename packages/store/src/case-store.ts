import { createHash, randomUUID } from 'node:crypto';
import { decodeCase, decodeDetail, hashOf } from './case-codec';
import { applyIndexChanges, NO_INDEX_CHANGES } from './case-index';
import { casesByAlert, findCases, findSimilarCases, type CasePage, type CaseQuery, type RelatedCase, type SimilarPage } from './case-search';
import { CASE_LIMITS, type Case, type CaseAlert, type CaseAttachment, type CaseComment, type CaseCustomField, type CaseDetail, type CaseEvent, type CaseFull, type CaseStatus } from './case-types';
import { attachPayload, itemIds, mutateCase, updatePayload, type Attachments, type CaseUpdate, type MutateResult } from './case-writes';
import { Keys } from './keys';
import { runScript, type RedisClient } from './scripts';

export * from './case-types';

/** A UUID derived from a step's `<executionId>/<path>`: the same step run twice writes the same object. */
export function deterministicId(opKey: string): string {
  const h = createHash('sha256').update(opKey).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const decodeFlat = (flat: string[]): Case => decodeCase(hashOf(flat));

/** JSON values sorted by a key (their time first). */
function byTime<T>(values: string[], key: (v: T) => string): T[] {
  return values.map((j) => JSON.parse(j) as T).sort((a, b) => key(a).localeCompare(key(b)));
}

/** Flowgate's own case store (docs/api.md "Cases"), used by the cases.* steps and the API. */
export class CaseStore {
  constructor(readonly redis: RedisClient, readonly keys: Keys = new Keys()) {}

  async create(input: { title: string; description?: string | null; severity?: string; tags?: string[]; executionId?: string | null; opKey?: string }): Promise<Case> {
    const id = input.opKey ? deterministicId(input.opKey) : randomUUID();
    const now = new Date().toISOString();
    const fields = {
      id,
      title: input.title,
      description: input.description ?? '',
      severity: input.severity ?? 'low',
      status: 'open',
      tags: JSON.stringify(input.tags ?? []),
      executionId: input.executionId ?? '',
      createdAt: now,
      updatedAt: now,
    };
    // The case (its own hash slot) and its index entry (`fg:x:cases`, another slot) are two writes, and
    // a process can die between them; neither order may leave a case that exists but is never listed.
    // A fresh id cannot exist yet: its entry goes first (a crash then leaves an entry without a case,
    // which list() skips). A step's id (opKey) may already be written, by a run that died before its
    // index entry: the entry goes after, from the stored createdAt, whether the case was new or not
    // (ZADD of the same member is idempotent), so the step's next run repairs it.
    const member = (createdAt: string) => `${Date.parse(createdAt)}:${id}`;
    if (!input.opKey) await this.redis.zadd(this.keys.cases(), 0, member(now));
    const reply = await runScript(this.redis, 'fgCaseWrite', [this.keys.case(id), this.keys.caseComments(id)], ['create', ...Object.entries(fields).flat()]);
    const created = decodeFlat(reply[1] as unknown as string[]);
    if (input.opKey) await this.redis.zadd(this.keys.cases(), 0, member(created.createdAt));
    // Its tags' index entries (findCases, findSimilarCases), after the case as well: a repeat repairs them.
    await applyIndexChanges(this.redis, this.keys, id, { ...NO_INDEX_CHANGES, tagsAdded: created.tags });
    return created;
  }

  async get(id: string): Promise<Case | null> {
    const h = await this.redis.hgetall(this.keys.case(id));
    return h.id ? decodeCase(h) : null;
  }

  /** The case with its observables and attachment counts (the output of Kibana's catalog steps); null when it does not exist. */
  async detail(id: string): Promise<CaseDetail | null> {
    return (await this.details([id]))[0];
  }

  /** Several cases' details in one round trip (a pipeline per case: its keys share one slot). */
  async details(ids: string[]): Promise<(CaseDetail | null)[]> {
    return Promise.all(
      ids.map(async (id) => {
        const replies = await this.redis
          .pipeline()
          .hgetall(this.keys.case(id))
          .hvals(this.keys.caseObservables(id))
          .hlen(this.keys.caseComments(id))
          .hlen(this.keys.caseAlerts(id))
          .hlen(this.keys.caseEvents(id))
          .hlen(this.keys.caseAttachments(id))
          .exec();
        const [h, observables, comments, alerts, events, attachments] = (replies ?? []).map(([err, v]) => {
          if (err) throw err;
          return v;
        }) as [Record<string, string>, string[], number, number, number, number];
        if (!h?.id) return null;
        return decodeDetail(h, observables, { comments, alerts, events, attachments });
      }),
    );
  }

  /** Everything about a case: `GET /api/cases/{id}` and cases.getCase. */
  async getWithComments(id: string): Promise<CaseFull | null> {
    const detail = await this.detail(id);
    if (!detail) return null;
    const [comments, alerts, events, attachments] = await Promise.all([this.comments(id), this.alerts(id), this.events(id), this.attachments(id)]);
    return { ...detail, comments, alerts, events, attachments };
  }

  /** Attached alerts, oldest first. */
  async alerts(id: string): Promise<CaseAlert[]> {
    return byTime(await this.redis.hvals(this.keys.caseAlerts(id)), (a: CaseAlert) => a.attachedAt + a.alertId);
  }

  async events(id: string): Promise<CaseEvent[]> {
    return byTime(await this.redis.hvals(this.keys.caseEvents(id)), (e: CaseEvent) => e.attachedAt + e.eventId);
  }

  /** Attachments of other types (cases.addAttachments), oldest first. */
  async attachments(id: string): Promise<CaseAttachment[]> {
    return byTime(await this.redis.hvals(this.keys.caseAttachments(id)), (t: CaseAttachment) => t.attachedAt + t.id);
  }

  async comments(id: string): Promise<CaseComment[]> {
    const all = Object.values(await this.redis.hgetall(this.keys.caseComments(id))).map((j) => JSON.parse(j) as CaseComment);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Adds a comment; null when the case does not exist. With `opKey`, a repeat returns the first comment. */
  async addComment(caseId: string, input: { comment: string; author: string; opKey?: string }): Promise<CaseComment | null> {
    const id = input.opKey ? deterministicId(input.opKey) : randomUUID();
    const comment: CaseComment = { id, case_id: caseId, comment: input.comment, author: input.author, createdAt: new Date().toISOString() };
    const reply = await runScript(this.redis, 'fgCaseWrite', [this.keys.case(caseId), this.keys.caseComments(caseId)], ['comment', id, JSON.stringify(comment), comment.createdAt]);
    if (Number(reply[0]) === 0) return null;
    if (Number(reply[0]) === 2) return JSON.parse((await this.redis.hget(this.keys.caseComments(caseId), id))!);
    return comment;
  }

  async setStatus(caseId: string, status: CaseStatus): Promise<Case | null> {
    const reply = await runScript(this.redis, 'fgCaseWrite', [this.keys.case(caseId), this.keys.caseComments(caseId)], ['status', status, new Date().toISOString()]);
    return Number(reply[0]) === 0 ? null : decodeFlat(reply[1] as unknown as string[]);
  }

  /* ---------- Kibana's case catalog (case-writes.ts): each null when the case does not exist ---------- */

  private async afterWrite(id: string, result: MutateResult | null): Promise<CaseDetail | null> {
    return result ? this.detail(id) : null;
  }

  /** Sets fields; tags, assignees and custom fields given replace the case's. */
  async update(id: string, change: CaseUpdate, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'set', updatePayload(change), opKey));
  }

  async changeTags(id: string, change: { add: string[] } | { remove: string[] }, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'tags', { ...change, maxTags: CASE_LIMITS.tags }, opKey));
  }

  async changeAssignees(id: string, change: { add: string[] } | { remove: string[] } | { clear: true }, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'assignees', { ...change, maxAssignees: CASE_LIMITS.assignees }, opKey));
  }

  async setCustomField(id: string, field: CaseCustomField, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'customField', { key: field.key, entry: JSON.stringify(field), maxCustomFields: CASE_LIMITS.customFields }, opKey));
  }

  /** Attaches comments, alerts, events, observables and other attachments; what the case holds already is kept. */
  async attach(id: string, items: Attachments, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'attach', attachPayload(id, items, itemIds(deterministicId, opKey)), opKey));
  }

  async updateObservable(id: string, observableId: string, change: { value: string; description?: string | null }, opKey?: string): Promise<CaseDetail | null> {
    const payload = { id: observableId, value: change.value, description: change.description ?? null, hasDescription: change.description !== undefined };
    return this.afterWrite(id, await mutateCase(this, id, 'observable', payload, opKey));
  }

  async deleteObservable(id: string, observableId: string, opKey?: string): Promise<CaseDetail | null> {
    return this.afterWrite(id, await mutateCase(this, id, 'unobserve', { id: observableId }, opKey));
  }

  /**
   * Deletes a case, its comments and attachments, and its index entries; false when it does not exist
   * (true for the step that deleted it, run again within 24 h: the tombstone remembers its op key).
   */
  async delete(id: string, opKey?: string): Promise<boolean> {
    const result = await mutateCase(this, id, 'delete', {}, opKey);
    if (!result) return false;
    if (result.applied) await this.redis.zrem(this.keys.cases(), `${Date.parse(result.record.createdAt)}:${id}`);
    return true;
  }

  find(query: CaseQuery): Promise<CasePage> {
    return findCases(this, query);
  }

  findSimilar(id: string, page: number, perPage: number): Promise<SimilarPage | null> {
    return findSimilarCases(this, id, page, perPage);
  }

  byAlert(alertId: string): Promise<RelatedCase[]> {
    return casesByAlert(this, alertId);
  }

  /** Newest first; filter by status; the cursor is opaque. */
  async list(query: { status?: string; limit: number; cursor?: string }): Promise<{ results: Case[]; nextCursor: string | null }> {
    const results: Case[] = [];
    let cursor = query.cursor;
    for (let round = 0; round < 20 && results.length < query.limit; round++) {
      const batch = Math.max(query.limit + 1, 50);
      const members = await this.redis.zrevrangebylex(this.keys.cases(), cursor ? `(${cursor}` : '+', '-', 'LIMIT', 0, batch);
      const cases = await Promise.all(members.map((m) => this.get(m.slice(m.indexOf(':') + 1))));
      for (let i = 0; i < members.length; i++) {
        cursor = members[i];
        const c = cases[i];
        if (!c || (query.status && c.status !== query.status)) continue;
        results.push(c);
        if (results.length === query.limit) return { results, nextCursor: i < members.length - 1 || members.length === batch ? cursor : null };
      }
      if (members.length < batch) return { results, nextCursor: null };
    }
    return { results, nextCursor: cursor ?? null };
  }
}
