import { useEffect, useState } from 'react';
import type { ExecutionRow, ExecutionStatus, WorkflowSummary } from '../lib/api';
import { EXECUTION_STATUSES, isExecutionStatus } from '../lib/status';
import { between, shortId, shortTime, statusLabel } from '../lib/format';
import { useDocumentTitle, useNow, usePolling } from '../lib/hooks';
import { Link, useRouter, useSearchParams } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from '../components/common';

export function ExecutionsPage() {
  const { api } = useSession();
  const { navigate } = useRouter();
  const params = useSearchParams();
  const statuses = (params.get('status') ?? '').split(',').filter(isExecutionStatus);
  const workflowId = params.get('workflowId') ?? '';
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const pageSize = Math.min(500, Math.max(1, Number(params.get('limit')) || 25));
  const filterKey = `${statuses.join(',')}|${workflowId}|${order}|${pageSize}`;
  const now = useNow(5000);
  useDocumentTitle('Executions · Flowgate');

  const [workflows, setWorkflows] = useState<WorkflowSummary[]>([]);
  useEffect(() => {
    api.workflows().then((r) => setWorkflows(r.results), () => setWorkflows([]));
  }, [api]);

  // The first page refreshes by itself; "Load more" appends older (or newer) pages by cursor.
  const first = usePolling(() => api.listExecutions({ status: statuses, workflowId: workflowId || undefined, order, limit: pageSize }), [filterKey], 5000);
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
      const page = await api.listExecutions({ status: statuses, workflowId: workflowId || undefined, order, limit: pageSize, cursor });
      setExtra({ key: filterKey, rows: [...(pages?.rows ?? []), ...page.results], cursor: page.nextCursor });
    } catch (err) {
      setMoreError((err as Error).message);
    } finally {
      setMoreBusy(false);
    }
  };

  const setFilter = (next: { status?: string[]; workflowId?: string; order?: string }) => {
    const p = new URLSearchParams();
    const st = next.status ?? statuses;
    const wf = next.workflowId ?? workflowId;
    const od = next.order ?? order;
    if (st.length) p.set('status', st.join(','));
    if (wf) p.set('workflowId', wf);
    if (od === 'asc') p.set('order', 'asc');
    if (params.get('limit')) p.set('limit', String(pageSize));
    const qs = p.toString();
    navigate(`/executions${qs ? `?${qs}` : ''}`, { replace: true });
  };
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
        <div className="filter-row">
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
      {!first.data && first.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState title="No executions" icon="∅">
          <p>{statuses.length || workflowId ? 'None match these filters.' : 'Nothing has run yet.'}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table className="table">
            <caption className="sr-only">Executions</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Workflow</th>
                <th scope="col" className="hide-sm">
                  Execution
                </th>
                <th scope="col">Started</th>
                <th scope="col" className="hide-sm">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>
                    <Link to={`/executions/${encodeURIComponent(r.id)}`} className="row-link">
                      {r.workflowName}
                    </Link>
                    {r.waitingFor?.title ? <div className="muted small clamp">{r.waitingFor.title}</div> : null}
                  </td>
                  <td className="mono hide-sm" title={r.id}>
                    {shortId(r.id)}
                  </td>
                  <td>{shortTime(r.startedAt ?? r.createdAt)}</td>
                  <td className="hide-sm">{between(r.startedAt ?? r.createdAt, r.finishedAt, now)}</td>
                </tr>
              ))}
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
