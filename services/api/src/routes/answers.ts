/**
 * `GET /api/answers` (docs/api.md "History"): how waits ended — answered, timed out, cancelled — with
 * who, what, through which channel and when, newest first. Read from each execution's `waitEnded`
 * (no index of its own: at most 5,000 executions are read, newest created first; `truncated` says so).
 */
import { Router, type Request } from 'express';
import type { WaitEnded } from '@flowgate/engine';
import { summaryView, type Runtime } from '@flowgate/executor';
import type { Authenticator } from '../auth';
import { asyncHandler, badRequest } from '../errors';
import { iso } from '../render';
import { limitParam, queryParam, timeParam, workflowIdParam } from '../params';

const CHANNELS = ['ui', 'api', 'slack', 'slack_api', 'email', 'webhook'];
const OUTCOMES = ['answered', 'timed_out', 'cancelled'];

function oneOf(req: Request, name: string, allowed: string[]): string | undefined {
  const v = queryParam(req, name)?.trim();
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v)) throw badRequest(`query parameter "${name}": "${v}" is not one of ${allowed.join(', ')}`, [{ parameter: name, value: v }]);
  return v;
}


export function answersRouter(deps: { rt: Runtime; auth: Authenticator }): Router {
  const { rt, auth } = deps;
  const r = Router({ caseSensitive: true });
  r.get(
    '/api/answers',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const limit = limitParam(req, 200, 50);
      const channel = oneOf(req, 'channel', CHANNELS);
      const outcome = oneOf(req, 'outcome', OUTCOMES);
      const by = queryParam(req, 'by')?.trim() || undefined;
      if (by && by.length > 256) throw badRequest('query parameter "by" is longer than 256 characters', [{ parameter: 'by' }]);
      const sinceText = timeParam(req, 'since');
      const since = sinceText ? Date.parse(sinceText) : undefined;
      const match = (w: WaitEnded) => (!channel || w.channel === channel) && (!outcome || w.outcome === outcome) && (!by || w.by === by);
      const page = await rt.executions.recentWaitEnds({ workflowId: workflowIdParam(req), since, match, limit });
      // What was answered: the wait's output, read for the rows shown only.
      const outputs = await Promise.all(page.results.map((row) => (row.ended.outcome === 'cancelled' ? null : rt.executions.loadRecord(row.executionId, row.ended.step))));
      res.json({
        results: page.results.map((row, i) => ({
          executionId: row.executionId,
          workflowId: row.workflowId,
          workflowName: row.workflowName,
          step: row.ended.step,
          title: row.ended.title,
          outcome: row.ended.outcome,
          by: row.ended.by,
          channel: row.ended.channel,
          at: iso(row.ended.at),
          answer: (outputs[i]?.output as Record<string, unknown> | null | undefined) ?? null,
          summary: summaryView({ summary: row.summary }),
          ai: row.ended.ai ?? null,
        })),
        truncated: page.truncated,
      });
    }),
  );
  return r;
}
