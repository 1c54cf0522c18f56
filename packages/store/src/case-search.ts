/**
 * Reading cases by what they hold (Kibana's cases.findCases, cases.findSimilarCases,
 * cases.getCasesByAlertId). Index entries are hints (case-index.ts): every candidate is checked
 * against the case itself, and entries found stale are removed.
 */
import { dropStale, readIndex } from './case-index';
import { decodeCase, type CaseHash } from './case-codec';
import { CASE_STATUSES, type Case, type CaseDetail, type CaseObservable, type CustomFieldValue } from './case-types';
import type { Keys } from './keys';
import { sendAllOrThrow, type Command } from './multi-slot';
import type { RedisClient } from './scripts';

interface Ctx {
  redis: RedisClient;
  keys: Keys;
  details(ids: string[]): Promise<(CaseDetail | null)[]>;
}

/** findCases reads at most this many cases (the newest), like Kibana's window of 10,000 documents. */
export const FIND_SCAN_LIMIT = 10_000;
/** findCases and findSimilarCases answer at most this many cases per page. */
export const MAX_PER_PAGE = 100;
/** findSimilarCases checks at most this many candidates, those sharing the most by the indexes. */
export const SIMILAR_CANDIDATE_LIMIT = 500;

export const CASE_SORT_FIELDS = ['createdAt', 'updatedAt', 'closedAt', 'title', 'severity', 'status', 'category'] as const;
export type CaseSortField = (typeof CASE_SORT_FIELDS)[number];

export interface CaseQuery {
  status?: string[];
  severity?: string[];
  tags?: string[];
  assignees?: string[];
  category?: string[];
  search?: string;
  searchFields?: ('title' | 'description')[];
  /** how the words of `search` combine (Kibana's defaultSearchOperator): OR by default */
  operator?: 'AND' | 'OR';
  /** createdAt bounds, ms */
  from?: number;
  to?: number;
  customFields?: Record<string, CustomFieldValue[]>;
  sortField?: CaseSortField;
  sortOrder?: 'asc' | 'desc';
  page: number;
  perPage: number;
}

export interface CasePage {
  cases: CaseDetail[];
  page: number;
  per_page: number;
  total: number;
  count_open_cases: number;
  count_in_progress_cases: number;
  count_closed_cases: number;
}

/** Kibana's built-in observable types, for the labels of similarities. */
export const OBSERVABLE_TYPE_LABELS: Record<string, string> = {
  'observable-type-ipv4': 'IPv4',
  'observable-type-ipv6': 'IPv6',
  'observable-type-url': 'URL',
  'observable-type-hostname': 'Host name',
  'observable-type-file-hash': 'File hash',
  'observable-type-file-path': 'File path',
  'observable-type-email': 'Email',
  'observable-type-domain': 'Domain',
  'observable-type-agent-id': 'Agent id',
};

async function hashesOf(ctx: Ctx, ids: string[]): Promise<CaseHash[]> {
  return (await sendAllOrThrow(ctx.redis, ids.map((id): Command => ['hgetall', ctx.keys.case(id)]))) as CaseHash[];
}

const SEVERITY_RANK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function sortValue(h: CaseHash, field: CaseSortField): string | number {
  if (field === 'severity') return SEVERITY_RANK[h.severity] ?? -1;
  if (field === 'status') return (CASE_STATUSES as readonly string[]).indexOf(h.status);
  return h[field] ?? '';
}

