/**
 * Answering from a notification without an API key (docs/api.md "Answer links"): the link's token is
 * the credential. Reading a link (`GET /api/external/link`) never changes anything — mail and chat
 * scanners fetch links — and answering is Kibana's endpoint
 * `POST /api/workflows/executions/{executionId}/steps/{stepId}/resume/external`.
 *
 * The token comes in the `X-Flowgate-Link` header (what the web app sends: the link's URL carries it
 * in the fragment, which browsers never send, so it reaches no log, proxy or Referer) or, for Kibana's
 * clients, `?token=`. Tokens are never logged: errors log `req.path`, without the query.
 */
import { Router, type Request, type Response } from 'express';
import { resumeByLink, summaryView, viewLink, waitingTitle, type GoneLink, type Runtime } from '@flowgate/executor';
import { isPlainObject } from '@flowgate/template';
import { addressGroup } from '../address';
import { FailureLimiter } from '../auth';
import { bodyText, describe, jsonBody, mediaType, MiB, rawBody, param } from '../body';
import { ApiError, asyncHandler, badRequest } from '../errors';
import { iso } from '../render';
import { queryParam } from '../params';
import { confirmationPage, gonePage } from './external-pages';

const TOKEN_HEADER = 'x-flowgate-link';

function tokenOf(req: Request): string {
  const header = req.get(TOKEN_HEADER);
  const token = header ?? queryParam(req, 'token');
  if (!token) throw badRequest('no link token: send it in the X-Flowgate-Link header or as ?token=');
  return token.trim();
}

/** An HTML page for a browser that posted a plain form; JSON for everything else. */
const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

function goneError(g: GoneLink): ApiError {
  return new ApiError('link_gone', g.message, [{ status: g.status, respondedBy: g.respondedBy, respondedAt: iso(g.respondedAt) }]);
}

/** The answer's fields: a JSON object, or an HTML form's fields (text values). Empty: no fields. */
function answerBody(req: Request): Record<string, unknown> {
  if (mediaType(req) === 'application/x-www-form-urlencoded') {
    const text = bodyText(req) ?? '';
    return Object.fromEntries(new URLSearchParams(text));
  }
  const body = jsonBody(req);
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw badRequest(`the answer must be a JSON object, got ${describe(body)}`);
  return body;
}

export function externalRouter(deps: { rt: Runtime; limiter?: FailureLimiter }): Router {
  const { rt } = deps;
  // Unknown or malformed tokens count against the client's address, as failed API keys do.
  const limiter = deps.limiter ?? new FailureLimiter(50, 60_000);
  const r = Router({ caseSensitive: true });

  const guard = (req: Request) => {
    const group = addressGroup(req.ip ?? req.socket.remoteAddress);
    const wait = limiter.blockedFor(group);
    if (wait > 0) throw new ApiError('rate_limited', `too many unknown links from ${group}; retry in ${wait} s`, [], { 'Retry-After': String(wait) });
    return () => limiter.fail(group);
  };

  const sendGone = (req: Request, res: Response, g: GoneLink) => {
    if (wantsHtml(req)) {
      res.status(410).type('html').send(gonePage(g));
      return;
    }
    throw goneError(g);
  };

  r.get(
    '/api/external/link',
    asyncHandler(async (req, res) => {
      const failed = guard(req);
      const view = await viewLink(rt, tokenOf(req));
      if (!view.ok) {
        if (view.status === null) failed();
        throw goneError(view);
      }
      const { link, exec } = view;
      const w = exec.waitingFor!;
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        executionId: exec.id,
        step: link.step,
        action: link.action,
        channel: link.channel,
        expiresAt: iso(link.expiresAt),
        workflowName: exec.workflowName,
        summary: summaryView(exec),
        waitingFor: {
          type: w.type,
          title: waitingTitle(w),
          message: w.message,
          schema: w.schema ?? null,
          since: iso(w.since),
          ...(w.approveLabel !== undefined ? { approveLabel: w.approveLabel, rejectLabel: w.rejectLabel } : {}),
        },
      });
    }),
  );

  r.post(
    '/api/workflows/executions/:executionId/steps/:stepId/resume/external',
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const failed = guard(req);
      const token = tokenOf(req);
      const body = answerBody(req);
      const result = await resumeByLink(rt, token, { executionId: param(req, 'executionId'), step: param(req, 'stepId') }, body);
      res.setHeader('Cache-Control', 'no-store');
      if (result.ok) {
        if (wantsHtml(req)) {
          res.type('html').send(confirmationPage(result));
          return;
        }
        res.json({ executionId: result.executionId, status: 'RUNNING', step: result.step, respondedBy: result.respondedBy });
        return;
      }
      if (result.code === 'gone') {
        if (result.status === null) failed();
        sendGone(req, res, result);
        return;
      }
      if (result.code === 'bad_answer') throw badRequest(result.message);
      throw new ApiError('validation_failed', `the answer does not match the schema of step "${result.step}": ${result.errors.map((e) => e.message).join('; ')}`, result.errors);
    }),
  );

  return r;
}
