/**
 * "Sent messages" (issue 13): what the local Slack and SMTP stand-ins of `flowgate up` received, with
 * each message's links clickable, so a new user can answer a request from a "sent" message without a
 * real Slack or mail server. Shown (and linked from the sidebar) only when the API has stand-ins.
 */
import { useEffect, useState } from 'react';
import { EmptyState, ErrorNotice, LiveBadge, Loading, PageHeader, Time } from '../components/common';
import type { ReceivedMessage } from '../lib/api';
import { useDocumentTitle, usePolling } from '../lib/hooks';
import { useSession } from '../lib/session';
import '../inbox/history.css';

export const RECEIVED_POLL_MS = 3000;

/** Whether GET /api/standins/received answers `enabled: true` (asked once; false on any error). */
export function useStandinsEnabled(): boolean {
  const { api } = useSession();
  const [enabled, setEnabled] = useState(false);
  useEffect(() => {
    let live = true;
    api.standinsReceived().then(
      (r) => live && setEnabled(r.enabled === true),
      () => live && setEnabled(false),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return enabled;
}

const SOURCE_LABEL: Record<string, string> = { slack: 'Slack', email: 'E-mail' };

/** A link's text: what it does when the URL says so (an answer link), else its address without the query. */
export function linkLabel(href: string): string {
  try {
    const u = new URL(href, window.location.origin);
    if (u.pathname.replace(/\/+$/, '') === '/respond') return `Answer page (${u.host})`;
    return `${u.host}${u.pathname}`;
  } catch {
    return href;
  }
}

function Message({ m }: { m: ReceivedMessage }) {
  const links = m.links.filter((l) => /^https?:\/\//i.test(l));
  return (
    <li className="card received-item" data-source={m.source}>
      <div className="received-head">
        <span className={`pill ${m.source === 'slack' ? 'pill-blue' : 'pill-gray'}`}>{SOURCE_LABEL[m.source] ?? m.source}</span>
        <strong className="received-title">{m.title || '(no title)'}</strong>
        <Time value={m.at} seconds className="muted small received-at" />
      </div>
      {m.to ? (
        <div className="muted small">
          to <span className="mono">{m.to}</span>
        </div>
      ) : null}
      {m.text ? <pre className="received-text">{m.text}</pre> : null}
      {links.length ? (
        <ul className="received-links" aria-label="Links in this message">
          {links.map((l, i) => (
            <li key={i}>
              <a href={l} target="_blank" rel="noopener noreferrer">
                {linkLabel(l)}
                {links.length > 1 ? ` #${i + 1}` : ''}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function ReceivedPage() {
  const { api } = useSession();
  useDocumentTitle('Sent messages · Flowgate');
  const { data, error, loading, offline, lastOkAt } = usePolling(() => api.standinsReceived(), [api], RECEIVED_POLL_MS);
  return (
    <div className="received">
      <PageHeader title="Sent messages" sub={<span>What the local Slack and mail stand-ins received (flowgate up). Open a link to answer as its recipient would.</span>}>
        <LiveBadge offline={offline} lastOkAt={lastOkAt} />
      </PageHeader>
      {error && !offline ? <ErrorNotice error={error} title="Could not load the messages." /> : null}
      {!data ? (
        loading ? <Loading label="Loading the messages…" /> : null
      ) : !data.enabled ? (
        <EmptyState title="No stand-ins here" icon="∅">
          <p>This Flowgate sends notifications to real Slack and mail servers; the local stand-ins run with `flowgate up`.</p>
        </EmptyState>
      ) : data.messages.length === 0 ? (
        <EmptyState title="Nothing sent yet" icon="✉">
          <p>When a workflow waits with `with.channels`, its Slack messages and e-mails appear here.</p>
        </EmptyState>
      ) : (
        <ul className="received-list" aria-label="Messages, newest first">
          {data.messages.map((m, i) => (
            <Message key={`${m.at}:${i}`} m={m} />
          ))}
        </ul>
      )}
    </div>
  );
}
