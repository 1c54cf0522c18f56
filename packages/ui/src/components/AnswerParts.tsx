/**
 * Pieces every answer screen shares (the execution page's decision panel and decision card, the
 * answer page of a single-use link): the refusal with the server's field errors, and the answer as a
 * labelled table.
 */
import type { ReactNode } from 'react';
import type { ErrorDetail, JSONSchema } from '../lib/api';
import type { AnswerRow } from '../execution/values';
import { detailMessage, fieldLabel } from './SchemaForm';

/** Why an answer was refused, with each field error named by its schema title. */
export function AnswerErrors({ failure, serverErrors, schema, testId }: { failure: ReactNode; serverErrors: ErrorDetail[]; schema: JSONSchema | null | undefined; testId?: string }) {
  return (
    <div className="notice notice-error" role="alert" data-testid={testId}>
      <strong>{failure}</strong>
      {serverErrors.length ? (
        <ul className="server-errors">
          {serverErrors.map((d, i) => (
            <li key={i}>
              <strong>{fieldLabel(schema, d.path)}</strong>: {detailMessage(d)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The answer as label/value rows (schema titles, Yes/No, joined lists); nothing when it has no row. */
export function AnswerTable({ rows, caption }: { rows: AnswerRow[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <table className="answer-table" data-testid="answer">
      <caption className="sr-only">{caption}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.label}</th>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