function listOf(text: string | undefined): string[] {
  try {
    const v = JSON.parse(text || '[]');
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

/** Whether a case hash matches every filter but status (the status counts are of these cases). */
function matches(h: CaseHash, q: CaseQuery): boolean {
  if (q.severity && !q.severity.includes(h.severity)) return false;
  if (q.tags) {
    const tags = listOf(h.tags);
    if (!q.tags.some((t) => tags.includes(t))) return false;
  }
  if (q.assignees) {
    const assignees = listOf(h.assignees);
    if (!q.assignees.some((a) => assignees.includes(a))) return false;
  }
  if (q.category && !q.category.includes(h.category ?? '')) return false;
  const created = Date.parse(h.createdAt);
  if (q.from !== undefined && !(created >= q.from)) return false;
  if (q.to !== undefined && !(created <= q.to)) return false;
  if (q.customFields) {
    for (const [key, values] of Object.entries(q.customFields)) {
      const entry = h[`cf:${key}`];
      const value = entry === undefined ? null : (JSON.parse(entry) as { value: CustomFieldValue }).value;
      if (!values.some((v) => v === value)) return false;
    }
  }
  if (q.search && q.search.trim()) {
    const fields = q.searchFields?.length ? q.searchFields : ['title', 'description'];
    const text = fields.map((f) => h[f] ?? '').join('\n').toLowerCase();
    const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
    const found = words.map((w) => text.includes(w));
    if (q.operator === 'AND' ? !found.every(Boolean) : !found.some(Boolean)) return false;
  }
  return true;
}

/** Candidate ids: the cases of the given tags (their index), else the newest cases. */
async function candidates(ctx: Ctx, q: CaseQuery): Promise<string[]> {
  if (q.tags?.length) {
    const lists = await sendAllOrThrow(ctx.redis, q.tags.map((t): Command => ['zrevrange', ctx.keys.casesByTag(t), 0, FIND_SCAN_LIMIT - 1]));
    return [...new Set((lists as string[][]).flat())].slice(0, FIND_SCAN_LIMIT);
  }
  const members = await ctx.redis.zrevrangebylex(ctx.keys.cases(), '+', '-', 'LIMIT', 0, FIND_SCAN_LIMIT);
  return members.map((m) => m.slice(m.indexOf(':') + 1));
}

export async function findCases(ctx: Ctx, q: CaseQuery): Promise<CasePage> {
  const ids = await candidates(ctx, q);
  const hashes = (await hashesOf(ctx, ids)).filter((h) => h && h.id && matches(h, q));
  const counts = { open: 0, 'in-progress': 0, closed: 0 } as Record<string, number>;
  for (const h of hashes) counts[h.status] = (counts[h.status] ?? 0) + 1;
  const found = q.status ? hashes.filter((h) => q.status!.includes(h.status)) : hashes;
  const field = q.sortField ?? 'createdAt';
  const sign = (q.sortOrder ?? 'desc') === 'asc' ? 1 : -1;
  found.sort((a, b) => {
    const x = sortValue(a, field);
    const y = sortValue(b, field);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * order || sign * a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
  });
  const pageIds = found.slice((q.page - 1) * q.perPage, q.page * q.perPage).map((h) => h.id);
  return {
    cases: (await ctx.details(pageIds)).filter((c): c is CaseDetail => c !== null),
    page: q.page,
    per_page: q.perPage,
    total: found.length,
    count_open_cases: counts.open ?? 0,
    count_in_progress_cases: counts['in-progress'] ?? 0,
    count_closed_cases: counts.closed ?? 0,
  };
}

export interface Similarities {
  observables: { typeKey: string; typeLabel: string; value: string }[];
  tags: string[];
}

export interface SimilarPage {
  cases: (CaseDetail & { similarities: Similarities })[];
  page: number;
  per_page: number;
  total: number;
}

/** Counts, per other case, the index entries it shares with the source's observables and tags. */
async function sharedByIndex(ctx: Ctx, caseId: string, fps: string[], tags: string[]): Promise<Map<string, { fps: string[]; tags: string[] }>> {
  const keys = [...fps.map((f) => ctx.keys.casesByObservable(f)), ...tags.map((t) => ctx.keys.casesByTag(t))];
  const lists = (await sendAllOrThrow(ctx.redis, keys.map((k): Command => ['zrevrange', k, 0, 999]))) as string[][];
  const shared = new Map<string, { fps: string[]; tags: string[] }>();
  lists.forEach((ids, i) => {
    for (const id of ids) {
      if (id === caseId) continue;
      const s = shared.get(id) ?? { fps: [], tags: [] };
      if (i < fps.length) s.fps.push(fps[i]);
      else s.tags.push(tags[i - fps.length]);
      shared.set(id, s);
    }
  });
  return shared;
}

/**
 * Cases sharing observables (same typeKey and value) or tags with a case, most shared first (then the
 * newest); null when the case does not exist.
 */
export async function findSimilarCases(ctx: Ctx, caseId: string, page: number, perPage: number): Promise<SimilarPage | null> {
  const { redis, keys } = ctx;
  const [h, byFp, observableJson] = await Promise.all([redis.hgetall(keys.case(caseId)), redis.hgetall(keys.caseObservableValues(caseId)), redis.hgetall(keys.caseObservables(caseId))]);
  if (!h.id) return null;
  const source = decodeCase(h);
  const fps = Object.keys(byFp);
  const observableOf = (fp: string): CaseObservable => JSON.parse(observableJson[byFp[fp]] ?? '{}') as CaseObservable;
  const byIndex = [...(await sharedByIndex(ctx, caseId, fps, source.tags)).entries()]
    .sort((a, b) => b[1].fps.length + b[1].tags.length - (a[1].fps.length + a[1].tags.length))
    .slice(0, SIMILAR_CANDIDATE_LIMIT);

  // Check each candidate against itself: which of those values it really holds now.
  const checked = await Promise.all(
    byIndex.map(async ([id, claimed]) => {
      const [held, tagsText] = await Promise.all([
        claimed.fps.length ? redis.hmget(keys.caseObservableValues(id), ...claimed.fps) : Promise.resolve([] as (string | null)[]),
        redis.hget(keys.case(id), 'tags'),
      ]);
      const tags = tagsText === null ? null : listOf(tagsText);
      const sharedFps = claimed.fps.filter((_, i) => held[i] !== null);
      const sharedTags = tags ? claimed.tags.filter((t) => tags.includes(t)) : [];
      const stale = [...claimed.fps.filter((_, i) => held[i] === null).map((f) => keys.casesByObservable(f)), ...claimed.tags.filter((t) => !sharedTags.includes(t)).map((t) => keys.casesByTag(t))];
      await Promise.all(stale.map((k) => dropStale(redis, k, [id])));
      return { id, fps: sharedFps, tags: sharedTags };
    }),
  );
  const ranked = checked.filter((c) => c.fps.length + c.tags.length > 0);
  const details = await ctx.details(ranked.map((c) => c.id));
  const similar = ranked
    .map((c, i) => ({ c, d: details[i] }))
    .filter((x): x is { c: (typeof ranked)[number]; d: CaseDetail } => x.d !== null)
    .sort((a, b) => b.c.fps.length + b.c.tags.length - (a.c.fps.length + a.c.tags.length) || b.c.fps.length - a.c.fps.length || b.d.createdAt.localeCompare(a.d.createdAt));
  return {
    cases: similar.slice((page - 1) * perPage, page * perPage).map(({ c, d }) => ({
      ...d,
      similarities: {
        observables: c.fps.map((fp) => {
          const o = observableOf(fp);
          return { typeKey: o.typeKey, typeLabel: OBSERVABLE_TYPE_LABELS[o.typeKey] ?? o.typeKey, value: o.value };
        }),
        tags: c.tags,
      },
    })),
    page,
    per_page: perPage,
    total: similar.length,
  };
}

/** Kibana's RelatedCase: a case an alert is attached to. */
export interface RelatedCase {
  id: string;
  title: string;
  description: string | null;
  status: string;
  createdAt: string;
  totals: { alerts: number; userComments: number };
}

/** The cases an alert is attached to, the latest attached first. */
export async function casesByAlert(ctx: Ctx, alertId: string): Promise<RelatedCase[]> {
  const key = ctx.keys.casesByAlert(alertId);
  const ids = await readIndex(ctx.redis, key);
  const rows = await Promise.all(
    ids.map(async (id) => {
      const replies = await ctx.redis
        .pipeline()
        .hexists(ctx.keys.caseAlerts(id), alertId)
        .hgetall(ctx.keys.case(id))
        .hlen(ctx.keys.caseAlerts(id))
        .hlen(ctx.keys.caseComments(id))
        .exec();
      const [attached, h, alerts, comments] = (replies ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      }) as [number, Record<string, string>, number, number];
      if (!attached || !h.id) return { id, stale: true as const };
      const c: Case = decodeCase(h);
      const related: RelatedCase = { id, title: c.title, description: c.description, status: c.status, createdAt: c.createdAt, totals: { alerts, userComments: comments } };
      return related;
    }),
  );
  await dropStale(ctx.redis, key, rows.filter((r) => 'stale' in r).map((r) => r.id));
  return rows.filter((r): r is RelatedCase => !('stale' in r));
}

