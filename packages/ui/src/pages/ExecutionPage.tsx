import { useEffect, useRef, useState } from 'react';
import { ApiError, type Execution, type StepRecord } from '../lib/api';
import { isTerminal } from '../lib/status';
import { between, dateTime, duration } from '../lib/format';
import { useDocumentTitle, useNow, usePolling } from '../lib/hooks';
import { Link, useRouter, useSearchParams } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, JsonDetails, LiveBadge, Loading, Markdown, StatusBadge, Time } from '../components/common';
import { DecisionPanel, type DecisionHandle, type Outcome } from '../components/DecisionPanel';
import { CHANNEL_LABEL, DecisionRecord, finishedWaits, type DecisionRecordHandle } from '../execution/DecisionRecord';
import { AiCard, AlertFields, HitsTable, searchHits, verdicts } from '../execution/Evidence';
import { NextRequestButton } from '../execution/NextRequest';
import { NotificationBadges } from '../execution/Notifications';
import { CancelDialog, RerunButton, RerunLinks } from '../execution/Operations';
import { ChildLinkLine, ParentLinkLine } from '../execution/CompositionLinks';
import { RelatedPanel } from '../execution/Related';
import { scrollBelowHeader } from '../execution/scroll';
import { openedCase, summaryOf, SummaryBar } from '../execution/SummaryBar';
import '../execution/execution.css';

const depth = (path: string) => path.split('/').length - 1;

