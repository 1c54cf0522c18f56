/**
 * The answer page of a single-use link (`/respond#<token>`, issue 13): no API key, no sign-in. The
 * token is read from the URL fragment (which browsers never send), removed from the address bar at
 * once, and sent only in the `X-Flowgate-Link` header. Opening the page only reads the link (GET
 * /api/external/link changes nothing: mail and chat scanners open links too); only the confirm
 * button or the form's submit answers.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ErrorBoundary, Loading, Markdown, Time } from '../components/common';
import { AnswerErrors, AnswerTable } from '../components/AnswerParts';
import { SchemaForm, detailMessage } from '../components/SchemaForm';
import { CHANNEL_LABEL } from '../execution/DecisionRecord';
import { answerRows } from '../execution/values';
import { SeverityTag } from '../inbox/InboxRow';
import { ApiError, type ErrorDetail, type JSONSchema, type LinkView } from '../lib/api';
import { useDocumentTitle } from '../lib/hooks';
import { answerLink, readLink, takeTokenFromHash, type LinkAnswered } from './link-api';
import './respond.css';

type Done = { answered: LinkAnswered; answer: Record<string, unknown>; at: string };

const APPROVAL_SCHEMA = { type: 'object', properties: { approved: { type: 'boolean', title: 'Decision' }, notes: { type: 'string', title: 'Notes' } } };

export function RespondPage() {
  const [token, setToken] = useState<string | null>(takeTokenFromHash);
  const [view, setView] = useState<LinkView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [gone, setGone] = useState<ApiError | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [attempt, setAttempt] = useState(0);
  const mainRef = useRef<HTMLElement>(null);
  useDocumentTitle(view ? `${view.waitingFor.title || 'Answer a request'} · Flowgate` : 'Answer a request · Flowgate');

  // A link pasted into the same tab (only the fragment changes): take it too.
  useEffect(() => {
    const onHash = () => {
      const t = takeTokenFromHash();
      if (t) {
        setView(null);
        setLoadError(null);
        setGone(null);
        setDone(null);
        setToken(t);
        setAttempt((n) => n + 1);
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!token) return;
    let live = true;
    setLoadError(null);
    readLink(token).then(
      (v) => live && setView(v),
      (e: unknown) => live && setLoadError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))),
    );
    return () => {
      live = false;
    };
  }, [token, attempt]);

  // Each new state (loaded, answered, gone) is announced from the top of the page.
  useEffect(() => {
    mainRef.current?.focus({ preventScroll: true });
  }, [view, done, gone, loadError]);

  let body;
  if (!token) body = <NoLink />;
  else if (gone) body = <Gone error={gone} afterSubmit />;
  else if (loadError) body = loadError.status === 410 || loadError.code === 'link_gone' ? <Gone error={loadError} /> : <LoadFailed error={loadError} retry={() => setAttempt((n) => n + 1)} />;
  else if (!view) body = <Loading label="Opening the request…" />;
  else
    body = (
      <>
        <Request view={view} />
        {done ? <Confirmation view={view} done={done} /> : <Answer view={view} token={token} onDone={setDone} onGone={setGone} />}
      </>
    );

  return (
    <div className="respond-page">
      <header className="respond-bar">
        <span className="brand-mark" aria-hidden="true" />
        <span className="respond-brand">Flowgate</span>
        <span className="respond-bar-note">Answer a request</span>
      </header>
      <main id="main" className="respond-main" tabIndex={-1} ref={mainRef} data-testid="respond">
        {body}
      </main>
    </div>
  );
}

function NoLink() {
  return (
    <section className="card respond-state" data-testid="respond-state" data-state="no-link">
      <h1>Open the link from your message</h1>
      <p>This page answers a request from a Slack message or an e-mail. The link is read once and then removed from the address bar, so reloading the page cannot open it again: open the link from the message once more.</p>
    </section>
  );
}

function LoadFailed({ error, retry }: { error: ApiError; retry: () => void }) {
  const off = error.status === 404;
  const title = off ? 'Answer links are turned off' : error.status === 400 ? 'This link is not valid' : error.status === 429 ? 'Too many attempts' : 'Could not open the request';
  const text = off ? 'This Flowgate does not accept answers through links (FLOWGATE_EXTERNAL_RESUME=false). Answer in the Flowgate web app instead.' : error.message;
  return (
    <section className="card respond-state" data-testid="respond-state" data-state="error" role="alert">
      <h1>{title}</h1>
      <p>{text}</p>
      {!off && error.status !== 400 ? (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      ) : null}
    </section>
  );
}

/** 410 link_gone in words: who answered and when, or why the request is over. */
export function goneReason(error: ApiError): { state: string; title: string; text: string; by: string | null; at: string | null } {
  const d: ErrorDetail = error.details?.[0] ?? {};
  const m = error.message.toLowerCase();
  const by = typeof d.respondedBy === 'string' ? d.respondedBy : null;
  const at = typeof d.respondedAt === 'string' ? d.respondedAt : null;
  if (by) return { state: 'answered', title: 'Already answered', text: 'This request was already answered', by, at };
  if (d.status === 'CANCELLED' || m.includes('cancelled')) return { state: 'cancelled', title: 'Cancelled', text: 'The execution was cancelled, so this request no longer needs an answer.', by, at };
  if (m.includes('timed out') || m.includes('in time')) return { state: 'timed-out', title: 'Timed out', text: 'Nobody answered in time: the request timed out and the workflow went on without an answer.', by, at };
  if (m.includes('expired') || m.includes('not valid')) return { state: 'expired', title: 'Link expired', text: 'This link is not valid or has expired. Each link works once and only until the request’s deadline.', by, at };
  if (m.includes('another request')) return { state: 'expired', title: 'Link for another request', text: 'This link belongs to another request.', by, at };
  return { state: 'over', title: 'No longer waiting', text: `This request no longer waits for an answer (${error.message}).`, by, at };
}

