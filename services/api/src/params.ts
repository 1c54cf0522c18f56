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
