import { useRef, type KeyboardEvent } from 'react';
import { age, shortId, shortTime } from '../lib/format';
import { useDocumentTitle, useNow } from '../lib/hooks';
import { useInbox } from '../lib/inbox';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, PageHeader } from '../components/common';

/** How urgent a wait looks: fresh, getting old (15 min), old (1 h). */
const ageClass = (since: string, now: number) => {
  const m = (now - Date.parse(since)) / 60000;
  return m >= 60 ? 'age-old' : m >= 15 ? 'age-warn' : 'age-fresh';
};

export function InboxPage() {
  const { rows, more, error } = useInbox();
  const { canReview } = useSession();
  const now = useNow(1000);
  const listRef = useRef<HTMLUListElement>(null);
  const count = rows?.length ?? 0;
  useDocumentTitle(rows ? `(${count}${more ? '+' : ''}) Inbox · Flowgate` : 'Inbox · Flowgate');

  // ↑/↓ (or j/k) move between requests; Enter opens one (it is a link); Home/End jump.
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const links = Array.from(listRef.current?.querySelectorAll<HTMLAnchorElement>('a.inbox-link') ?? []);
    const i = links.indexOf(document.activeElement as HTMLAnchorElement);
    let next = -1;
    if (e.key === 'ArrowDown' || e.key === 'j') next = Math.min(links.length - 1, i + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') next = Math.max(0, i - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = links.length - 1;
    if (next >= 0 && links[next]) {
      e.preventDefault();
      links[next].focus();
    }
  };

  return (
    <div>
      <PageHeader
        title="Inbox"
        sub={
          rows ? (
            <span>
              {count === 0 ? 'Nothing is waiting for a decision.' : `${count}${more ? '+' : ''} ${count === 1 ? 'execution is' : 'executions are'} waiting for a decision, oldest first.`}
              {!canReview && count > 0 ? ' Your key can read them but not answer.' : ''}
            </span>
          ) : null
        }
      >
        <span className="live" aria-label={`Refreshes every few seconds`}>
          live
        </span>
      </PageHeader>
      {error ? <ErrorNotice error={error} title="Could not refresh the inbox." /> : null}
      {!rows ? (
        <Loading label="Loading the inbox…" />
      ) : rows.length === 0 ? (
        <EmptyState title="All clear">
          <p>No workflow is waiting for a human right now. New requests appear here by themselves.</p>
        </EmptyState>
      ) : (
        <>
          <p className="kbd-hint muted small" id="inbox-help">
            <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open.
          </p>
          <ul className="inbox" ref={listRef} onKeyDown={onKeyDown} aria-label="Waiting for a decision" aria-describedby="inbox-help">
            {rows.map((r) => {
              const since = r.waitingFor?.since ?? r.createdAt;
              return (
                <li key={r.id} className="inbox-item">
                  <Link to={`/executions/${encodeURIComponent(r.id)}?resume=true`} className="inbox-link" aria-label={`${r.waitingFor?.title || 'Waiting for input'} — ${r.workflowName}, waiting ${age(since, now)}`}>
                    <span className={`inbox-age ${ageClass(since, now)}`}>
                      <span className="inbox-age-value">{age(since, now)}</span>
                      <span className="inbox-age-label">waiting</span>
                    </span>
                    <span className="inbox-main">
                      <span className="inbox-title">{r.waitingFor?.title || 'Waiting for input'}</span>
                      <span className="inbox-meta">
                        <span className="inbox-workflow">{r.workflowName}</span>
                        <span aria-hidden="true"> · </span>
                        <span>step {r.waitingFor?.step}</span>
                        <span aria-hidden="true"> · </span>
                        <span className="mono">{shortId(r.id)}</span>
                        <span aria-hidden="true"> · </span>
                        <span>since {shortTime(since)}</span>
                      </span>
                    </span>
                    <span className="inbox-cta" aria-hidden="true">
                      {canReview ? 'Review' : 'View'} →
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}