function Gone({ error, afterSubmit }: { error: ApiError; afterSubmit?: boolean }) {
  const r = goneReason(error);
  return (
    <section className={`card respond-state respond-gone respond-gone-${r.state}`} data-testid="respond-state" data-state={r.state} role={afterSubmit ? 'alert' : undefined}>
      <h1>{r.title}</h1>
      {r.by ? (
        <p>
          {r.text} by <strong data-testid="answered-by">{r.by}</strong>
          {r.at ? (
            <>
              {' '}
              <Time value={r.at} date="always" seconds />
            </>
          ) : null}
          .
        </p>
      ) : (
        <p>{r.text}</p>
      )}
      <p className="muted small">{afterSubmit ? 'Your answer was not recorded.' : 'Nothing can be answered from this link any more.'}</p>
    </section>
  );
}

function Request({ view }: { view: LinkView }) {
  const w = view.waitingFor;
  const s = view.summary;
  // A message that opens with the title as its heading shows it once (the workflow's name is then the page's h1).
  const titled = !!w.title && firstHeading(w.message) === w.title.trim();
  const Kicker = titled ? 'h1' : 'div';
  return (
    <section className="card respond-request" aria-labelledby="respond-title">
      <Kicker className="respond-kicker" id={titled ? 'respond-title' : undefined}>
        <span>{view.workflowName}</span>
        <span className="muted small">
          {' · '}waiting since <Time value={w.since} />
        </span>
      </Kicker>
      {titled ? null : <h1 id="respond-title">{w.title || 'Your answer is needed'}</h1>}
      {s.host || s.user || s.rule || s.severity || s.riskScore != null ? (
        <dl className="respond-facts" aria-label="About">
          {s.severity || s.riskScore != null ? (
            <div>
              <dt>Severity</dt>
              <dd>
                <SeverityTag severity={s.severity} riskScore={s.riskScore} />
              </dd>
            </div>
          ) : null}
          {s.host ? (
            <div>
              <dt>Host</dt>
              <dd className="mono" data-testid="respond-host">
                {s.host}
              </dd>
            </div>
          ) : null}
          {s.user ? (
            <div>
              <dt>User</dt>
              <dd className="mono">{s.user}</dd>
            </div>
          ) : null}
          {s.rule ? (
            <div>
              <dt>Rule</dt>
              <dd>{s.rule}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <Markdown source={w.message} className="decision-message respond-message" label="Message" />
    </section>
  );
}

/** The text of the message's first line when it is a Markdown heading ("## Isolate web-07?" → "Isolate web-07?"). */
function firstHeading(message: string | null | undefined): string | null {
  const line = String(message ?? '').trimStart().split('\n')[0] ?? '';
  const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  return m ? m[1].replace(/[*_`]/g, '').trim() : null;
}

const via = (channel: string) => CHANNEL_LABEL[channel] ?? channel;

function Answer({ view, token, onDone, onGone }: { view: LinkView; token: string; onDone: (d: Done) => void; onGone: (e: ApiError) => void }) {
  const [busy, setBusy] = useState(false);
  const [serverErrors, setServerErrors] = useState<ErrorDetail[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const notesId = useId();
  const w = view.waitingFor;
  const schemaText = JSON.stringify(w.schema ?? null);
  const schema = useMemo(() => JSON.parse(schemaText) as JSONSchema | null, [schemaText]);
  const isForm = view.action === 'form';

  const send = useCallback(
    async (answer: Record<string, unknown>) => {
      setBusy(true);
      setFailure(null);
      try {
        const answered = await answerLink(token, view, answer);
        const recorded = isForm ? answer : { approved: view.action === 'approve', ...(typeof answer.notes === 'string' ? { notes: answer.notes } : {}) };
        onDone({ answered, answer: recorded, at: new Date().toISOString() });
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, 'error', String(err));
        if (e.status === 410) onGone(e);
        else if (e.status === 400 && e.details.length) {
          setServerErrors(e.details);
          setFailure(e.code === 'validation_failed' ? 'This answer was not accepted. Correct the fields marked below.' : e.message);
        } else {
          setServerErrors([]);
          setFailure(e.message);
        }
      } finally {
        setBusy(false);
      }
    },
    [token, view, isForm, onDone, onGone],
  );

  const errorSummary = failure ? <AnswerErrors failure={failure} serverErrors={serverErrors} schema={isForm ? schema : APPROVAL_SCHEMA} testId="respond-failure" /> : null;

  if (isForm) {
    return (
      <section className="card respond-answer" aria-labelledby="respond-answer-h">
        <h2 id="respond-answer-h" className="card-title">
          Your answer
        </h2>
        <p className="respond-explain">
          Submitting records your answer as <strong>link:{view.channel}</strong> and the workflow goes on with it. This link works once
          {view.expiresAt ? (
            <>
              {' '}
              and until <Time value={view.expiresAt} date="always" />
            </>
          ) : null}
          .
        </p>
        {errorSummary}
        <ErrorBoundary fallback={(e) => <div className="notice notice-error">The form could not be drawn: {e.message}</div>}>
          <SchemaForm id="respond-form" schema={schema} serverErrors={serverErrors} submitLabel={schema ? 'Submit answer' : 'Continue'} busy={busy} onSubmit={(data) => void send((data ?? {}) as Record<string, unknown>)} />
        </ErrorBoundary>
      </section>
    );
  }

  const approve = view.action === 'approve';
  const label = approve ? w.approveLabel || 'Approve' : w.rejectLabel || 'Decline';
  const notesErrors = serverErrors.filter((d) => d.path === '/notes');
  return (
    <section className="card respond-answer" aria-labelledby="respond-answer-h">
      <h2 id="respond-answer-h" className="card-title">
        Your answer: {approve ? 'approve' : 'decline'}
      </h2>
      <p className="respond-explain" data-testid="respond-explain">
        Pressing <strong>{label}</strong> records that you <strong>{approve ? 'approved' : 'declined'}</strong> this request, as <strong>link:{view.channel}</strong> (from {via(view.channel)}). The workflow goes on at once; it cannot be undone.
        {view.expiresAt ? (
          <>
            {' '}
            The link works once and until <Time value={view.expiresAt} date="always" />.
          </>
        ) : null}
      </p>
      {errorSummary}
      <form
        className="approval respond-approval"
        onSubmit={(e) => {
          e.preventDefault();
          void send(notes.trim() ? { notes } : {});
        }}
      >
        <label htmlFor={notesId} className="field-label">
          Notes <span className="muted">(optional)</span>
        </label>
        <textarea id={notesId} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Why? Recorded with your decision." disabled={busy} aria-invalid={notesErrors.length > 0} />
        {notesErrors.map((d, i) => (
          <div key={i} className="field-error">
            {detailMessage(d)}
          </div>
        ))}
        <button type="submit" className={`btn btn-xl respond-confirm ${approve ? 'btn-approve' : 'btn-reject'}`} disabled={busy}>
          <span aria-hidden="true">{approve ? '✓ ' : '✕ '}</span>
          {busy ? 'Sending…' : label}
        </button>
      </form>
    </section>
  );
}

function Confirmation({ view, done }: { view: LinkView; done: Done }) {
  const w = view.waitingFor;
  const approval = view.action !== 'form';
  const rows = answerRows(done.answer, approval ? null : w.schema, approval ? { approveLabel: w.approveLabel, rejectLabel: w.rejectLabel } : undefined);
  return (
    <section className="card respond-done" role="status" aria-labelledby="respond-done-h" data-testid="respond-done">
      <h2 id="respond-done-h">
        <span aria-hidden="true">✓ </span>Answer recorded
      </h2>
      <p>
        Recorded as <strong data-testid="responded-by">{done.answered.respondedBy}</strong> <Time value={done.at} date="always" seconds />. The workflow “{view.workflowName}” is going on with your answer; you can close this page.
      </p>
      <AnswerTable rows={rows} caption="Your answer" />
    </section>
  );
}