export function ExecutionPage({ id }: { id: string }) {
  const { api, canReview } = useSession();
  const { navigate } = useRouter();
  const params = useSearchParams();
  const wantResume = params.get('resume') === 'true';
  const fromInbox = params.get('from') === 'inbox';
  // Links to other executions keep saying where the reviewer came from (the sidebar shows Inbox for them).
  const fromQuery = fromInbox ? '?from=inbox' : '';
  const { data: exec, error, loading, reload, offline, lastOkAt } = usePolling<Execution>(() => api.execution(id), [id], (e) => (e && isTerminal(e.status) ? null : 1000));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [cancelBusy, setCancelBusy] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [opError, setOpError] = useState<string | null>(null);
  const decisionRef = useRef<DecisionHandle>(null);
  const recordRef = useRef<DecisionRecordHandle>(null);
  const focused = useRef(false);
  /** the wait answered from this view: its decision card takes the focus when it appears */
  const focusRecordOf = useRef<string | null>(null);
  const now = useNow(1000);

  useDocumentTitle(exec ? `${exec.status === 'WAITING_FOR_INPUT' ? '● ' : ''}${exec.workflowName} · Execution · Flowgate` : 'Execution · Flowgate');

  const records = exec ? finishedWaits(exec.steps) : [];
  const latestRecord = records[0]?.path ?? null;

  // ?resume=true (the inbox, "Next request") puts the focus on the answer as soon as it is drawn; when the
  // request was answered meanwhile, on its decision card.
  useEffect(() => {
    if (!wantResume || focused.current || !exec) return;
    if (exec.waitingFor && exec.status === 'WAITING_FOR_INPUT') {
      focused.current = true;
      requestAnimationFrame(() => decisionRef.current?.focus());
    } else if (latestRecord) {
      focused.current = true;
      requestAnimationFrame(() => {
        recordRef.current?.focus();
        scrollBelowHeader(recordRef.current?.element() ?? null);
      });
    }
  }, [wantResume, exec?.waitingFor, latestRecord]);

  // A new wait (a later step, or the same step after a stale answer) starts with a clean slate.
  const waitKey = exec?.waitingFor ? `${exec.waitingFor.step}@${exec.waitingFor.since}` : null;
  const lastWait = useRef<string | null>(null);
  const answeredHere = useRef(false);
  useEffect(() => {
    if (waitKey && lastWait.current && waitKey !== lastWait.current) setOutcome(null);
    // The wait this view showed went away without an answer from here: say who answered it (or why it ended).
    if (lastWait.current && waitKey !== lastWait.current && !answeredHere.current && exec) {
      const step = lastWait.current.split('@')[0];
      const rec = exec.steps.find((s) => s.path === step);
      if (rec?.respondedBy) setOutcome({ kind: 'conflict', message: `Answered by ${rec.respondedBy} at ${dateTime(rec.respondedAt)}.`, detail: 'Someone else answered this request while you were viewing it.' });
      else if (exec.status === 'CANCELLED') setOutcome({ kind: 'conflict', message: 'This execution was cancelled while you were viewing it.' });
    }
    answeredHere.current = false;
    lastWait.current = waitKey;
  }, [waitKey]);

  // After an answer from here: the next wait's form when the workflow asks again, else the decision card.
  useEffect(() => {
    const step = focusRecordOf.current;
    if (!step || !exec) return;
    if (exec.waitingFor && exec.status === 'WAITING_FOR_INPUT' && exec.waitingFor.step !== step) {
      focusRecordOf.current = null;
      requestAnimationFrame(() => decisionRef.current?.focus());
    } else if (latestRecord === step) {
      focusRecordOf.current = null;
      requestAnimationFrame(() => recordRef.current?.focus());
    }
  }, [latestRecord, waitKey]);

  if (loading && !exec) return <Loading label="Loading execution…" />;
  if (!exec) {
    if (error?.status === 404)
      return (
        <EmptyState title="Execution not found" icon="?">
          <p>
            No execution has the id <code>{id}</code>. <Link to="/executions">See all executions</Link>.
          </p>
        </EmptyState>
      );
    return <ErrorNotice error={error} title="Could not load the execution." />;
  }

  const terminal = isTerminal(exec.status);
  const summary = summaryOf(exec);
  const caseRef = openedCase(exec.steps);
  const answered = exec.steps.filter((s) => s.respondedBy);
  const ai = verdicts(exec.steps);
  const hits = searchHits(exec.steps);
  const waitingNow = exec.status === 'WAITING_FOR_INPUT' && !!exec.waitingFor;
  const onAnswered = (o: Outcome) => {
    answeredHere.current = true;
    if (o.kind === 'accepted' && exec.waitingFor) focusRecordOf.current = exec.waitingFor.step;
    setOutcome(o);
    void reload();
  };
  const doCancel = async (reason: string) => {
    setCancelBusy(true);
    setCancelError(null);
    try {
      await api.cancel(exec.id, reason || undefined);
      setConfirmCancel(false);
      await reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setConfirmCancel(false);
        setCancelError(`It had already finished (${err.details?.[0]?.status ?? 'terminal'}).`);
        await reload();
      } else setCancelError((err as Error).message);
    } finally {
      setCancelBusy(false);
    }
  };

  return (
    <div className="execution">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={fromInbox || wantResume ? '/' : '/executions'}>{fromInbox || wantResume ? 'Inbox' : 'Executions'}</Link>
        <span aria-hidden="true"> / </span>
        <span className="mono">{exec.id}</span>
      </nav>
      <header className="page-header">
        <div className="page-header-text">
          <h1>{exec.workflowName}</h1>
          <div className="page-sub">
            <StatusBadge status={exec.status} size="lg" />
            <span>
              {exec.trigger === 'alert' ? 'Alert' : exec.trigger === 'manual' ? 'Manual run' : 'Schedule'} by <strong>{exec.triggeredBy}</strong>
            </span>
            <span className="muted">
              started <Time value={exec.startedAt ?? exec.createdAt} seconds />
            </span>
            {!terminal || offline ? <LiveBadge offline={offline} lastOkAt={lastOkAt} label="Updating live" /> : null}
            {exec.archived ? (
              <span className="muted" data-testid="archived" title="Read back from the archive: this execution left Redis after the retention period">
                archived
              </span>
            ) : null}
          </div>
          <RerunLinks exec={exec} fromQuery={fromQuery} />
          <ParentLinkLine exec={exec} fromQuery={fromQuery} />
        </div>
        <div className="page-actions">
          <NextRequestButton currentId={exec.id} waiting={waitingNow} primary={!waitingNow} />
          <RerunButton exec={exec} fromQuery={fromQuery} onError={setOpError} />
          {canReview && !terminal ? (
            <button type="button" className="btn btn-danger-outline" onClick={() => setConfirmCancel(true)}>
              Cancel execution
            </button>
          ) : null}
          <button type="button" className="btn" onClick={() => navigate(`/workflows/${encodeURIComponent(exec.workflowId)}`)}>
            Workflow
          </button>
        </div>
      </header>

      {error ? <ErrorNotice error={error} title="Live updates paused:" /> : null}
      {cancelError ? <ErrorNotice error={cancelError} title="Could not cancel." /> : null}
      {opError ? <ErrorNotice error={opError} title="Could not re-run." /> : null}

      <SummaryBar summary={summary} caseRef={caseRef} />

      <div className="exec-grid">
        <div className="exec-main">
          {outcome ? (
            <div className={`notice ${outcome.kind === 'accepted' ? 'notice-success' : outcome.kind === 'error' ? 'notice-error' : 'notice-warn'}`} role={outcome.kind === 'accepted' ? 'status' : 'alert'} data-testid="outcome">
              <strong>{outcome.message}</strong>
              {outcome.detail ? <div>{outcome.detail}</div> : null}
              {outcome.kind === 'accepted' ? <div className="muted small">Now {exec.status === 'WAITING_FOR_INPUT' ? 'waiting for the next decision' : exec.status.toLowerCase().replace(/_/g, ' ')}.</div> : null}
            </div>
          ) : null}
          {waitingNow ? <DecisionPanel key={waitKey!} ref={decisionRef} execution={exec} waiting={exec.waitingFor!} onAnswered={onAnswered} /> : null}
          {waitingNow ? <NotificationBadges notifications={exec.steps.find((s) => s.path === exec.waitingFor!.step)?.notifications} label="This request was sent to" /> : null}
          {records.map((s, i) => (
            <DecisionRecord key={`${s.path}@${s.startedAt}`} ref={i === 0 ? recordRef : undefined} step={s} cancellation={exec.cancellation} />
          ))}
          {exec.error ? (
            <div className="notice notice-error" role="alert">
              <strong>Failed{exec.error.step ? ` at ${exec.error.step}` : ''}:</strong> {exec.error.message}
              {exec.error.type ? <span className="muted"> ({exec.error.type})</span> : null}
            </div>
          ) : null}
          {exec.cancellation ? (
            <div className="notice notice-warn" data-testid="cancellation">
              <strong>Cancelled</strong> {exec.cancellation.reason === 'timeout' ? 'by the workflow timeout' : `by ${exec.cancellation.by}`} <Time value={exec.cancellation.at} date="always" seconds />.
              {exec.cancellation.comment ? (
                <div className="cancel-comment">
                  <span className="muted">Reason: </span>
                  {exec.cancellation.comment}
                </div>
              ) : null}
            </div>
          ) : null}
          {ai.map((v) => (
            <AiCard key={v.step} verdict={v} />
          ))}
          <AlertFields event={exec.event} />
          {hits.map((h) => (
            <HitsTable key={h.step} hits={h} />
          ))}
          <section className="card" aria-labelledby="timeline-h">
            <h2 id="timeline-h" className="card-title">
              Steps <span className="muted">({exec.steps.length})</span>
            </h2>
            <ol className="timeline">
              {exec.steps.map((s) => (
                <StepItem key={s.path} step={s} now={now} />
              ))}
              {!terminal && exec.status !== 'WAITING_FOR_INPUT' ? (
                <li className="step step-pending-next">
                  <span className="step-dot" aria-hidden="true" />
                  <div className="step-body muted">Working…</div>
                </li>
              ) : null}
            </ol>
          </section>
        </div>
        <aside className="exec-side">
          <RelatedPanel executionId={exec.id} summary={summary} fromQuery={fromQuery} />
          <section className="card" aria-labelledby="details-h">
            <h2 id="details-h" className="card-title">
              Details
            </h2>
            <dl className="facts">
              <div>
                <dt>Trigger</dt>
                <dd>
                  {exec.trigger} · {exec.triggeredBy}
                </dd>
              </div>
              {answered.map((s) => (
                <div key={s.path}>
                  <dt>Answered</dt>
                  <dd>
                    <strong>{s.respondedBy}</strong>{' '}
                    <span className="muted">
                      <Time value={s.respondedAt} seconds />
                      {s.respondedVia ? ` via ${CHANNEL_LABEL[s.respondedVia] ?? s.respondedVia}` : ''}
                    </span>
                  </dd>
                </div>
              ))}
              {caseRef ? (
                <div>
                  <dt>Case</dt>
                  <dd className="break">
                    <Link to={`/cases/${encodeURIComponent(caseRef.id)}`}>{caseRef.title ?? caseRef.id}</Link>
                  </dd>
                </div>
              ) : null}
            </dl>
          </section>
          <section className="card" aria-labelledby="timing-h">
            <h2 id="timing-h" className="card-title">
              Timing
            </h2>
            <dl className="facts">
              <div>
                <dt>Created</dt>
                <dd>
                  <Time value={exec.createdAt} date="always" seconds />
                </dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>
                  <Time value={exec.startedAt} date="always" seconds />
                </dd>
              </div>
              <div>
                <dt>Finished</dt>
                <dd>
                  <Time value={exec.finishedAt} date="always" seconds />
                </dd>
              </div>
              <div>
                <dt>{terminal ? 'Took' : 'Running for'}</dt>
                <dd>{between(exec.createdAt, exec.finishedAt, now)}</dd>
              </div>
            </dl>
          </section>
          <section className="card" aria-labelledby="data-h">
            <h2 id="data-h" className="card-title">
              Data
            </h2>
            <JsonDetails summary="Event" value={exec.event} />
            <JsonDetails summary="Inputs" value={exec.inputs} />
            <dl className="facts small">
              <div>
                <dt>Execution</dt>
                <dd className="mono break">{exec.id}</dd>
              </div>
              <div>
                <dt>Workflow</dt>
                <dd className="mono break">
                  <Link to={`/workflows/${encodeURIComponent(exec.workflowId)}`}>{exec.workflowId}</Link>
                </dd>
              </div>
              <div>
                <dt>Version</dt>
                <dd className="mono break" title={exec.workflowVersion}>
                  {String(exec.workflowVersion ?? '').slice(0, 12)}
                </dd>
              </div>
            </dl>
          </section>
        </aside>
      </div>

      {confirmCancel ? <CancelDialog open exec={exec} busy={cancelBusy} onConfirm={doCancel} onClose={() => setConfirmCancel(false)} /> : null}
    </div>
  );
}

