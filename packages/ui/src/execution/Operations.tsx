/** Operations on an execution: re-run a failed or cancelled one, cancel with a reason, and the links between runs. */
import { useId, useState } from 'react';
import { ApiError, type Execution } from '../lib/api';
import { shortId } from '../lib/format';
import { Link, useRouter } from '../lib/router';
import { useSession } from '../lib/session';
import { ConfirmDialog } from '../components/common';
import './execution.css';

export const canRerun = (status: string): boolean => status === 'FAILED' || status === 'CANCELLED';

/** "Re-run": a new execution of the same workflow with the same event and inputs; opens it. */
export function RerunButton({ exec, fromQuery, onError }: { exec: Execution; fromQuery: string; onError: (message: string | null) => void }) {
  const { api, canReview } = useSession();
  const { navigate } = useRouter();
  const [busy, setBusy] = useState(false);
  if (!canReview || !canRerun(exec.status)) return null;
  const rerun = async () => {
    setBusy(true);
    onError(null);
    try {
      const r = await api.rerun(exec.id);
      navigate(`/executions/${encodeURIComponent(r.executionId)}${fromQuery}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_rerunnable') onError('Only a failed or cancelled execution can be re-run.');
      else onError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn btn-primary" onClick={rerun} disabled={busy} title="Start this workflow again with the same event and inputs">
      {busy ? 'Starting…' : 'Re-run'}
    </button>
  );
}

/** "Re-run of <id>" and "Re-run as <id>": the runs before and after this one. */
export function RerunLinks({ exec, fromQuery }: { exec: Execution; fromQuery: string }) {
  const reruns = exec.reruns ?? [];
  if (!exec.rerunOf && reruns.length === 0) return null;
  const link = (id: string) => (
    <Link to={`/executions/${encodeURIComponent(id)}${fromQuery}`} className="mono" title={id}>
      {shortId(id)}
    </Link>
  );
  return (
    <div className="rerun-links" data-testid="rerun-links">
      {exec.rerunOf ? <span data-testid="rerun-of">Re-run of {link(exec.rerunOf)}</span> : null}
      {reruns.length ? (
        <span data-testid="rerun-as">
          Re-run as{' '}
          {reruns.map((id, i) => (
            <span key={id}>
              {i ? ', ' : ''}
              {link(id)}
            </span>
          ))}
        </span>
      ) : null}
    </div>
  );
}

/** The cancel confirmation, with an optional reason (stored as cancellation.comment, at most 1,000 characters). */
export function CancelDialog({ open, exec, busy, onConfirm, onClose }: { open: boolean; exec: Execution; busy: boolean; onConfirm: (reason: string) => void; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const reasonId = useId();
  return (
    <ConfirmDialog
      open={open}
      title="Cancel this execution?"
      confirmLabel="Cancel execution"
      danger
      busy={busy}
      onConfirm={() => onConfirm(reason.trim())}
      onClose={onClose}
    >
      <p>
        <strong>{exec.workflowName}</strong> stops now: the step in flight is aborted and no further step runs. {exec.status === 'WAITING_FOR_INPUT' ? 'The pending decision is discarded.' : ''} This cannot be undone.
      </p>
      <label htmlFor={reasonId} className="field-label">
        Reason <span className="muted">(optional, shown on the execution)</span>
      </label>
      <textarea id={reasonId} className="cancel-reason" rows={3} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. Duplicate of another alert; handled by phone." />
    </ConfirmDialog>
  );
}
