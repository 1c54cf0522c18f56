import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AnswerChannel, ExecutionStatus } from '@flowgate/engine';
import { archivedView, cancelExecution, rerunExecution, resumeExecution, type ExecutionArchive, type ResumeResult, type Runtime } from '@flowgate/executor';
import { isPlainObject } from '@flowgate/template';
import { ARCHIVE_ONLY_PARAMS, archivedParam, findArchived, listArchived, refuseArchived } from '../archive';
import { callerOf, type Authenticator, type Caller } from '../auth';
import { describe, jsonBody, MiB, rawBody, param } from '../body';
import { ApiError, asyncHandler, badRequest, notFound } from '../errors';
import { limitParam, orderParam, queryParam, searchParams, statusParam, timeRangeParams, workflowIdParam } from '../params';
import { executionRow, executionView, iso } from '../render';
import { RefusalLimiter } from '../refusals';

export { limitParam, queryParam } from '../params';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface ListParams {
  statuses?: ExecutionStatus[];
  workflowId?: string;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
  from?: number;
  to?: number;
  search: ReturnType<typeof searchParams>;
}

export function listParams(req: Request): ListParams {
  const out: ListParams = { order: orderParam(req), limit: limitParam(req), search: searchParams(req) };
  const range = timeRangeParams(req);
  if (range.from) out.from = Date.parse(range.from);
  if (range.to) out.to = Date.parse(range.to);
  const statuses = statusParam(req);
  if (statuses) out.statuses = statuses;
  const workflowId = workflowIdParam(req);
  if (workflowId) out.workflowId = workflowId;
  for (const name of ARCHIVE_ONLY_PARAMS) {
    const value = queryParam(req, name);
    if (value !== undefined && value !== '') throw badRequest(`query parameter "${name}" filters the archive only: add archived=true`, [{ parameter: name, value }]);
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

/** `X-Flowgate-Client: ui` marks an answer given through the web app (docs/api.md "Executions"). */
function channelOf(req: Request): AnswerChannel {
  return String(req.get('x-flowgate-client') ?? '').toLowerCase() === 'ui' ? 'ui' : 'api';
}

const REASON_MAX = 1000;

/** The optional `{"reason": "..."}` of a cancel: no body, an empty body or a JSON object with only `reason`. */
function cancelReason(req: Request): string | null {
  const payload = jsonBody(req);
  if (payload === undefined) return null;
  if (!isPlainObject(payload)) throw badRequest(`the body must be a JSON object {"reason": "..."}, got ${describe(payload)}`);
  const extra = Object.keys(payload).filter((k) => k !== 'reason');
  if (extra.length > 0) throw badRequest(`unknown field "${extra[0]}" in the cancel body (only "reason")`, [{ path: `/${extra[0]}` }]);
  const reason = payload.reason;
  if (reason === undefined || reason === null) return null;
  if (typeof reason !== 'string') throw badRequest(`"reason" must be a string, got ${describe(reason)}`, [{ path: '/reason' }]);
  if ([...reason].length > REASON_MAX) throw badRequest(`"reason" is longer than ${REASON_MAX} characters`, [{ path: '/reason' }]);
  return reason.trim() === '' ? null : reason.trim();
}

export function executionsRouter(deps: { rt: Runtime; auth: Authenticator; archive?: ExecutionArchive | null; refusals?: RefusalLimiter; admit?: RequestHandler }): Router {
  const { rt, auth, archive } = deps;
  const admit: RequestHandler = deps.admit ?? ((_req, _res, next) => next());
  const refusals = deps.refusals ?? new RefusalLimiter();
  const r = Router({ caseSensitive: true });
  const body = rawBody(MiB);
  const onForbidden = async (req: Request, caller: Caller) => {
    if (refusals.retryAfter(caller.name, param(req, 'id')) > 0) return; // over the limit: not recorded any more
    refusals.note(caller.name, param(req, 'id'));
    await recordRefusal(rt, param(req, 'id'), caller.name, 403);
  };

  /** A key refused too often on this execution in the last minute gets 429 (and its attempt is not recorded). */
  const throttle = (req: Request, caller: Caller) => {
    const wait = refusals.retryAfter(caller.name, param(req, 'id'));
    if (wait > 0) {
      throw new ApiError('rate_limited', `key "${caller.name}" had ${refusals.perMinute} refused answers to this execution in the last minute; retry in ${wait} s`, [], { 'Retry-After': String(wait) });
    }
  };

  /** Answers the result of a resume, counting a refusal against the caller's key. */
  const answer = (res: Response, caller: Caller, id: string, result: ResumeResult) => {
    if (!result.ok && result.code !== 'not_found') refusals.note(caller.name, id);
    sendResume(res, id, result);
  };

  /** Records a refused body (400) against the caller's key and the wait. */
  const refuseBody = async (req: Request, caller: Caller) => {
    refusals.note(caller.name, param(req, 'id'));
    await recordRefusal(rt, param(req, 'id'), caller.name, 400);
  };

  r.get(
    '/api/workflowExecutions',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      if (archivedParam(req)) {
        res.json(await listArchived(archive, req));
        return;
      }
      const p = listParams(req);
      const page = await rt.executions.list({ statuses: p.statuses, workflowId: p.workflowId, order: p.order, limit: p.limit, cursor: p.cursor, from: p.from, to: p.to, search: p.search });
      res.json({ results: page.results.map(executionRow), nextCursor: page.nextCursor ?? null, total: page.total, truncated: page.truncated });
    }),
  );

  r.get(
    '/api/workflowExecutions/:id',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const [exec, { records, responses, responseCounts, notifications }] = await Promise.all([rt.executions.load(param(req, 'id')), rt.executions.loadRecords(param(req, 'id'))]);
      if (!exec) {
        // Gone from Redis after FLOWGATE_RETENTION: read back from the archive (docs/operations.md "Archive").
        const doc = await findArchived(archive, param(req, 'id'));
        if (!doc) throw notFound(`no execution "${param(req, 'id')}"`);
        res.json(archivedView(doc));
        return;
      }
      res.json({ ...executionView(exec, records, responses, responseCounts, notifications), archived: false });
    }),
  );

  /** An execution no longer in Redis but in the archive is a finished one: 409, as for one still in Redis. */
  const resumeOrArchived = async (req: Request, id: string, answer: Record<string, unknown>, by: string, step: string | undefined): Promise<ResumeResult> => {
    const result = await resumeExecution(rt, id, answer, by, step, channelOf(req));
    if (!result.ok && result.code === 'not_found') await refuseArchived(archive, id, 'resume');
    return result;
  };

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
      throttle(req, caller);
      const step = stepParam(req);
      let body: unknown;
      try {
        body = jsonBody(req);
      } catch (err) {
        await refuseBody(req, caller);
        throw err;
      }
      if (!isPlainObject(body)) {
        await refuseBody(req, caller);
        throw badRequest(`the answer must be a JSON object, got ${describe(body)}`);
      }
      answer(res, caller, param(req, 'id'), await resumeOrArchived(req, param(req, 'id'), body, caller.name, step));
    }),
  );

  // Kibana's path: the answer is the body's `input`, which must be an object.
  r.post(
    '/api/workflows/executions/:id/resume',
    auth.require('review', onForbidden),
    body,
    asyncHandler(async (req, res) => {
      const caller = callerOf(res);
      throttle(req, caller);
      const step = stepParam(req);
      let payload: unknown;
      try {
        payload = jsonBody(req);
      } catch (err) {
        await refuseBody(req, caller);
        throw err;
      }
      if (!isPlainObject(payload) || !isPlainObject(payload.input)) {
        await refuseBody(req, caller);
        throw badRequest(
          isPlainObject(payload) ? `"input" must be a JSON object, got ${describe(payload.input)}` : `the body must be a JSON object {"input": {...}}, got ${describe(payload)}`,
        );
      }
      answer(res, caller, param(req, 'id'), await resumeOrArchived(req, param(req, 'id'), payload.input, caller.name, step));
    }),
  );

  const cancel = asyncHandler(async (req, res) => {
    const comment = cancelReason(req);
    const result = await cancelExecution(rt, param(req, 'id'), { reason: 'user', by: callerOf(res).name, comment });
    if (result.ok) {
      res.json({ executionId: param(req, 'id'), status: 'CANCELLED' });
      return;
    }
    if (result.code === 'not_found') {
      await refuseArchived(archive, param(req, 'id'), 'cancel');
      throw notFound(`no execution "${param(req, 'id')}"`);
    }
    throw new ApiError('already_finished', `execution is ${result.status}`, [{ status: result.status }]);
  });
  r.post('/api/workflowExecutions/:id/cancel', auth.require('review'), body, cancel);
  r.post('/api/workflows/executions/:id/cancel', auth.require('review'), body, cancel);

  r.post(
    '/api/workflowExecutions/:id/rerun',
    auth.require('review'),
    admit,
    body,
    asyncHandler(async (req, res) => {
      const result = await rerunExecution(rt, param(req, 'id'), callerOf(res).name);
      if (result.ok) {
        res.status(201).json({ executionId: result.executionId, rerunOf: result.rerunOf, status: 'PENDING' });
        return;
      }
      if (result.code === 'not_found') throw notFound(`no execution "${param(req, 'id')}" in Redis (an archived execution cannot be re-run)`);
      if (result.code === 'not_rerunnable') {
        throw new ApiError('not_rerunnable', `execution is ${result.status}: only a FAILED or CANCELLED execution can be re-run`, [{ status: result.status }]);
      }
      throw new ApiError('conflict', result.message);
    }),
  );

  return r;
}
