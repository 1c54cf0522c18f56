/**
 * The inbox's "History" tab (issue 13): how waits ended — answered, timed out, cancelled — with who,
 * what (the answer as a short labelled summary), through which channel and when, newest first, from
 * GET /api/answers; filtered by channel, outcome and who. Each row links to its execution.
 */
import { useEffect, useMemo, useState } from 'react';
import { EmptyState, ErrorNotice, LiveBadge, Loading, Time } from '../components/common';
import { CHANNEL_LABEL } from '../execution/DecisionRecord';
import { answerRows, isObject } from '../execution/values';
import type { HistoryRow } from '../lib/api';
import { usePolling } from '../lib/hooks';
import { inboxHref } from '../lib/inbox';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { Rationale } from './Rationale';
import './history.css';

export const HISTORY_POLL_MS = 5000;

const CHANNELS = ['ui', 'api', 'slack', 'slack_api', 'email', 'webhook'] as const;
const OUTCOMES: { value: HistoryRow['outcome']; label: string; tone: string }[] = [
  { value: 'answered', label: 'Answered', tone: 'green' },
  { value: 'timed_out', label: 'Timed out', tone: 'amber' },
  { value: 'cancelled', label: 'Cancelled', tone: 'gray' },
];

/** The 9.5 copies of the answer (output.response, output.respondedBy) and the timeout flag say nothing new. */
const HIDDEN = new Set(['response', 'respondedBy', 'timedOut']);

/** The answer in one line: "approved: Yes · notes: lab host" (at most `max` characters). */
export function answerSummary(answer: Record<string, unknown> | null, max = 160): string {
  if (!isObject(answer)) return '';
  const shown = Object.fromEntries(Object.entries(answer).filter(([k]) => !HIDDEN.has(k)));
  const text = answerRows(shown, null)
    .map((r) => `${r.label}: ${r.value}`)
    .join(' · ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export const channelLabel = (c: string | null | undefined): string => (c ? (CHANNEL_LABEL[c] ?? c) : '—');

function HistoryItem({ row }: { row: HistoryRow }) {
  const o = OUTCOMES.find((x) => x.value === row.outcome) ?? OUTCOMES[0];
  const summary = row.outcome === 'cancelled' ? '' : answerSummary(row.answer);
  const host = row.summary?.host;
  return (
    <li className={`history-item history-${row.outcome.replace('_', '-')}`} data-execution={row.executionId} data-channel={row.channel ?? ''} data-outcome={row.outcome} data-by={row.by ?? ''}>
      <span className={`pill pill-${o.tone} history-outcome`}>{o.label}</span>
      <div className="history-main">
        <Link to={inboxHref(row.executionId, false)} className="history-title">
          {row.title || 'Request'}
        </Link>
        <span className="history-about muted small">
          {row.workflowName}
          {host ? (
            <>
              {' · host '}
              <span className="mono">{host}</span>
            </>
          ) : null}
          {' · step '}
          <code>{row.step}</code>
        </span>
        {summary ? (
          <span className="history-answer" data-testid="history-answer" title={answerSummary(row.answer, 4000)}>
            {row.outcome === 'timed_out' ? 'Outcome: ' : ''}
            {summary}
          </span>
        ) : null}
        {row.ai?.rationale ? <Rationale text={row.ai.rationale} category={row.ai.category} expandable /> : null}
      </div>
      <div className="history-who">
        {row.outcome === 'timed_out' ? (
          <span className="muted">nobody answered</span>
        ) : (
          <span>
            {row.outcome === 'cancelled' ? 'cancelled by ' : ''}
            <strong data-testid="history-by">{row.by ?? 'unknown'}</strong>
            {row.channel ? (
              <>
                {' via '}
                <span data-testid="history-channel">{channelLabel(row.channel)}</span>
              </>
            ) : null}
          </span>
        )}
        <Time value={row.at} className="muted small" />
      </div>
    </li>
  );
}

export function HistoryTab() {
  const { api } = useSession();
  const [channel, setChannel] = useState('');
  const [outcome, setOutcome] = useState('');
  const [by, setBy] = useState('');
  const who = useDebounced(by.trim(), 300);
  const { data, error, loading, offline, lastOkAt } = usePolling(() => api.answers({ channel, outcome, by: who, limit: 100 }), [api, channel, outcome, who], HISTORY_POLL_MS);
  const people = useMemo(() => [...new Set((data?.results ?? []).map((r) => r.by).filter((b): b is string => !!b))].sort(), [data]);
  const filtered = !!(channel || outcome || who);
  const rows = data?.results;
  return (
    <div className="history" data-testid="history">
      <div className="inbox-tools history-tools">
        <div className="inbox-tools-row">
          <div className="inbox-select">
            <label htmlFor="history-channel">Channel</label>
            <select id="history-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
              <option value="">All channels</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {channelLabel(c)}
                </option>
              ))}
            </select>
          </div>
          <div className="inbox-select">
            <label htmlFor="history-outcome">Outcome</label>
            <select id="history-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
              <option value="">All outcomes</option>
              {OUTCOMES.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <div className="inbox-select history-by">
            <label htmlFor="history-by">Who</label>
            <input id="history-by" type="search" list="history-people" placeholder="alice, link:email…" value={by} onChange={(e) => setBy(e.target.value)} autoComplete="off" spellCheck={false} />
            <datalist id="history-people">
              {people.map((p) => (
                <option key={p} value={p} />
              ))}
            </datalist>
          </div>
          {filtered ? (
            <button
              type="button"
              className="chip chip-clear"
              onClick={() => {
                setChannel('');
                setOutcome('');
                setBy('');
              }}
            >
              Clear filters
            </button>
          ) : null}
          <span className="history-live">
            <LiveBadge offline={offline} lastOkAt={lastOkAt} />
          </span>
        </div>
      </div>
      {error && !offline ? <ErrorNotice error={error} title="Could not load the history." /> : null}
      {offline ? (
        <div className="notice notice-warn" role="alert">
          <strong>The Flowgate API cannot be reached.</strong> Retrying every few seconds.
        </div>
      ) : null}
      {!rows ? (
        loading ? <Loading label="Loading the history…" /> : null
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matches' : 'No history yet'} icon="∅">
          <p>{filtered ? 'No ended request matches these filters.' : 'Requests that were answered, timed out or cancelled appear here.'}</p>
        </EmptyState>
      ) : (
        <>
          <ul className="history-list" aria-label="Ended requests, newest first">
            {rows.map((r) => (
              <HistoryItem key={`${r.executionId}:${r.step}:${r.at}`} row={r} />
            ))}
          </ul>
          {data?.truncated ? <p className="muted small">Only the most recent executions were read; narrow the filters to see older ones.</p> : null}
        </>
      )}
    </div>
  );
}
