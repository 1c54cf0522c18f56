/**
 * The reviewer's queue, pure: which waiting rows the inbox shows (filters, search), in which order
 * (deadline, severity or age) and how requests raised by one alert are grouped. No React here.
 */
import type { ExecutionRow, Severity } from '../lib/api';

export type InboxSort = 'deadline' | 'severity' | 'age';

export const INBOX_SORTS: { value: InboxSort; label: string }[] = [
  { value: 'deadline', label: 'Deadline (soonest first)' },
  { value: 'severity', label: 'Severity (highest first)' },
  { value: 'age', label: 'Age (oldest first)' },
];

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export interface InboxFilters {
  /** the search box: a case-insensitive substring of host, user, rule, alert id, execution id, workflow or title */
  q: string;
  /** a workflow id ('' = all) */
  workflow: string;
  /** severities shown (empty = all) */
  severity: Severity[];
  /** an exact host, case-insensitive ('' = all) */
  host: string;
  /** an exact rule name, case-insensitive ('' = all) */
  rule: string;
}

export const NO_FILTERS: InboxFilters = { q: '', workflow: '', severity: [], host: '', rule: '' };

export const hasFilters = (f: InboxFilters): boolean => !!(f.q.trim() || f.workflow || f.severity.length || f.host || f.rule);

/** The triage context of a row: the wait's context when there is one, else the execution's summary. */
export function contextOf(row: ExecutionRow) {
  const c = row.waitingFor?.context;
  const s = row.summary;
  return {
    host: c?.host ?? s?.host ?? null,
    user: c?.user ?? s?.user ?? null,
    rule: c?.rule ?? s?.rule ?? null,
    severity: c?.severity ?? s?.severity ?? null,
    riskScore: c?.riskScore ?? s?.riskScore ?? null,
    alertId: c?.alertId ?? s?.alertId ?? null,
    group: c?.group ?? row.group ?? row.id,
    ai: c?.ai ?? null,
  };
}

export const groupOf = (row: ExecutionRow): string => contextOf(row).group;

const SEVERITY_RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const sevRank = (row: ExecutionRow) => SEVERITY_RANK[contextOf(row).severity ?? ''] ?? 0;
const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const sinceOf = (row: ExecutionRow) => time(row.waitingFor?.since ?? row.createdAt);

function byAge(a: ExecutionRow, b: ExecutionRow): number {
  return sinceOf(a) - sinceOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Soonest deadline first; rows without a deadline after all those with one, oldest first. */
function byDeadline(a: ExecutionRow, b: ExecutionRow): number {
  const da = time(a.waitingFor?.deadline);
  const db = time(b.waitingFor?.deadline);
  const ha = !Number.isNaN(da);
  const hb = !Number.isNaN(db);
  if (ha && hb && da !== db) return da - db;
  if (ha !== hb) return ha ? -1 : 1;
  return byAge(a, b);
}

/** Highest severity first, then the highest risk score, then the soonest deadline. */
function bySeverity(a: ExecutionRow, b: ExecutionRow): number {
  const d = sevRank(b) - sevRank(a);
  if (d) return d;
  const ra = contextOf(a).riskScore ?? -1;
  const rb = contextOf(b).riskScore ?? -1;
  return rb - ra || byDeadline(a, b);
}

export const COMPARE: Record<InboxSort, (a: ExecutionRow, b: ExecutionRow) => number> = { deadline: byDeadline, severity: bySeverity, age: byAge };

export function sortRows(rows: readonly ExecutionRow[], sort: InboxSort = 'deadline'): ExecutionRow[] {
  return [...rows].sort(COMPARE[sort] ?? byDeadline);
}

const eq = (a: string | null, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

export function matchesFilters(row: ExecutionRow, f: InboxFilters): boolean {
  const c = contextOf(row);
  if (f.workflow && row.workflowId !== f.workflow) return false;
  if (f.severity.length && !(c.severity && f.severity.includes(c.severity))) return false;
  if (f.host && !eq(c.host, f.host)) return false;
  if (f.rule && !eq(c.rule, f.rule)) return false;
  const q = f.q.trim().toLowerCase();
  if (q) {
    const hay = [c.host, c.user, c.rule, c.alertId, row.id, row.workflowName, row.workflowId, row.waitingFor?.title, c.ai?.category];
    if (!hay.some((v) => typeof v === 'string' && v.toLowerCase().includes(q))) return false;
  }
  return true;
}

export function filterRows(rows: readonly ExecutionRow[], f: InboxFilters): ExecutionRow[] {
  return hasFilters(f) ? rows.filter((r) => matchesFilters(r, f)) : [...rows];
}

/** Requests raised by one alert, shown together. */
export interface InboxGroup {
  key: string;
  rows: ExecutionRow[];
  alertId: string | null;
  host: string | null;
  rule: string | null;
}

/**
 * Groups sorted rows by their alert group; a group takes the place of its first (best-ranked) row
 * and keeps its rows in the sorted order.
 */
export function groupRows(sorted: readonly ExecutionRow[]): InboxGroup[] {
  const groups = new Map<string, InboxGroup>();
  for (const r of sorted) {
    const c = contextOf(r);
    let g = groups.get(c.group);
    if (!g) {
      g = { key: c.group, rows: [], alertId: c.alertId, host: c.host, rule: c.rule };
      groups.set(c.group, g);
    }
    g.rows.push(r);
    g.alertId ??= c.alertId;
    g.host ??= c.host;
    g.rule ??= c.rule;
  }
  return [...groups.values()];
}

/** The rows in the order the inbox shows them: filtered, sorted, each alert's requests together. */
export function queueOf(rows: readonly ExecutionRow[], filters: InboxFilters = NO_FILTERS, sort: InboxSort = 'deadline'): ExecutionRow[] {
  return groupRows(sortRows(filterRows(rows, filters), sort)).flatMap((g) => g.rows);
}

/** The waiting rows in the inbox's default order (deadline first, alerts grouped), no filters. */
export const orderedWaiting = (rows: readonly ExecutionRow[]): ExecutionRow[] => queueOf(rows.filter((r) => r.status === 'WAITING_FOR_INPUT'));

/** The next request after `currentId` in `queue` (wrapping round), never `currentId` itself; null when none is left. */
export function nextInQueue(queue: readonly ExecutionRow[], currentId: string | null | undefined): ExecutionRow | null {
  const i = currentId ? queue.findIndex((r) => r.id === currentId) : -1;
  const order = i >= 0 ? [...queue.slice(i + 1), ...queue.slice(0, i)] : queue;
  return order.find((r) => r.id !== currentId) ?? null;
}

/** Distinct values (as first seen, case-insensitively) for the filter menus, sorted. */
export function distinct(values: (string | null | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const v of values) if (v && !seen.has(v.toLowerCase())) seen.set(v.toLowerCase(), v);
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}
