/**
 * The decision stays on the page: each wait of the execution that is over gets a read-only card with
 * the message as it was shown (the step record's input.message, through the same sanitized Markdown
 * renderer), the answer as a table labelled with the schema's titles, who answered, when and through
 * which channel; or that the wait timed out or was cancelled (with the reason given).
 */
import { forwardRef, useId, useImperativeHandle, useRef } from 'react';
import type { Cancellation, JSONSchema, StepRecord } from '../lib/api';
import { AnswerTable } from '../components/AnswerParts';
import { Markdown, Time } from '../components/common';
import { answerRows, isObject } from './values';
import './execution.css';

export const isWaitStep = (s: StepRecord): boolean => s.type === 'waitForInput' || s.type === 'waitForApproval';

/** The waits that are over (answered, timed out, failed, cancelled), latest first. */
export function finishedWaits(steps: StepRecord[]): StepRecord[] {
  return steps.filter((s) => isWaitStep(s) && (s.status === 'COMPLETED' || s.status === 'FAILED' || s.status === 'CANCELLED')).reverse();
}

/** How each answer channel is named: the web app, an API key, or a single-use link sent by Slack, e-mail or a webhook. */
export const CHANNEL_LABEL: Record<string, string> = { ui: 'web app', api: 'API', slack: 'Slack', slack_api: 'Slack app', email: 'e-mail', webhook: 'webhook' };

export interface DecisionRecordHandle {
  focus: () => void;
  element: () => HTMLElement | null;
}

interface Props {
  step: StepRecord;
  cancellation: Cancellation | null;
}

export const DecisionRecord = forwardRef<DecisionRecordHandle, Props>(function DecisionRecord({ step, cancellation }, ref) {
  const el = useRef<HTMLElement>(null);
  const headingId = useId();
  useImperativeHandle(ref, () => ({
    focus: () => el.current?.focus({ preventScroll: true }),
    element: () => el.current,
  }));
  const input = isObject(step.input) ? step.input : {};
  const message = typeof input.message === 'string' ? input.message : '';
  const approval = step.type === 'waitForApproval';
  const schema = isObject(input.schema) ? (input.schema as JSONSchema) : null;
  const answered = step.status === 'COMPLETED' && !!step.respondedBy;
  const timedOut = step.status === 'FAILED' && step.error?.type === 'timeout';
  const kind = answered || step.status === 'COMPLETED' ? 'answered' : timedOut ? 'timeout' : step.status === 'CANCELLED' ? 'cancelled' : 'failed';
  const kicker = { answered: 'Decision recorded', timeout: 'Timed out — no answer', cancelled: 'Cancelled — no answer', failed: 'Request failed' }[kind];
  const rows = answered || step.status === 'COMPLETED' ? answerRows(step.output, schema, approval ? { approveLabel: str(input.approveLabel), rejectLabel: str(input.rejectLabel) } : undefined) : [];
  const refused = (step.responses ?? []).filter((r) => !r.accepted).length;
  return (
    <section ref={el} className={`card decision-record record-${kind}`} aria-labelledby={headingId} tabIndex={-1} data-testid="decision-record" data-step={step.path}>
      <div className="decision-head">
        <h2 className="record-kicker" id={headingId}>
          {kicker}
        </h2>
        <span className="muted small">
          step <code>{step.path}</code>
        </span>
      </div>
      {message ? <Markdown source={message} className="decision-message record-message" label="Message as shown" /> : null}
      <AnswerTable rows={rows} caption="The answer" />
      <p className="record-meta" data-testid="record-meta">
        {kind === 'answered' && step.respondedBy ? (
          <>
            Answered by <strong>{step.respondedBy}</strong> <Time value={step.respondedAt} date="always" seconds />
            {step.respondedVia ? <> via {CHANNEL_LABEL[step.respondedVia] ?? step.respondedVia}</> : null}.
          </>
        ) : kind === 'answered' ? (
          <>
            Completed <Time value={step.finishedAt} date="always" seconds />.
          </>
        ) : kind === 'timeout' ? (
          <>
            Nobody answered in time: the wait ended <Time value={step.finishedAt} date="always" seconds />
            {step.error?.message ? <span className="muted"> ({step.error.message})</span> : null}.
          </>
        ) : kind === 'cancelled' ? (
          <>
            {cancellation?.reason === 'timeout' ? 'The execution reached its time limit (settings.timeout) and was cancelled' : `Cancelled${cancellation ? ` by ${cancellation.by}` : ''}`} <Time value={cancellation?.at ?? step.finishedAt} date="always" seconds /> before anyone answered.
          </>
        ) : (
          <>
            The wait failed: {step.error?.type ?? 'error'} — {step.error?.message}
          </>
        )}
        {refused > 0 ? <span className="muted small"> {refused === 1 ? 'One other answer was refused.' : `${refused} other answers were refused.`}</span> : null}
      </p>
      {kind === 'cancelled' && cancellation?.comment ? (
        <blockquote className="record-comment" data-testid="cancel-reason">
          <span className="muted small">Reason given: </span>
          {cancellation.comment}
        </blockquote>
      ) : null}
    </section>
  );
});

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
