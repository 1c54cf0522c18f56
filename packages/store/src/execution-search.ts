/**
 * Searching executions by what they are about (docs/api.md "Executions"): the summary read
 * from the event at creation (host, user, rule, severity, alert id) and a time range. No secondary
 * index: a search reads at most SEARCH_SCAN executions' status, workflow and summary fields, newest
 * (or oldest) first within the time range, and says when it stopped there (`truncated`).
 */
import { encodeTime } from 'ulid';
import type { ExecutionSummary } from '@flowgate/engine';

export const SEARCH_SCAN = 5000;

export interface ExecutionSearch {
  /** case-insensitive part of host, user, rule, alert id or execution id */
  q?: string;
  severities?: string[];
  /** exact, any case */
  host?: string;
  rule?: string;
}

export function hasSearch(s: ExecutionSearch | undefined): s is ExecutionSearch {
  return !!s && (!!s.q || !!s.severities?.length || !!s.host || !!s.rule);
}

const lower = (v: string | null | undefined) => (v ?? '').toLowerCase();

export function matchesSearch(id: string, summary: ExecutionSummary | null, search: ExecutionSearch): boolean {
  const s = summary ?? { host: null, user: null, rule: null, severity: null, riskScore: null, alertId: null };
  if (search.severities?.length && !(s.severity && search.severities.includes(s.severity))) return false;
  if (search.host && lower(s.host) !== search.host.toLowerCase()) return false;
  if (search.rule && lower(s.rule) !== search.rule.toLowerCase()) return false;
  if (search.q) {
    const q = search.q.toLowerCase();
    if (![s.host, s.user, s.rule, s.alertId, id].some((v) => lower(v).includes(q))) return false;
  }
  return true;
}

/**
 * Execution ids are ULIDs: their first 10 characters are the creation time. The lexicographic bounds
 * of a [from, to) time range in an id index, for ZRANGEBYLEX.
 */
export function timeBounds(from: number | undefined, to: number | undefined): { min: string; max: string } {
  return {
    min: from === undefined ? '-' : `[${encodeTime(clampTime(from), 10)}`,
    max: to === undefined ? '+' : `(${encodeTime(clampTime(to), 10)}`,
  };
}

/** ULID times are 48-bit milliseconds. */
function clampTime(ms: number): number {
  return Math.min(Math.max(0, Math.floor(ms)), 2 ** 48 - 1);
}
