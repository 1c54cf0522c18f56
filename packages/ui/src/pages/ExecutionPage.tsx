import { useEffect, useRef, useState } from 'react';
import { ApiError, type Execution, type StepRecord } from '../lib/api';
import { isTerminal } from '../lib/status';
import { between, dateTime, duration, shortTime } from '../lib/format';
import { useDocumentTitle, useNow, usePolling } from '../lib/hooks';
import { Link, useRouter, useSearchParams } from '../lib/router';
import { useSession } from '../lib/session';
import { ConfirmDialog, EmptyState, ErrorNotice, JsonDetails, Loading, Markdown, StatusBadge } from '../components/common';
import { DecisionPanel, type DecisionHandle, type Outcome } from '../components/DecisionPanel';

/** Where the alert's interesting fields are: host, rule, user (ECS-style, nested or dotted). */
function pick(obj: any, path: string): unknown {
  if (obj == null) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  const [head, ...rest] = path.split('.');
  if (!rest.length) return obj[head];
  const direct = obj[head];
  if (direct != null && typeof direct === 'object') return pick(direct, rest.join('.'));
  return undefined;
}

const asText = (v: unknown): string | null => (v == null || v === '' ? null : Array.isArray(v) ? v.map(String).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function eventSummary(event: any): { label: string; value: string }[] {
  const alert = event?.alerts?.[0] ?? {};
  const rule = event?.rule ?? alert.rule;
  const rows: { label: string; value: string | null }[] = [
    { label: 'Host', value: asText(pick(alert, 'host.name') ?? pick(alert, 'host.hostname')) },
    { label: 'Host IP', value: asText(pick(alert, 'host.ip')) },
    { label: 'Rule', value: asText(pick(rule, 'name') ?? pick(alert, 'kibana.alert.rule.name')) },
    { label: 'Severity', value: asText(pick(alert, 'kibana.alert.severity') ?? pick(rule, 'severity') ?? pick(alert, 'severity')) },
    { label: 'User', value: asText(pick(alert, 'user.name')) },
    { label: 'Source IP', value: asText(pick(alert, 'source.ip')) },
    { label: 'Alert time', value: ((t) => (t && !Number.isNaN(Date.parse(t)) ? dateTime(t) : t))(asText(pick(alert, '@timestamp'))) },
  ];
  const count = Array.isArray(event?.alerts) ? event.alerts.length : 0;
  if (count > 1) rows.push({ label: 'Alerts', value: String(count) });
  return rows.filter((r): r is { label: string; value: string } => r.value !== null);
}

const depth = (path: string) => path.split('/').length - 1;

export function ExecutionPage({ id }: { id: string }) {
  const { api, canReview } = useSession();
  const { navigate } = useRouter();
  const params = useSearchParams();
  const wantResume = params.get('resume') === 'true';
  const { data: exec, error, loading, reload } = usePolling<Execution>(() => api.execution(id), [id], (e) => (e && isTerminal(e.status) ? null : 1000));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [cancelBusy, setCancelBusy] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const decisionRef = useRef<DecisionHandle>(null);
  const focused = useRef(false);
  const now = useNow(1000);

  useDocumentTitle(exec ? `${exec.status === 'WAITING_FOR_INPUT' ? '● ' : ''}${exec.workflowName} · Execution · Flowgate` : 'Execution · Flowgate');

  // ?resume=true (the link from the inbox) puts the focus on the answer as soon as it is drawn.
  useEffect(() => {
    if (wantResume && exec?.waitingFor && !focused.current) {
      focused.current = true;
      requestAnimationFrame(() => decisionRef.current?.focus());
    }
  }, [wantResume, exec?.waitingFor]);

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
  const summary = eventSummary(exec.event);
  const answered = exec.steps.filter((s) => s.respondedBy);
  const onAnswered = (o: Outcome) => {
    answeredHere.current = true;
    setOutcome(o);
    void reload();
  };
  const doCancel = async () => {
    setCancelBusy(true);
    setCancelError(null);
    try {
      await api.cancel(exec.id);
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
        <Link to={exec.status === 'WAITING_FOR_INPUT' ? '/' : '/executions'}>{exec.status === 'WAITING_FOR_INPUT' ? 'Inbox' : 'Executions'}</Link>
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
            <span className="muted">started {shortTime(exec.startedAt ?? exec.createdAt)}</span>
            {!terminal ? <span className="live" aria-label="Updating live">live</span> : null}
            {exec.archived ? (
              <span className="muted" data-testid="archived" title="Read back from the archive: this execution left Redis after the retention period">
                archived
              </span>
            ) : null}
          </div>
        </div>
        <div className="page-actions">
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

      <div className="exec-grid">
        <div className="exec-main">
          {outcome ? (
            <div className={`notice ${outcome.kind === 'accepted' ? 'notice-success' : outcome.kind === 'error' ? 'notice-error' : 'notice-warn'}`} role={outcome.kind === 'accepted' ? 'status' : 'alert'} data-testid="outcome">
              <strong>{outcome.message}</strong>
              {outcome.detail ? <div>{outcome.detail}</div> : null}
              {outcome.kind === 'accepted' ? <div className="muted small">Now {exec.status === 'WAITING_FOR_INPUT' ? 'waiting for the next decision' : exec.status.toLowerCase().replace(/_/g, ' ')}.</div> : null}
            </div>
          ) : null}
          {exec.waitingFor && exec.status === 'WAITING_FOR_INPUT' ? <DecisionPanel key={waitKey!} ref={decisionRef} execution={exec} waiting={exec.waitingFor} onAnswered={onAnswered} /> : null}
          {exec.error ? (
            <div className="notice notice-error" role="alert">
              <strong>Failed{exec.error.step ? ` at ${exec.error.step}` : ''}:</strong> {exec.error.message}
            </div>
          ) : null}
          {exec.cancellation ? (
            <div className="notice notice-warn">
              <strong>Cancelled</strong> {exec.cancellation.reason === 'timeout' ? 'by the workflow timeout' : `by ${exec.cancellation.by}`} at {dateTime(exec.cancellation.at)}.
            </div>
          ) : null}
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
          <section className="card" aria-labelledby="summary-h">
            <h2 id="summary-h" className="card-title">
              Summary
            </h2>
            <dl className="facts">
              {summary.map((r) => (
                <div key={r.label}>
                  <dt>{r.label}</dt>
                  <dd className="break">{r.value}</dd>
                </div>
              ))}
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
                    <strong>{s.respondedBy}</strong> <span className="muted">at {shortTime(s.respondedAt)}</span>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
          <section className="card" aria-labelledby="timing-h">
            <h2 id="timing-h" className="card-title">
              Timing
            </h2>
            <dl className="facts">
              <div>
                <dt>Created</dt>
                <dd>{dateTime(exec.createdAt)}</dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>{dateTime(exec.startedAt)}</dd>
              </div>
              <div>
                <dt>Finished</dt>
                <dd>{exec.finishedAt ? dateTime(exec.finishedAt) : '—'}</dd>
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

      <ConfirmDialog open={confirmCancel} title="Cancel this execution?" confirmLabel="Cancel execution" danger busy={cancelBusy} onConfirm={doCancel} onClose={() => setConfirmCancel(false)}>
        <p>
          <strong>{exec.workflowName}</strong> stops now: the step in flight is aborted and no further step runs. {exec.status === 'WAITING_FOR_INPUT' ? 'The pending decision is discarded.' : ''} This cannot be undone.
        </p>
      </ConfirmDialog>
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
        {step.respondedBy ? (
          <div className="step-answered">
            Answered by <strong>{step.respondedBy}</strong> at {dateTime(step.respondedAt)}
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
