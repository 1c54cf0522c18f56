import { createHash, randomUUID } from 'node:crypto';
import { Keys } from './keys';
import { runScript, type RedisClient } from './scripts';

export const CASE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const CASE_STATUSES = ['open', 'in-progress', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface Case {
  id: string;
  title: string;
  description: string | null;
  severity: string;
  status: CaseStatus;
  tags: string[];
  executionId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseComment {
  id: string;
  case_id: string;
  comment: string;
  author: string;
  createdAt: string;
}

/** A UUID derived from a step's `<executionId>/<path>`: the same step run twice writes the same object. */
export function deterministicId(opKey: string): string {
  const h = createHash('sha256').update(opKey).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function decodeCase(flat: string[]): Case {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return {
    id: h.id,
    title: h.title,
    description: h.description === '' || h.description === undefined ? null : h.description,
    severity: h.severity,
    status: h.status as CaseStatus,
    tags: JSON.parse(h.tags || '[]'),
    executionId: h.executionId || null,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
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
    const created = decodeCase(reply[1] as unknown as string[]);
    if (input.opKey) await this.redis.zadd(this.keys.cases(), 0, member(created.createdAt));
    return created;
  }

  async get(id: string): Promise<Case | null> {
    const h = await this.redis.hgetall(this.keys.case(id));
    return h.id ? decodeCase(Object.entries(h).flat()) : null;
  }

  async getWithComments(id: string): Promise<(Case & { comments: CaseComment[] }) | null> {
    const c = await this.get(id);
    if (!c) return null;
    return { ...c, comments: await this.comments(id) };
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
    return Number(reply[0]) === 0 ? null : decodeCase(reply[1] as unknown as string[]);
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
