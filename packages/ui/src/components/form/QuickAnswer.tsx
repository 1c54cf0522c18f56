/**
 * A yes/no schema (one required boolean, optional notes) answered like a waitForApproval step: the
 * notes field, then two big buttons, "Yes: <the boolean's title>" and "No". One click sends
 * `{<boolean>: true|false, <notes>?: "..."}`, checked against the schema first (the server decides).
 */
import { useId, useState, type ReactNode } from 'react';
import type { ErrorDetail, JSONSchema } from '../../lib/api';
import { validateJson } from '../../lib/json-validate';
import { ajvSegments, humanMessage } from './messages';
import { quickAnswer, type QuickAnswerShape } from './quick-answer';

interface Props {
  id: string;
  schema: JSONSchema | null;
  shape: QuickAnswerShape;
  /** the notes written so far (shared with the full form, so that switching keeps them) */
  notes: string;
  setNotes: (notes: string) => void;
  serverErrors: ErrorDetail[];
  /** a server error's message without its field */
  serverMessage: (d: ErrorDetail) => string;
  busy: boolean;
  disabled?: boolean;
  onSubmit: (data: unknown) => void;
  footer?: ReactNode;
}

export function QuickAnswer({ id, schema, shape, notes, setNotes, serverErrors, serverMessage, busy, disabled, onSubmit, footer }: Props) {
  const [problems, setProblems] = useState<string[]>([]);
  const notesId = `${id}-notes`;
  const notesHelpId = useId();
  const notesErrorId = useId();
  const notesPath = shape.notes !== undefined ? `/${shape.notes.replace(/~/g, '~0').replace(/\//g, '~1')}` : null;
  const notesServerErrors = notesPath ? serverErrors.filter((d) => d.path === notesPath) : [];
  const otherServerErrors = serverErrors.filter((d) => d.path !== notesPath);
  const off = disabled || busy;

  const answer = (yes: boolean) => {
    const data = quickAnswer(shape, yes, notes);
    let errors: string[] = [];
    try {
      errors = schema ? validateJson(schema, data).map((e) => humanMessage(schema, { keyword: e.keyword, segments: ajvSegments(e), params: e.params })) : [];
    } catch {
      errors = []; // a schema the browser cannot check: the server checks it
    }
    setProblems(errors);
    if (errors.length === 0) onSubmit(data);
  };

  const notesInvalid = notesServerErrors.length > 0 || problems.length > 0;
  return (
    <form id={id} className="quick-answer" onSubmit={(e) => e.preventDefault()} noValidate>
      {problems.length ? (
        <div className="notice notice-error form-errors" role="alert">
          <strong>Please fix {problems.length === 1 ? 'this' : `these ${problems.length}`} before sending:</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {shape.description ? <p className="field-description">{shape.description}</p> : null}
      {shape.notes !== undefined ? (
        <div className="field">
          <label htmlFor={notesId} className="field-label">
            {shape.notesTitle} <span className="muted">(optional)</span>
          </label>
          {shape.notesDescription ? (
            <p className="field-description" id={notesHelpId}>
              {shape.notesDescription}
            </p>
          ) : null}
          <textarea
            id={notesId}
            rows={3}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            placeholder="Why? Recorded with your decision."
            disabled={off}
            aria-invalid={notesInvalid || undefined}
            aria-describedby={[shape.notesDescription ? notesHelpId : '', notesServerErrors.length ? notesErrorId : ''].filter(Boolean).join(' ') || undefined}
          />
          {notesServerErrors.length ? (
            <div className="field-error" id={notesErrorId}>
              {notesServerErrors.map((d, i) => (
                <div key={i}>{serverMessage(d)}</div>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      {footer}
      <div className="approval-buttons">
        <button type="button" className="btn btn-approve btn-xl" onClick={() => answer(true)} disabled={off}>
          <span aria-hidden="true">✓ </span>
          Yes: {shape.question}
        </button>
        <button type="button" className="btn btn-reject btn-xl" onClick={() => answer(false)} disabled={off}>
          <span aria-hidden="true">✕ </span>
          No
        </button>
      </div>
      {otherServerErrors.length ? (
        <div className="field-error">
          {otherServerErrors.map((d, i) => (
            <div key={i}>{serverMessage(d)}</div>
          ))}
        </div>
      ) : null}
      {busy ? (
        <p className="muted small" role="status">
          Sending…
        </p>
      ) : null}
    </form>
  );
}
