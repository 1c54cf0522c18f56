/**
 * `POST /api/integrations/slack/actions` (docs/api.md "Slack buttons"): a click on an approve or
 * reject button of a `slack_api` notification, posted back by Slack and verified with Slack's request
 * signature against the signing secrets of the `slack_api` connectors. The button carries the link's
 * token; the Slack user who clicked answers (`respondedBy: "slack:<user>"`). A bad or missing
 * signature is 401 and changes nothing. Slack shows any other status to the user as an error, so
 * every verified click is answered 200 with what happened.
 */
import { Router } from 'express';
import { verifySlackSignature } from '@flowgate/connectors';
import { resumeByLink, type Runtime } from '@flowgate/executor';
import { isPlainObject } from '@flowgate/template';
import { bodyText, MiB, rawBody } from '../body';
import { ApiError, asyncHandler, badRequest } from '../errors';

export interface SlackSigningSecret {
  connectorId: string;
  signingSecret: string;
}

const ACTIONS: Record<string, boolean> = { flowgate_approve: true, flowgate_reject: true };

function userOf(payload: Record<string, unknown>): string {
  const user = isPlainObject(payload.user) ? payload.user : {};
  const name = [user.username, user.name, user.id].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return `slack:${(name ?? 'unknown').slice(0, 80)}`;
}

export function slackRouter(deps: { rt: Runtime; secrets: SlackSigningSecret[] }): Router {
  const r = Router({ caseSensitive: true });
  r.post(
    '/api/integrations/slack/actions',
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const raw = bodyText(req) ?? '';
      const signed = deps.secrets.some((s) =>
        verifySlackSignature({ signingSecret: s.signingSecret, timestamp: req.get('x-slack-request-timestamp'), rawBody: raw, signature: req.get('x-slack-signature') }),
      );
      if (!signed) throw new ApiError('unauthorized', deps.secrets.length === 0 ? 'no slack_api connector has a signingSecret' : 'the Slack request signature does not verify');
      let payload: unknown;
      try {
        payload = JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
      } catch {
        throw badRequest('the body must be Slack\'s form field "payload" holding JSON');
      }
      if (!isPlainObject(payload) || !Array.isArray(payload.actions)) throw badRequest('the payload has no actions');
      const action = payload.actions.find((a): a is Record<string, unknown> => isPlainObject(a) && typeof a.action_id === 'string' && ACTIONS[a.action_id] === true);
      if (!action || typeof action.value !== 'string') throw badRequest('no Flowgate button in the payload');
      const result = await resumeByLink(deps.rt, action.value, null, {}, userOf(payload));
      if (result.ok) {
        res.json({ ok: true, text: `${result.answer.approved ? 'Approved' : 'Declined'} by ${result.respondedBy}` });
        return;
      }
      res.json({ ok: false, text: result.code === 'gone' ? result.message : 'the answer was not accepted' });
    }),
  );
  return r;
}
