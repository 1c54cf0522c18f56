import { useSession } from '../lib/session';
import { useDocumentTitle, usePolling } from '../lib/hooks';
import { Link } from '../lib/router';
import { shortTime } from '../lib/format';
import { EmptyState, ErrorNotice, Loading, PageHeader, Pill } from '../components/common';

export function WorkflowsPage() {
  const { api } = useSession();
  const { data, error, loading } = usePolling(() => api.workflows(), [], 15000);
  useDocumentTitle('Workflows · Flowgate');
  const rows = data?.results ?? [];
  return (
    <div>
      <PageHeader title="Workflows" sub="Definitions that run on alerts, by hand or on a schedule." />
      {error ? <ErrorNotice error={error} title="Could not load workflows." /> : null}
      {!data && loading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <EmptyState title="No workflows yet" icon="∅">
          <p>
            Add one with <code>PUT /api/workflows/&lt;id&gt;</code> or <code>flowgate</code>'s CLI.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap card">
          <table className="table">
            <caption className="sr-only">Workflows</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Triggers</th>
                <th scope="col">State</th>
                <th scope="col" className="hide-sm">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/workflows/${encodeURIComponent(w.id)}`} className="row-link">
                      {w.name}
                    </Link>
                    <div className="muted small mono">{w.id}</div>
                  </td>
                  <td>{(w.triggers ?? []).map((t) => t.type).join(', ') || '—'}</td>
                  <td>
                    <span className="pills">
                      {w.enabled ? <Pill tone="green">Enabled</Pill> : <Pill tone="gray">Disabled</Pill>}
                      {w.valid ? null : <Pill tone="red">Invalid</Pill>}
                    </span>
                  </td>
                  <td className="hide-sm">{shortTime(w.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
