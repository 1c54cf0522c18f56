import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ExecutionQuery, ExecutionRow, ExecutionStatus, WorkflowSummary } from '../lib/api';
import { EXECUTION_STATUSES, isExecutionStatus } from '../lib/status';
import { between, shortId, statusLabel } from '../lib/format';
import { useDocumentTitle, useNow, usePolling } from '../lib/hooks';
import { Link, useRouter, useSearchParams } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge, Time } from '../components/common';
import { CHANNEL_LABEL } from '../execution/DecisionRecord';
import '../execution/execution.css';

/** The time range presets: how far back from now (ms). */
const RANGES: { value: string; label: string; ms: number | null }[] = [
  { value: '', label: 'All time', ms: null },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: 'custom', label: 'Custom…', ms: null },
];

/** An ISO time as the value of a datetime-local input (local time, to the minute), and back. */
const toLocalInput = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocalInput = (v: string): string => {
  const d = new Date(v);
  return v && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
};

/** The outcome beside the status: the error type, or who or what cancelled it (and the reason given). */
function outcomeDetail(r: ExecutionRow): string | null {
  if (r.error) return r.error.type + (r.error.step ? ` at ${r.error.step}` : '');
  if (r.cancellation) {
    const who = r.cancellation.reason === 'timeout' ? 'time limit' : `by ${r.cancellation.by}`;
    return r.cancellation.comment ? `${who}: ${r.cancellation.comment}` : who;
  }
  return null;
}

