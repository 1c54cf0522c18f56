/**
 * The paused step: its message first (the decision and the evidence), then the answer: two big
 * buttons for waitForApproval, a schema form for waitForInput. Answers go to
 * POST /api/workflowExecutions/{id}/resume?step=<waitingFor.step> with the form data as the body.
 */
import { forwardRef, useEffect, useId, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { ApiError, type ErrorDetail, type Execution, type WaitingFor } from '../lib/api';
import { age, dateTime, deadlineInfo } from '../lib/format';
import { useNow } from '../lib/hooks';
import { useSession } from '../lib/session';
import { AnswerErrors } from './AnswerParts';
import { Markdown } from './common';
import { SchemaForm, detailMessage, type SchemaFormHandle } from './SchemaForm';
import { scrollBelowHeader } from '../execution/scroll';

export interface Outcome {
  kind: 'accepted' | 'conflict' | 'stale' | 'error';
  message: string;
  detail?: string;
}

export interface DecisionHandle {
  focus: () => void;
}

/** Focus is where text is typed: a/r must not answer then. */
const typing = (el: Element | null): boolean => !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable);

interface Props {
  execution: Execution;
  waiting: WaitingFor;
  onAnswered: (outcome: Outcome) => void;
}

/** The 409 answer in words: who answered and when, or the status the execution is in now. */
export function conflictMessage(err: ApiError): Outcome {
  const d: ErrorDetail = err.details?.[0] ?? {};
  if (err.code === 'step_not_waiting') {
    return { kind: 'stale', message: 'This form is out of date: the execution is no longer waiting at this step.', detail: 'The view has been refreshed with its current state.' };
  }
  if (d.respondedBy) {
    return { kind: 'conflict', message: `Already answered by ${d.respondedBy}${d.respondedAt ? ` at ${dateTime(d.respondedAt)}` : ''}.`, detail: 'Your answer was not recorded. The workflow continued with theirs.' };
  }
  const status = d.status ?? /execution is (\w+)/.exec(err.message)?.[1];
  if (status === 'CANCELLED') return { kind: 'conflict', message: 'This execution was cancelled before your answer arrived.', detail: 'Your answer was not recorded.' };
  if (status === 'COMPLETED' || status === 'FAILED') return { kind: 'conflict', message: `This execution is already ${status.toLowerCase()}.`, detail: 'Your answer was not recorded.' };
  return { kind: 'conflict', message: `This execution is no longer waiting for input${status ? ` (it is ${status})` : ''}.`, detail: err.message };
}

