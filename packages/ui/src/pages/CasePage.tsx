import { useState, type FormEvent } from 'react';
import type { CaseStatus, CaseWithComments } from '../lib/api';
import { dateTime } from '../lib/format';
import { useDocumentTitle, usePolling } from '../lib/hooks';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, Markdown, PageHeader, Pill } from '../components/common';
import { caseStatusLabel, caseStatusTone, severityTone } from './CasesPage';
import { AlertsCard, EventsCard, ObservablesCard, OtherAttachmentsCard } from './CaseAttachments';

export function CasePage({ id }: { id: string }) {
  const { api, canReview } = useSession();
  const { data: c, error, loading, reload, setData } = usePolling<CaseWithComments>(() => api.case(id), [id], 5000);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  useDocumentTitle(c ? `${c.title} · Case · Flowgate` : 'Case · Flowgate');

  if (loading && !c) return <Loading />;
  if (!c) {
    if (error?.status === 404)
      return (
        <EmptyState title="Case not found" icon="?">
          <p>
            <Link to="/cases">See all cases</Link>.
          </p>
        </EmptyState>
      );
    return <ErrorNotice error={error} title="Could not load the case." />;
  }

  const addComment = async (e: FormEvent) => {
    e.preventDefault();
    if (!comment.trim()) {
      setActionError('Write a comment first.');
      return;
    }
    setBusy(true);
    setActionError(null);
    try {
      await api.addComment(c.id, comment);
      setComment('');
      await reload();
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = async (status: CaseStatus) => {
    setBusy(true);
    setActionError(null);
    try {
      const updated = await api.setCaseStatus(c.id, status);
      setData({ ...c, ...updated, comments: c.comments });
      await reload();
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const comments = c.comments ?? [];
  return (
    <div>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/cases">Cases</Link>
        <span aria-hidden="true"> / </span>
        <span className="mono">{c.id}</span>
      </nav>
      <PageHeader
        title={<span className="break">{c.title}</span>}
        sub={
          <>
            <Pill tone={severityTone(c.severity)}>{c.severity}</Pill>
            <Pill tone={caseStatusTone(c.status)}>{caseStatusLabel(c.status)}</Pill>
            {c.tags?.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
            <span className="muted">opened {dateTime(c.createdAt)}</span>
          </>
        }
      >
        {canReview ? (
          <label className="inline-field">
            <span>Status</span>
            <select value={c.status} onChange={(e) => void setStatus(e.target.value as CaseStatus)} disabled={busy}>
              <option value="open">Open</option>
              <option value="in-progress">In progress</option>
              <option value="closed">Closed</option>
            </select>
          </label>
        ) : null}
      </PageHeader>
      {error ? <ErrorNotice error={error} title="Live updates paused:" /> : null}
      {actionError ? <ErrorNotice error={actionError} /> : null}
      <div className="case-grid">
        <div>
          {c.description ? (
            <section className="card">
              <h2 className="card-title">Description</h2>
              <Markdown source={c.description} label="Description" />
            </section>
          ) : null}
          <ObservablesCard observables={c.observables ?? []} />
          <AlertsCard alerts={c.alerts ?? []} />
          <EventsCard events={c.events ?? []} />
          <OtherAttachmentsCard attachments={c.attachments ?? []} />
          <section className="card" aria-labelledby="comments-h">
            <h2 id="comments-h" className="card-title">
              Comments <span className="muted">({comments.length})</span>
            </h2>
            {comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
            <ol className="comments">
              {comments.map((m) => (
                <li key={m.id} className="comment">
                  <div className="comment-head">
                    <span className="avatar" aria-hidden="true">
                      {(m.author || '?').charAt(0).toUpperCase()}
                    </span>
                    <strong>{m.author}</strong>
                    <span className="muted small">{dateTime(m.createdAt)}</span>
                  </div>
                  <Markdown source={m.comment} className="comment-body" label={`Comment by ${m.author}`} />
                </li>
              ))}
            </ol>
            {canReview ? (
              <form className="comment-form" onSubmit={addComment}>
                <label htmlFor="new-comment" className="field-label">
                  Add a comment <span className="muted">(Markdown)</span>
                </label>
                <textarea id="new-comment" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} disabled={busy} />
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary" disabled={busy}>
                    {busy ? 'Saving…' : 'Comment'}
                  </button>
                </div>
              </form>
            ) : null}
          </section>
        </div>
        <aside>
          <section className="card">
            <h2 className="card-title">Details</h2>
            <dl className="facts">
              <div>
                <dt>Execution</dt>
                <dd className="mono break">{c.executionId ? <Link to={`/executions/${encodeURIComponent(c.executionId)}`}>{c.executionId}</Link> : '—'}</dd>
              </div>
              <div>
                <dt>Assignees</dt>
                <dd>{c.assignees?.length ? c.assignees.map((a) => a.uid).join(', ') : '—'}</dd>
              </div>
              <div>
                <dt>Category</dt>
                <dd>{c.category ?? '—'}</dd>
              </div>
              <div>
                <dt>Tags</dt>
                <dd>{c.tags?.length ? c.tags.join(', ') : '—'}</dd>
              </div>
              {(c.customFields ?? []).map((f) => (
                <div key={f.key}>
                  <dt>{f.key}</dt>
                  <dd className="break">{f.value === null ? '—' : String(f.value)}</dd>
                </div>
              ))}
              {c.closedAt ? (
                <div>
                  <dt>Closed</dt>
                  <dd>{dateTime(c.closedAt)}</dd>
                </div>
              ) : null}
              <div>
                <dt>Updated</dt>
                <dd>{dateTime(c.updatedAt)}</dd>
              </div>
              <div>
                <dt>Case id</dt>
                <dd className="mono break">{c.id}</dd>
              </div>
            </dl>
          </section>
        </aside>
      </div>
    </div>
  );
}
