import { useState } from 'react';
import type { Case } from '../lib/api';
import { shortTime } from '../lib/format';
import { useDocumentTitle, usePolling } from '../lib/hooks';
import { Link, useRouter, useSearchParams } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, PageHeader, Pill } from '../components/common';

export const severityTone = (s: string) => (s === 'critical' || s === 'high' ? 'red' : s === 'medium' ? 'amber' : 'gray') as 'red' | 'amber' | 'gray';
export const caseStatusTone = (s: string) => (s === 'open' ? 'blue' : s === 'in-progress' ? 'amber' : 'gray') as 'blue' | 'amber' | 'gray';
export const caseStatusLabel = (s: string) => (s === 'in-progress' ? 'In progress' : s.charAt(0).toUpperCase() + s.slice(1));

export function CasesPage() {
  const { api } = useSession();
  const { navigate } = useRouter();
  const status = useSearchParams().get('status') ?? '';
  useDocumentTitle('Cases · Flowgate');
  const first = usePolling(() => api.cases({ status: status || undefined, limit: 25 }), [status], 10000);
  const [extra, setExtra] = useState<{ key: string; rows: Case[]; cursor: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const pages = extra?.key === status ? extra : null;
  const rows = [...(first.data?.results ?? []), ...(pages?.rows ?? [])].filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i);
  const cursor = pages ? pages.cursor : (first.data?.nextCursor ?? null);
  const more = async () => {
    if (!cursor) return;
    setBusy(true);
    try {
      const p = await api.cases({ status: status || undefined, limit: 25, cursor });
      setExtra({ key: status, rows: [...(pages?.rows ?? []), ...p.results], cursor: p.nextCursor });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <PageHeader title="Cases" sub="Opened and annotated by workflows and reviewers.">
        <label className="inline-field">
          <span>Status</span>
          <select value={status} onChange={(e) => navigate(e.target.value ? `/cases?status=${e.target.value}` : '/cases', { replace: true })}>
            <option value="">Any</option>
            <option value="open">Open</option>
            <option value="in-progress">In progress</option>
            <option value="closed">Closed</option>
          </select>
        </label>
      </PageHeader>
      {first.error ? <ErrorNotice error={first.error} title="Could not load cases." /> : null}
      {!first.data && first.loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState title="No cases" icon="∅">
          <p>{status ? 'None with this status.' : 'Workflows open cases with the cases.createCase step.'}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table className="table">
            <caption className="sr-only">Cases</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-sm">
                  Opened
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/cases/${encodeURIComponent(c.id)}`} className="row-link break">
                      {c.title}
                    </Link>
                    {c.tags?.length ? <div className="muted small">{c.tags.join(' · ')}</div> : null}
                  </td>
                  <td>
                    <Pill tone={severityTone(c.severity)}>{c.severity}</Pill>
                  </td>
                  <td>
                    <Pill tone={caseStatusTone(c.status)}>{caseStatusLabel(c.status)}</Pill>
                  </td>
                  <td className="hide-sm">{shortTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && rows.length ? (
        <div className="more">
          <button type="button" className="btn" onClick={more} disabled={busy}>
            {busy ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