export const DecisionPanel = forwardRef<DecisionHandle, Props>(function DecisionPanel({ execution, waiting, onAnswered }, ref) {
  const { api, canReview } = useSession();
  const [busy, setBusy] = useState(false);
  const [serverErrors, setServerErrors] = useState<ErrorDetail[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const formRef = useRef<SchemaFormHandle>(null);
  const approvalRef = useRef<HTMLDivElement>(null);
  const now = useNow(5000);
  const headingId = useId();
  const sectionRef = useRef<HTMLElement>(null);
  const [oneClick, setOneClick] = useState(false);

  useImperativeHandle(ref, () => ({
    focus: () => {
      if (waiting.type === 'waitForApproval') approvalRef.current?.querySelector<HTMLElement>('button.btn-approve')?.focus({ preventScroll: true });
      else formRef.current?.focus();
      // The card's head (what is asked, about which host) stays in view, below a phone's sticky header.
      scrollBelowHeader(sectionRef.current);
    },
  }));

  // a / r approve or reject (a waitForApproval, or a yes/no form answered in one click) when focus is not in a text field.
  useEffect(() => {
    if (!canReview) return;
    setOneClick(!!sectionRef.current?.querySelector('.btn-approve'));
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k !== 'a' && k !== 'r') return;
      if (typing(document.activeElement) || document.querySelector('dialog[open]')) return;
      const btn = sectionRef.current?.querySelector<HTMLButtonElement>(k === 'a' ? 'button.btn-approve' : 'button.btn-reject');
      if (!btn || btn.disabled) return;
      e.preventDefault();
      btn.focus({ preventScroll: true });
      btn.click();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const send = async (answer: unknown) => {
    setBusy(true);
    setFailure(null);
    try {
      await api.resume(execution.id, waiting.step, answer);
      setServerErrors([]);
      onAnswered({ kind: 'accepted', message: 'Answer sent. The workflow is resuming.' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.details.length) {
        setServerErrors(err.details);
        setFailure(err.code === 'validation_failed' ? 'The server did not accept this answer.' : err.message);
      } else if (err instanceof ApiError && err.status === 409) {
        setServerErrors([]);
        onAnswered(conflictMessage(err));
      } else if (err instanceof ApiError && err.status === 403) {
        setFailure('Your API key may not answer reviews (the reviewer role is needed).');
      } else {
        setFailure((err as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  // A stable schema object across polls (each poll parses a new one), so the form keeps its state and errors.
  const schemaText = JSON.stringify(waiting.schema ?? null);
  const schema = useMemo(() => JSON.parse(schemaText) as WaitingFor['schema'], [schemaText]);
  const isApproval = waiting.type === 'waitForApproval';
  const host = waiting.context?.host ?? execution.summary?.host ?? null;
  const deadline = deadlineInfo(waiting, now);
  return (
    <section className="card decision" aria-labelledby={headingId} ref={sectionRef}>
      <div className="decision-head">
        <span className="decision-kicker" id={headingId}>
          Decision needed
        </span>
        <span className="muted small">
          step <code>{waiting.step}</code> · waiting {age(waiting.since, now)}
          {waiting.deadline ? (
            <>
              {' · '}
              <span className={`decision-deadline ${deadline.className}`} title={deadline.title}>
                {deadline.text}
              </span>
            </>
          ) : null}
        </span>
      </div>
      {host ? (
        <div className="decision-about" data-testid="decision-host">
          <span className="muted">Host</span> <strong className="decision-host">{host}</strong>
        </div>
      ) : null}
      <Markdown source={waiting.message} className="decision-message" label="Message" />
      {!canReview ? (
        <p className="notice notice-info">You can read this request, but your API key may not answer it (the reviewer role is needed).</p>
      ) : (
        <div className="decision-answer">
          {failure ? <AnswerErrors failure={failure} serverErrors={serverErrors} schema={isApproval ? APPROVAL_SCHEMA : schema} /> : null}
          {isApproval ? (
            <ApprovalForm ref={approvalRef} waiting={waiting} busy={busy} onSubmit={send} serverErrors={serverErrors} />
          ) : (
            <SchemaForm ref={formRef} id={`answer-${waiting.step.replace(/[^A-Za-z0-9_-]/g, '_')}`} schema={schema} serverErrors={serverErrors} submitLabel={waiting.schema ? 'Submit answer' : 'Continue'} busy={busy} onSubmit={send} />
          )}
          {oneClick ? (
            <p className="kbd-hint muted small decision-keys">
              <kbd>A</kbd> {isApproval ? waiting.approveLabel || 'Approve' : 'Yes'} · <kbd>R</kbd> {isApproval ? waiting.rejectLabel || 'Decline' : 'No'} (when not typing)
            </p>
          ) : null}
        </div>
      )}
    </section>
  );
});

const APPROVAL_SCHEMA = { type: 'object', properties: { approved: { type: 'boolean', title: 'Decision' }, notes: { type: 'string', title: 'Notes' } } };

const ApprovalForm = forwardRef<HTMLDivElement, { waiting: WaitingFor; busy: boolean; onSubmit: (answer: unknown) => void; serverErrors: ErrorDetail[] }>(function ApprovalForm({ waiting, busy, onSubmit, serverErrors }, ref) {
  const [notes, setNotes] = useState('');
  const notesId = useId();
  const approve = waiting.approveLabel || 'Approve';
  const reject = waiting.rejectLabel || 'Decline';
  const answer = (approved: boolean) => onSubmit(notes.trim() ? { approved, notes } : { approved });
  const notesErrors = serverErrors.filter((d) => d.path === '/notes');
  return (
    <div className="approval" ref={ref}>
      <label htmlFor={notesId} className="field-label">
        Notes <span className="muted">(optional)</span>
      </label>
      <textarea id={notesId} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Why? Recorded with your decision." disabled={busy} aria-invalid={notesErrors.length > 0} />
      {notesErrors.map((d, i) => (
        <div key={i} className="field-error">
          {detailMessage(d)}
        </div>
      ))}
      <div className="approval-buttons">
        <button type="button" className="btn btn-approve btn-xl" onClick={() => answer(true)} disabled={busy}>
          <span aria-hidden="true">✓ </span>
          {approve}
        </button>
        <button type="button" className="btn btn-reject btn-xl" onClick={() => answer(false)} disabled={busy}>
          <span aria-hidden="true">✕ </span>
          {reject}
        </button>
      </div>
    </div>
  );
});
