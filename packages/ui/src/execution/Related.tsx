/**
 * Related: recent executions, and the decisions taken in them, for the same host or user
 * (GET /api/workflowExecutions?q=<host>, and ?q=<user>; rows whose host or user is exactly the same).
 */
import { useId } from 'react';
import type { ExecutionRow, Summary } from '../lib/api';
import { usePolling } from '../lib/hooks';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { ErrorNotice, StatusBadge, Time } from '../components/common';
import { CHANNEL_LABEL } from './DecisionRecord';
import './execution.css';

const LIMIT = 10;
const same = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

export function RelatedPanel({ executionId, summary, fromQuery }: { executionId: string; summary: Summary; fromQuery: string }) {
  const { api } = useSession();
  const headingId = useId();
  const { host, user } = summary;
  const { data, error, loading } = usePolling<ExecutionRow[]>(
    async () => {
      const [byHost, byUser] = await Promise.all([host ? api.listExecutions({ q: host, limit: LIMIT + 1 }) : null, user ? api.listExecutions({ q: user, limit: LIMIT + 1 }) : null]);
      const seen = new Set<string>([executionId]);
      const rows: ExecutionRow[] = [];
      for (const r of [...(byHost?.results ?? []), ...(byUser?.results ?? [])]) {
        if (seen.has(r.id)) continue;
        if (!same(r.summary?.host, host) && !same(r.summary?.user, user)) continue;
        seen.add(r.id);
        rows.push(r);
      }
      return rows.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).slice(0, LIMIT);
    },
    [executionId, host, user],
    15_000,
  );
  if (!host && !user) return null;
  const about = [host ? `host ${host}` : null, user ? `user ${user}` : null].filter(Boolean).join(' or ');
  return (
    <section className="card related" aria-labelledby={headingId} data-testid="related">
      <h2 id={headingId} className="card-title">
        Related
      </h2>
      <p className="muted small related-about">Recent executions for the same {about}.</p>
      {error ? <ErrorNotice error={error} /> : null}
      {!data && loading ? (
        <p className="muted small">Loading…</p>
      ) : data && data.length === 0 ? (
        <p className="muted small">None.</p>
      ) : (
        <ul className="related-list">
          {(data ?? []).map((r) => (
            <li key={r.id} className="related-item">
              <div className="related-line">
                <StatusBadge status={r.status} />
                <Link to={`/executions/${encodeURIComponent(r.id)}${fromQuery}`} className="related-link">
                  {r.workflowName}
                </Link>
              </div>
              <div className="muted small related-sub">
                {same(r.summary?.host, host) ? null : r.summary?.host ? <span>{r.summary.host} · </span> : null}
                {r.answeredBy ? (
                  <span>
                    answered by <strong>{r.answeredBy.by}</strong> <Time value={r.answeredBy.at} />
                    {r.answeredBy.channel ? ` via ${CHANNEL_LABEL[r.answeredBy.channel] ?? r.answeredBy.channel}` : ''}
                  </span>
                ) : r.cancellation ? (
                  <span>
                    cancelled{r.cancellation.reason === 'timeout' ? ' (time limit)' : ` by ${r.cancellation.by}`} <Time value={r.cancellation.at} />
                  </span>
                ) : (
                  <span>
                    started <Time value={r.startedAt ?? r.createdAt} />
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