export function ExecutionsPage() {
  const { api } = useSession();
  const { navigate } = useRouter();
  const params = useSearchParams();
  const statuses = (params.get('status') ?? '').split(',').filter(isExecutionStatus);
  const workflowId = params.get('workflowId') ?? '';
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const pageSize = Math.min(500, Math.max(1, Number(params.get('limit')) || 25));
  const q = params.get('q') ?? '';
  const range = RANGES.some((r) => r.value === params.get('range')) ? params.get('range')! : params.get('from') || params.get('to') ? 'custom' : '';
  const fromParam = params.get('from') ?? '';
  const toParam = params.get('to') ?? '';
  const filterKey = `${statuses.join(',')}|${workflowId}|${order}|${pageSize}|${q}|${range}|${fromParam}|${toParam}`;
  // A preset range is "from now minus …", recomputed at every refresh.
  const query = (): ExecutionQuery => {
    const preset = RANGES.find((r) => r.value === range)?.ms ?? null;
    return {
      status: statuses,
      workflowId: workflowId || undefined,
      order,
      limit: pageSize,
      q: q || undefined,
      from: preset !== null ? new Date(Date.now() - preset).toISOString() : range === 'custom' ? fromParam || undefined : undefined,
      to: range === 'custom' ? toParam || undefined : undefined,
    };
  };
  const [search, setSearch] = useState(q);
  const typed = useRef(q);
  const now = useNow(5000);
  useDocumentTitle('Executions · Flowgate');

  const [workflows, setWorkflows] = useState<WorkflowSummary[]>([]);
  useEffect(() => {
    api.workflows().then((r) => setWorkflows(r.results), () => setWorkflows([]));
  }, [api]);

  // The first page refreshes by itself; "Load more" appends older (or newer) pages by cursor.
  // A custom range that ends before it starts is not asked for (the API refuses it): it is said instead.
  const badRange = range === 'custom' && !!fromParam && !!toParam && Date.parse(fromParam) >= Date.parse(toParam);
  const first = usePolling(() => (badRange ? Promise.resolve({ results: [], nextCursor: null, total: 0, truncated: false }) : api.listExecutions(query())), [filterKey], 5000);
  const [extra, setExtra] = useState<{ key: string; rows: ExecutionRow[]; cursor: string | null } | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const pages = extra?.key === filterKey ? extra : null;
  const rows = [...(first.data?.results ?? []), ...(pages?.rows ?? [])].filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i);
  const cursor = pages ? pages.cursor : (first.data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!cursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await api.listExecutions({ ...query(), cursor });
      setExtra({ key: filterKey, rows: [...(pages?.rows ?? []), ...page.results], cursor: page.nextCursor });
    } catch (err) {
      setMoreError((err as Error).message);
    } finally {
      setMoreBusy(false);
    }
  };

  // Read from the address at call time, not from this render: the search applies after a pause, and
  // another filter may have changed meanwhile.
  const setFilter = (next: { status?: string[]; workflowId?: string; order?: string; q?: string; range?: string; from?: string; to?: string }) => {
    const cur = new URLSearchParams(window.location.search);
    const curRange = RANGES.some((r) => r.value === cur.get('range')) ? cur.get('range')! : cur.get('from') || cur.get('to') ? 'custom' : '';
    const p = new URLSearchParams();
    const st = next.status ?? (cur.get('status') ?? '').split(',').filter(isExecutionStatus);
    const wf = next.workflowId ?? cur.get('workflowId') ?? '';
    const od = next.order ?? cur.get('order') ?? 'desc';
    const qq = (next.q ?? cur.get('q') ?? '').trim();
    const rg = next.range ?? curRange;
    if (st.length) p.set('status', st.join(','));
    if (wf) p.set('workflowId', wf);
    if (od === 'asc') p.set('order', 'asc');
    if (qq) p.set('q', qq);
    if (rg && rg !== 'custom') p.set('range', rg);
    if (rg === 'custom') {
      const f = next.from ?? cur.get('from') ?? '';
      const t = next.to ?? cur.get('to') ?? '';
      p.set('range', 'custom');
      if (f) p.set('from', f);
      if (t) p.set('to', t);
    }
    if (cur.get('limit')) p.set('limit', cur.get('limit')!);
    const qs = p.toString();
    navigate(`/executions${qs ? `?${qs}` : ''}`, { replace: true });
  };

  // The search applies as you type (after a pause) and on Enter.
  useEffect(() => {
    if (search === typed.current) return;
    const t = setTimeout(() => {
      typed.current = search;
      setFilter({ q: search });
    }, 400);
    return () => clearTimeout(t);
  }, [search]);
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    typed.current = search;
    setFilter({ q: search });
  };
  const total = first.data?.total;
  const truncated = !!first.data?.truncated;
  const filtered = statuses.length > 0 || !!workflowId || !!q || !!range;
  const toggle = (s: ExecutionStatus) => setFilter({ status: statuses.includes(s) ? statuses.filter((x) => x !== s) : [...statuses, s] });

  return (
    <div>
      <PageHeader title="Executions" sub="Every run of every workflow." />
      <div className="filters card">
        <fieldset className="filter-group">
          <legend>Status</legend>
          <div className="chips">
            {EXECUTION_STATUSES.map((s) => (
              <button key={s} type="button" className={`chip${statuses.includes(s) ? ' on' : ''}`} aria-pressed={statuses.includes(s)} onClick={() => toggle(s)}>
                {statusLabel(s)}
              </button>
            ))}
            {statuses.length ? (
              <button type="button" className="chip chip-clear" onClick={() => setFilter({ status: [] })}>
                Any status
              </button>
            ) : null}
          </div>
        </fieldset>
        <form className="filter-row" role="search" onSubmit={onSearch}>
          <label className="inline-field list-search">
            <span>Search</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Host, user, rule, alert id or execution id" aria-describedby="search-help" />
          </label>
          <span id="search-help" className="sr-only">
            Finds executions whose host, user, rule, alert id or execution id contains the text.
          </span>
        </form>
        <div className="filter-row">
          <label className="inline-field">
            <span>Time range</span>
            <select value={range} onChange={(e) => setFilter({ range: e.target.value, ...(e.target.value === 'custom' && !fromParam ? { from: new Date(Date.now() - 24 * 3600_000).toISOString() } : {}) })}>
              {RANGES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          {range === 'custom' ? (
            <span className="range-custom">
              <label className="inline-field">
                <span>From</span>
                <input type="datetime-local" value={fromParam ? toLocalInput(fromParam) : ''} onChange={(e) => setFilter({ range: 'custom', from: fromLocalInput(e.target.value) })} />
              </label>
              <label className="inline-field">
                <span>To</span>
                <input type="datetime-local" value={toParam ? toLocalInput(toParam) : ''} onChange={(e) => setFilter({ range: 'custom', to: fromLocalInput(e.target.value) })} />
              </label>
            </span>
          ) : null}
          {badRange ? (
            <span className="field-error" role="alert">
              “From” must be before “To”.
            </span>
          ) : null}
          <label className="inline-field">
            <span>Workflow</span>
            <select value={workflowId} onChange={(e) => setFilter({ workflowId: e.target.value })}>
              <option value="">All workflows</option>
              {workflows.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
              {workflowId && !workflows.some((w) => w.id === workflowId) ? <option value={workflowId}>{workflowId}</option> : null}
            </select>
          </label>
          <label className="inline-field">
            <span>Order</span>
            <select value={order} onChange={(e) => setFilter({ order: e.target.value })}>
              <option value="desc">Newest first</option>
              <option value="asc">Oldest first</option>
            </select>
          </label>
        </div>
      </div>
      {first.error ? <ErrorNotice error={first.error} title="Could not load executions." /> : null}
      {first.data && typeof total === 'number' ? (
        <p className="list-total" data-testid="total" aria-live="polite">
          {truncated ? '≥ ' : ''}
          {total.toLocaleString('en-US')} {total === 1 && !truncated ? (filtered ? 'execution matches' : 'execution') : filtered ? 'executions match' : 'executions'}
          {truncated ? <span className="muted small"> (counted up to the scan limit)</span> : null}
        </p>
      ) : null}
      {!first.data && first.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState title="No executions" icon="∅">
          <p>{filtered ? 'None match these filters.' : 'Nothing has run yet.'}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table className="table">
            <caption className="sr-only">Executions</caption>
            <thead>
              <tr>
                <th scope="col">Outcome</th>
                <th scope="col">Workflow</th>
                <th scope="col">Host</th>
                <th scope="col" className="hide-sm">
                  Rule
                </th>
                <th scope="col">Answered by</th>
                <th scope="col">Started</th>
                <th scope="col" className="hide-sm">
                  Duration
                </th>
                <th scope="col" className="hide-sm">
                  Execution
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const detail = outcomeDetail(r);
                return (
                  <tr key={r.id} data-id={r.id}>
                    <td data-col="outcome">
                      <StatusBadge status={r.status} />
                      {detail ? <span className="outcome-detail">{detail}</span> : null}
                    </td>
                    <td>
                      <Link to={`/executions/${encodeURIComponent(r.id)}`} className="row-link">
                        {r.workflowName}
                      </Link>
                      {r.waitingFor?.title ? <div className="muted small clamp">{r.waitingFor.title}</div> : null}
                      {r.rerunOf ? <div className="muted small">re-run</div> : null}
                    </td>
                    <td data-col="host" className="cell-wrap">
                      {r.summary?.host ?? <span className="muted">—</span>}
                    </td>
                    <td data-col="rule" className="hide-sm cell-wrap">
                      {r.summary?.rule ?? <span className="muted">—</span>}
                    </td>
                    <td data-col="answered">
                      {r.answeredBy ? (
                        <>
                          <strong>{r.answeredBy.by}</strong>
                          <div className="muted small">
                            <Time value={r.answeredBy.at} />
                            {r.answeredBy.channel ? ` · ${CHANNEL_LABEL[r.answeredBy.channel] ?? r.answeredBy.channel}` : ''}
                          </div>
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <Time value={r.startedAt ?? r.createdAt} seconds />
                    </td>
                    <td className="hide-sm">{between(r.startedAt ?? r.createdAt, r.finishedAt, now)}</td>
                    <td className="mono hide-sm" title={r.id}>
                      {shortId(r.id)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {moreError ? <ErrorNotice error={moreError} /> : null}
      {cursor && rows.length ? (
        <div className="more">
          <button type="button" className="btn" onClick={loadMore} disabled={moreBusy}>
            {moreBusy ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
