import { Time } from '../components/common';
import type { ExecutionRow } from '../lib/api';
import { age, deadlineInfo, shortId } from '../lib/format';
import { inboxHref } from '../lib/inbox';
import { Link } from '../lib/router';
import { Rationale } from './Rationale';
import { contextOf } from './queue';

const SEVERITY_LABEL: Record<string, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };

/** "Critical · 99", "Risk 47", or nothing. */
export function SeverityTag({ severity, riskScore }: { severity: string | null; riskScore: number | null }) {
  if (!severity && riskScore == null) return null;
  const score = riskScore == null ? null : Math.round(riskScore);
  return (
    <span className={`sev sev-${severity ?? 'none'}`} title={`Severity ${severity ?? 'unknown'}${score == null ? '' : `, risk score ${score}`}`}>
      {severity ? SEVERITY_LABEL[severity] : 'Risk'}
      {score != null ? <span className="sev-score">{score}</span> : null}
    </span>
  );
}

const pct = (c: number) => `${Math.round(c <= 1 ? c * 100 : c)}%`;

/** One waiting request with its triage context: what it is about, how urgent, what the AI thought. */
export function InboxRow({ row, now, canReview }: { row: ExecutionRow; now: number; canReview: boolean }) {
  const w = row.waitingFor;
  const c = contextOf(row);
  const since = w?.since ?? row.createdAt;
  const dl = deadlineInfo(w, now);
  const title = w?.title || 'Waiting for input';
  const waited = age(since, now);
  const label = [`${title} — ${row.workflowName}`, c.host ? `host ${c.host}` : null, c.severity ? `${c.severity} severity` : null, `waiting ${waited}`, dl.text].filter(Boolean).join(', ');
  return (
    <li className="inbox-item" data-id={row.id} data-severity={c.severity ?? ''} data-host={c.host ?? ''} data-group={c.group}>
      <Link to={inboxHref(row.id)} className={`inbox-link inbox-link-${dl.urgency}`} aria-label={label}>
        <span className={`inbox-age ${dl.className}`} title={dl.title}>
          <span className="inbox-age-value">{waited}</span>
          <span className="inbox-age-label">waiting</span>
        </span>
        <span className="inbox-main">
          <span className="inbox-head">
            <SeverityTag severity={c.severity} riskScore={c.riskScore} />
            <span className="inbox-title">{title}</span>
          </span>
          {c.host || c.user || c.rule ? (
            <span className="inbox-context">
              {c.host ? (
                <span className="ctx">
                  <span className="ctx-k">host</span> <span className="ctx-v inbox-host">{c.host}</span>
                </span>
              ) : null}
              {c.user ? (
                <span className="ctx">
                  <span className="ctx-k">user</span> <span className="ctx-v">{c.user}</span>
                </span>
              ) : null}
              {c.rule ? (
                <span className="ctx">
                  <span className="ctx-k">rule</span> <span className="ctx-v">{c.rule}</span>
                </span>
              ) : null}
            </span>
          ) : null}
          <span className="inbox-meta">
            <span className={`inbox-deadline ${dl.className}`} title={dl.title}>
              {dl.text}
            </span>
            {c.ai && (c.ai.category || c.ai.confidence != null) ? (
              <span className="inbox-ai" title={c.ai.rationale ?? `AI step ${c.ai.step}`}>
                AI: {c.ai.category ?? 'no category'}
                {c.ai.confidence != null ? ` (${pct(c.ai.confidence)})` : ''}
              </span>
            ) : null}
            <span className="inbox-workflow">{row.workflowName}</span>
            <span>step {w?.step}</span>
            <span>
              since <Time value={since} />
            </span>
            <span className="mono">{shortId(row.id)}</span>
          </span>
          {c.ai?.rationale ? <Rationale text={c.ai.rationale} /> : null}
        </span>
        <span className="inbox-cta" aria-hidden="true">
          {canReview ? 'Review' : 'View'} →
        </span>
      </Link>
    </li>
  );
}