function StepItem({ step, now }: { step: StepRecord; now: number }) {
  const took = step.startedAt ? (step.finishedAt ? duration(Date.parse(step.finishedAt) - Date.parse(step.startedAt)) : between(step.startedAt, null, now)) : null;
  const s = step.status.toLowerCase().replace(/_/g, '-');
  return (
    <li className={`step step-${s}`} data-depth={Math.min(depth(step.path), 4)} data-path={step.path}>
      <span className="step-dot" aria-hidden="true" />
      <div className="step-body">
        <div className="step-head">
          <span className="step-name">{step.path}</span>
          <span className="step-type">{step.type}</span>
          <StatusBadge status={step.status} />
          {took && step.status !== 'SKIPPED' ? <span className="muted small">{took}</span> : null}
          {step.attempts > 1 ? <span className="pill pill-amber">{step.attempts} attempts</span> : null}
        </div>
        {step.status === 'SKIPPED' ? <div className="muted small">Skipped: its condition was false.</div> : null}
        <NotificationBadges notifications={step.notifications} />
        <ChildLinkLine step={step} />
        {step.respondedBy ? (
          <div className="step-answered">
            Answered by <strong>{step.respondedBy}</strong> <Time value={step.respondedAt} date="always" seconds />
            {step.respondedVia ? ` via ${CHANNEL_LABEL[step.respondedVia] ?? step.respondedVia}` : ''}
          </div>
        ) : null}
        {step.error ? (
          <div className="step-error" role="note">
            <strong>{step.error.type ?? 'error'}:</strong> {step.error.message}
          </div>
        ) : null}
        {step.type.startsWith('cases.addComment') && (step.output as any)?.comment?.comment ? <Markdown source={(step.output as any).comment.comment} className="step-comment" label="Comment" /> : null}
        {step.status !== 'SKIPPED' ? (
          <div className="step-data">
            <JsonDetails summary="Input" value={step.input} />
            <JsonDetails summary="Output" value={step.output} />
          </div>
        ) : null}
      </div>
    </li>
  );
}
