import { Router } from 'express';
import { CASE_STATUSES, type CaseStatus } from '@flowgate/store';
import type { Runtime } from '@flowgate/executor';
import { callerOf, type Authenticator } from '../auth';
import { describe, jsonObjectBody, MiB, rawBody, param } from '../body';
import { asyncHandler, badRequest, notFound } from '../errors';
import { limitParam, queryParam } from './executions';

const CASE_CURSOR = /^\d+:[A-Za-z0-9-]{1,64}$/;

function statusOf(value: unknown, what: string): CaseStatus {
  if (typeof value !== 'string' || !(CASE_STATUSES as readonly string[]).includes(value)) {
    throw badRequest(`${what} must be one of ${CASE_STATUSES.join(', ')}, got ${typeof value === 'string' ? `"${value}"` : describe(value)}`, [{ parameter: 'status', value: value ?? null }]);
  }
  return value as CaseStatus;
}

/** Cases (docs/api.md "Cases"): list, one with its comments, comment, status. */
export function casesRouter(deps: { rt: Runtime; auth: Authenticator }): Router {
  const { rt, auth } = deps;
  const r = Router({ caseSensitive: true });

  r.get(
    '/api/cases',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const limit = limitParam(req);
      const statusText = queryParam(req, 'status');
      const status = statusText === undefined || statusText === '' ? undefined : statusOf(statusText.toLowerCase(), 'query parameter "status"');
      const cursor = queryParam(req, 'cursor') || undefined;
      if (cursor !== undefined && !CASE_CURSOR.test(cursor)) throw badRequest(`query parameter "cursor": "${cursor}" is not a cursor returned by this endpoint`, [{ parameter: 'cursor', value: cursor }]);
      const page = await rt.cases.list({ status, limit, cursor });
      res.json({ results: page.results, nextCursor: page.nextCursor ?? null });
    }),
  );

  r.get(
    '/api/cases/:id',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const c = await rt.cases.getWithComments(param(req, 'id'));
      if (!c) throw notFound(`no case "${param(req, 'id')}"`);
      res.json(c);
    }),
  );

  r.post(
    '/api/cases/:id/comments',
    auth.require('review'),
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const body = jsonObjectBody(req);
      if (typeof body.comment !== 'string' || body.comment.trim() === '') {
        throw badRequest(`"comment" must be a non-empty string, got ${typeof body.comment === 'string' ? 'an empty string' : describe(body.comment)}`);
      }
      const comment = await rt.cases.addComment(param(req, 'id'), { comment: body.comment, author: callerOf(res).name });
      if (!comment) throw notFound(`no case "${param(req, 'id')}"`);
      res.status(201).json(comment);
    }),
  );

  r.patch(
    '/api/cases/:id',
    auth.require('review'),
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const body = jsonObjectBody(req);
      const status = statusOf(body.status, '"status"');
      const updated = await rt.cases.setStatus(param(req, 'id'), status);
      if (!updated) throw notFound(`no case "${param(req, 'id')}"`);
      res.json(updated);
    }),
  );

  return r;
}
