/**
 * What Kibana's case catalog attaches to a case (docs/workflows.md "Kibana's case catalog"), as the
 * case page shows it: observables, alerts, events and attachments of other types, each a small table.
 */
import type { ReactNode } from 'react';
import type { CaseAlert, CaseAttachment, CaseEvent, CaseObservable } from '../lib/api';
import { dateTime } from '../lib/format';

/** Kibana's built-in observable types by key; a custom key is shown as it is. */
const OBSERVABLE_LABELS: Record<string, string> = {
  'observable-type-ipv4': 'IPv4',
  'observable-type-ipv6': 'IPv6',
  'observable-type-url': 'URL',
  'observable-type-hostname': 'Host name',
  'observable-type-file-hash': 'File hash',
  'observable-type-file-path': 'File path',
  'observable-type-email': 'Email',
  'observable-type-domain': 'Domain',
  'observable-type-agent-id': 'Agent id',
};

function TableCard({ id, title, count, headers, children }: { id: string; title: string; count: number; headers: string[]; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} className="card-title">
        {title} <span className="muted">({count})</span>
      </h2>
      <table className="table">
        <caption className="sr-only">{title}</caption>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}

export function ObservablesCard({ observables }: { observables: CaseObservable[] }) {
  if (observables.length === 0) return null;
  return (
    <TableCard id="observables-h" title="Observables" count={observables.length} headers={['Type', 'Value', 'Description', 'Added']}>
      {observables.map((o) => (
        <tr key={o.id}>
          <td>{OBSERVABLE_LABELS[o.typeKey] ?? o.typeKey}</td>
          <td className="mono break">{o.value}</td>
          <td>{o.description ?? '—'}</td>
          <td className="small">{dateTime(o.createdAt)}</td>
        </tr>
      ))}
    </TableCard>
  );
}

export function AlertsCard({ alerts }: { alerts: CaseAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <TableCard id="alerts-h" title="Attached alerts" count={alerts.length} headers={['Alert', 'Index', 'Rule', 'Attached']}>
      {alerts.map((a) => (
        <tr key={a.alertId}>
          <td className="mono break">{a.alertId}</td>
          <td className="mono break">{a.index}</td>
          <td>{a.rule?.name ?? a.rule?.id ?? '—'}</td>
          <td className="small">{dateTime(a.attachedAt)}</td>
        </tr>
      ))}
    </TableCard>
  );
}

export function EventsCard({ events }: { events: CaseEvent[] }) {
  if (events.length === 0) return null;
  return (
    <TableCard id="events-h" title="Attached events" count={events.length} headers={['Event', 'Index', 'Attached']}>
      {events.map((e) => (
        <tr key={e.eventId}>
          <td className="mono break">{e.eventId}</td>
          <td className="mono break">{e.index}</td>
          <td className="small">{dateTime(e.attachedAt)}</td>
        </tr>
      ))}
    </TableCard>
  );
}

export function OtherAttachmentsCard({ attachments }: { attachments: CaseAttachment[] }) {
  if (attachments.length === 0) return null;
  return (
    <TableCard id="attachments-h" title="Other attachments" count={attachments.length} headers={['Type', 'Content', 'Attached']}>
      {attachments.map((t) => (
        <tr key={t.id}>
          <td>{t.type}</td>
          <td className="mono break small">{JSON.stringify(t.data)}</td>
          <td className="small">{dateTime(t.attachedAt)}</td>
        </tr>
      ))}
    </TableCard>
  );
}
