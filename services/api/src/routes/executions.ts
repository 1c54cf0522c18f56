import { Router, type Request, type Response } from 'express';
import { EXECUTION_STATUSES, parseStatusList, type ExecutionStatus } from '@flowgate/engine';
import { cancelExecution, resumeExecution, type ResumeResult, type Runtime } from '@flowgate/executor';
import { isPlainObject } from '@flowgate/template';
import { callerOf, type Authenticator, type Caller } from '../auth';
import { describe, jsonBody, MiB, rawBody, param } from '../body';
import { ApiError, asyncHandler, badRequest, notFound } from '../errors';
import { executionRow, executionView, iso } from '../render';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

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

interface ListParams {
  statuses?: ExecutionStatus[];
  workflowId?: string;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

export function listParams(req: Request): ListParams {
  const out: ListParams = { order: 'desc', limit: limitParam(req) };
  const status = queryParam(req, 'status');
  if (status !== undefined && status.trim() !== '') {
    const { statuses, unknown } = parseStatusList(status);
    if (unknown.length > 0) {
      throw badRequest(`query parameter "status": unknown status ${unknown.map((u) => `"${u}"`).join(', ')} (one of ${EXECUTION_STATUSES.join(', ')})`, [{ parameter: 'status', value: status }]);
    }
    out.statuses = statuses;
  }
  const workflowId = queryParam(req, 'workflowId');
  if (workflowId !== undefined && workflowId !== '') {
    if (!/^[a-z0-9][a-z0-9_-]{0,127}$/.test(workflowId)) throw badRequest(`query parameter "workflowId": "${workflowId}" is not a workflow id`, [{ parameter: 'workflowId', value: workflowId }]);
    out.workflowId = workflowId;
  }
  const order = queryParam(req, 'order');
  if (order !== undefined && order !== '') {
    const o = order.toLowerCase();
    if (o !== 'asc' && o !== 'desc') throw badRequest(`query parameter "order" must be "asc" or "desc", got "${order}"`, [{ parameter: 'order', value: order }]);
    out.order = o;
  }
  const cursor = queryParam(req, 'cursor');
  if (cursor !== undefined && cursor !== '') {
    if (!ULID.test(cursor)) throw badRequest(`query parameter "cursor": "${cursor}" is not a cursor returned by this endpoint`, [{ parameter: 'cursor', value: cursor }]);
    out.cursor = cursor;
  }
  return out;
}

/** Records an attempt that changed nothing on the wait the execution is at (docs/semantics.md "Waiting for a human" responses). */
async function recordRefusal(rt: Runtime, id: string, by: string, code: number): Promise<void> {
  const exec = await rt.executions.load(id);
  if (exec && exec.status === 'WAITING_FOR_INPUT' && exec.waitingFor) {
    await rt.executions.appendResponse(id, exec.waitingFor.step, { by, at: new Date().toISOString(), accepted: false, code });
  }
}

function sendResume(res: Response, id: string, result: ResumeResult): void {
  if (result.ok) {
    res.json({ executionId: result.executionId, status: result.status, step: result.step });
    return;
  }
  if (result.code === 'not_found') throw notFound(`no execution "${id}"`);
  if (result.code === 'validation_failed') {
    throw new ApiError('validation_failed', `the answer does not match the schema of step "${result.step}": ${result.errors.map((e) => e.message).join('; ')}`, result.errors);
  }
  const details = [{ status: result.status, step: result.step, respondedBy: result.respondedBy ?? null, respondedAt: iso(result.respondedAt) }];
  if (result.code === 'step_not_waiting') {
    throw new ApiError('step_not_waiting', `the step is not waiting (execution is ${result.status}${result.step ? ` at "${result.step}"` : ''})`, details);
  }
  throw new ApiError('not_waiting', `execution is ${result.status}`, details);
}

export function executionsRouter(deps: { rt: Runtime; auth: Authenticator }): Router {
  const { rt, auth } = deps;
  const r = Router({ caseSensitive: true });
  const body = rawBody(MiB);
  const onForbidden = (req: Request, caller: Caller) => recordRefusal(rt, param(req, 'id'), caller.name, 403);

  r.get(
    '/api/workflowExecutions',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const p = listParams(req);
      const page = await rt.executions.list({ statuses: p.statuses, workflowId: p.workflowId, order: p.order, limit: p.limit, cursor: p.cursor });
      res.json({ results: page.results.map(executionRow), nextCursor: page.nextCursor ?? null });
    }),
  );

  r.get(
    '/api/workflowExecutions/:id',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const [exec, { records, responses }] = await Promise.all([rt.executions.load(param(req, 'id')), rt.executions.loadRecords(param(req, 'id'))]);
      if (!exec) throw notFound(`no execution "${param(req, 'id')}"`);
      res.json(executionView(exec, records, responses));
    }),
  );

  /** `?step=<path>`: the wait the answer is meant for. */
  const stepParam = (req: Request) => {
    const step = queryParam(req, 'step');
    return step === undefined || step === '' ? undefined : step;
  };

  // docs/semantics.md "Waiting for a human": on this path the JSON object body IS the answer, never unwrapped.
  r.post(
    '/api/workflowExecutions/:id/resume',
    auth.require('review', onForbidden),
    body,
    asyncHandler(async (req, res) => {
      const caller = callerOf(res);
      const step = stepParam(req);
      let answer: unknown;
      try {
        answer = jsonBody(req);
      } catch (err) {
        await recordRefusal(rt, param(req, 'id'), caller.name, 400);
        throw err;
      }
      if (!isPlainObject(answer)) {
        await recordRefusal(rt, param(req, 'id'), caller.name, 400);
        throw badRequest(`the answer must be a JSON object, got ${describe(answer)}`);
      }
      sendResume(res, param(req, 'id'), await resumeExecution(rt, param(req, 'id'), answer, caller.name, step));
    }),
  );

  // Kibana's path: the answer is the body's `input`, which must be an object.
  r.post(
    '/api/workflows/executions/:id/resume',
    auth.require('review', onForbidden),
    body,
    asyncHandler(async (req, res) => {
      const caller = callerOf(res);
      const step = stepParam(req);
      let payload: unknown;
      try {
        payload = jsonBody(req);
      } catch (err) {
        await recordRefusal(rt, param(req, 'id'), caller.name, 400);
        throw err;
      }
      if (!isPlainObject(payload) || !isPlainObject(payload.input)) {
        await recordRefusal(rt, param(req, 'id'), caller.name, 400);
        throw badRequest(
          isPlainObject(payload) ? `"input" must be a JSON object, got ${describe(payload.input)}` : `the body must be a JSON object {"input": {...}}, got ${describe(payload)}`,
        );
      }
      sendResume(res, param(req, 'id'), await resumeExecution(rt, param(req, 'id'), payload.input, caller.name, step));
    }),
  );

  const cancel = asyncHandler(async (req, res) => {
    const result = await cancelExecution(rt, param(req, 'id'), { reason: 'user', by: callerOf(res).name });
    if (result.ok) {
      res.json({ executionId: param(req, 'id'), status: 'CANCELLED' });
      return;
    }
    if (result.code === 'not_found') throw notFound(`no execution "${param(req, 'id')}"`);
    throw new ApiError('already_finished', `execution is ${result.status}`, [{ status: result.status }]);
  });
  r.post('/api/workflowExecutions/:id/cancel', auth.require('review'), body, cancel);
  r.post('/api/workflows/executions/:id/cancel', auth.require('review'), body, cancel);

  return r;
}
