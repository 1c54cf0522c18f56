/** Query parameters shared by the list endpoints (docs/api.md): each read once, a bad value a 400 naming it. */
import type { Request } from 'express';
import { EXECUTION_STATUSES, parseStatusList, type ExecutionStatus } from '@flowgate/engine';
import { badRequest } from './errors';

/** One query parameter as a string; repeated parameters are a 400. */
export function queryParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`query parameter "${name}" must be given once, as text`, [{ parameter: name }]);
  return v;
}

/** `limit`: an integer 1–500 (default 50). */
export function limitParam(req: Request, max = 500, fallback = 50): number {
  const text = queryParam(req, 'limit');
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > max) {
    throw badRequest(`query parameter "limit" must be an integer from 1 to ${max}, got "${text}"`, [{ parameter: 'limit', value: text }]);
  }
  return Number(text);
}

/** `status`: comma-separated execution statuses, any case. */
export function statusParam(req: Request): ExecutionStatus[] | undefined {
  const status = queryParam(req, 'status');
  if (status === undefined || status.trim() === '') return undefined;
  const { statuses, unknown } = parseStatusList(status);
  if (unknown.length > 0) {
    throw badRequest(`query parameter "status": unknown status ${unknown.map((u) => `"${u}"`).join(', ')} (one of ${EXECUTION_STATUSES.join(', ')})`, [{ parameter: 'status', value: status }]);
  }
  return statuses;
}

/** `workflowId`: one workflow id. */
export function workflowIdParam(req: Request): string | undefined {
  const workflowId = queryParam(req, 'workflowId');
  if (workflowId === undefined || workflowId === '') return undefined;
  if (!/^[a-z0-9][a-z0-9_-]{0,127}$/.test(workflowId)) throw badRequest(`query parameter "workflowId": "${workflowId}" is not a workflow id`, [{ parameter: 'workflowId', value: workflowId }]);
  return workflowId;
}

/** `order`: `desc` (default) or `asc`. */
export function orderParam(req: Request): 'asc' | 'desc' {
  const order = queryParam(req, 'order');
  if (order === undefined || order === '') return 'desc';
  const o = order.toLowerCase();
  if (o !== 'asc' && o !== 'desc') throw badRequest(`query parameter "order" must be "asc" or "desc", got "${order}"`, [{ parameter: 'order', value: order }]);
  return o;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** `from`/`to`: an ISO 8601 date (UTC midnight) or date and time with `Z` or an offset; answered as UTC ISO. */
export function timeParam(req: Request, name: string): string | undefined {
  const text = queryParam(req, name);
  if (text === undefined || text === '') return undefined;
  const ms = ISO_TIME.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) {
    throw badRequest(`query parameter "${name}" must be an ISO 8601 date or time with a zone, such as 2026-01-31 or 2026-01-31T09:15:00Z, got "${text}"`, [{ parameter: name, value: text }]);
  }
  return new Date(ms).toISOString();
}

/** `from` (inclusive) and `to` (exclusive) on createdAt, `from` before `to`. */
export function timeRangeParams(req: Request): { from?: string; to?: string } {
  const from = timeParam(req, 'from');
  const to = timeParam(req, 'to');
  if (from && to && from >= to) throw badRequest(`query parameter "from" (${from}) must be earlier than "to" (${to})`, [{ parameter: 'from', value: from }]);
  return { from, to };
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const SEARCH_TEXT_MAX = 200;

function searchText(req: Request, name: string): string | undefined {
  const text = queryParam(req, name)?.trim();
  if (text === undefined || text === '') return undefined;
  if ([...text].length > SEARCH_TEXT_MAX) throw badRequest(`query parameter "${name}" is longer than ${SEARCH_TEXT_MAX} characters`, [{ parameter: name }]);
  return text;
}

/** `q`, `severity`, `host`, `rule`: a search of the executions' summaries (docs/api.md "Executions"). */
export function searchParams(req: Request): { q?: string; severities?: string[]; host?: string; rule?: string } {
  const out: { q?: string; severities?: string[]; host?: string; rule?: string } = {};
  for (const name of ['q', 'host', 'rule'] as const) {
    const v = searchText(req, name);
    if (v !== undefined) out[name] = v;
  }
  const severity = queryParam(req, 'severity');
  if (severity !== undefined && severity.trim() !== '') {
    const list = severity.split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
    const unknown = list.filter((v) => !SEVERITIES.includes(v));
    if (unknown.length > 0) throw badRequest(`query parameter "severity": unknown severity ${unknown.map((u) => `"${u}"`).join(', ')} (one of ${SEVERITIES.join(', ')})`, [{ parameter: 'severity', value: severity }]);
    out.severities = [...new Set(list)];
  }
  return out;
}
