import { useMemo, useRef, type KeyboardEvent } from 'react';
import { EmptyState, ErrorNotice, LiveBadge, Loading, PageHeader } from '../components/common';
import { HistoryTab } from '../inbox/HistoryTab';
import { InboxRow } from '../inbox/InboxRow';
import { InboxToolbar } from '../inbox/InboxToolbar';
import { filterRows, groupRows, hasFilters, INBOX_SORTS, NO_FILTERS, sortRows, type InboxGroup } from '../inbox/queue';
import { useDocumentTitle, useNow } from '../lib/hooks';
import { useInbox } from '../lib/inbox';
import { useRouter } from '../lib/router';
import { useSession } from '../lib/session';

function GroupHeader({ group, id }: { group: InboxGroup; id: string }) {
  const alert = group.alertId ? `Alert ${group.alertId}` : 'One alert';
  return (
    <div className="inbox-group-head" id={id}>
      <span className="inbox-group-title" title={group.alertId ?? undefined}>
        {alert}
        {group.host ? ` on ${group.host}` : ''}
      </span>
      {group.rule ? <span className="inbox-group-rule">{group.rule}</span> : null}
      <span className="inbox-group-count">{group.rows.length} requests</span>
    </div>
  );
}

export function InboxPage() {
  const { rows, more, error, offline, lastOkAt, sort, setSort, filters, setFilters } = useInbox();
  const { canReview } = useSession();
  const now = useNow(1000);
  const listRef = useRef<HTMLUListElement>(null);
  const count = rows?.length ?? 0;
  useDocumentTitle(rows ? `(${count}${more ? '+' : ''}) Inbox · Flowgate` : 'Inbox · Flowgate');
  const groups = useMemo(() => (rows ? groupRows(sortRows(filterRows(rows, filters), sort)) : []), [rows, filters, sort]);
  const shown = groups.reduce((n, g) => n + g.rows.length, 0);
  const sortLabel = INBOX_SORTS.find((s) => s.value === sort)?.label.toLowerCase() ?? sort;
  const { location, navigate } = useRouter();
  const history = new URLSearchParams(location.search).get('tab') === 'history';
  const showTab = (h: boolean) => navigate(`${location.pathname}${h ? '?tab=history' : ''}`, { replace: true });
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    showTab(!history);
    requestAnimationFrame(() => document.getElementById(history ? 'inbox-tab-awaiting' : 'inbox-tab-history')?.focus());
  };

  // ↑/↓ (or j/k) move between requests; Enter opens one (it is a link); Home/End jump.
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
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
          history ? (
            <span>Requests that ended: answered, timed out or cancelled, newest first.</span>
          ) : rows ? (
            <span>
              {count === 0 ? 'Nothing is waiting for a decision.' : `${count}${more ? '+' : ''} ${count === 1 ? 'execution is' : 'executions are'} waiting for a decision, sorted by ${sortLabel.replace(/ \(.*\)$/, '')}.`}
              {!canReview && count > 0 ? ' Your key can read them but not answer.' : ''}
            </span>
          ) : null
        }
      >
        {history ? null : <LiveBadge offline={offline} lastOkAt={lastOkAt} />}
      </PageHeader>
      <div className="inbox-tabs" role="tablist" aria-label="Inbox" onKeyDown={onTabKey}>
        <button type="button" role="tab" id="inbox-tab-awaiting" className="inbox-tab" aria-selected={!history} aria-controls="inbox-panel" tabIndex={history ? -1 : 0} onClick={() => showTab(false)}>
          Awaiting response{rows ? ` (${count}${more ? '+' : ''})` : ''}
        </button>
        <button type="button" role="tab" id="inbox-tab-history" className="inbox-tab" aria-selected={history} aria-controls="inbox-panel" tabIndex={history ? 0 : -1} onClick={() => showTab(true)}>
          History
        </button>
      </div>
      <div role="tabpanel" id="inbox-panel" aria-labelledby={history ? 'inbox-tab-history' : 'inbox-tab-awaiting'}>
        {history ? (
          <HistoryTab />
        ) : (
          <>
            {offline ? (
              <div className="notice notice-warn" role="alert">
                <strong>The Flowgate API cannot be reached.</strong> {rows ? 'The list below is from the last successful refresh; ' : ''}retrying every few seconds.
              </div>
            ) : error ? (
              <ErrorNotice error={error} title="Could not refresh the inbox." />
            ) : null}
            {!rows ? (
              offline ? null : <Loading label="Loading the inbox…" />
            ) : rows.length === 0 ? (
              <EmptyState title="All clear">
                <p>No workflow is waiting for a human right now. New requests appear here by themselves.</p>
              </EmptyState>
            ) : (
              <>
                <InboxToolbar rows={rows} filters={filters} setFilters={setFilters} sort={sort} setSort={setSort} shown={shown} />
                <p className="kbd-hint muted small" id="inbox-help">
                  <kbd>↑</kbd> <kbd>↓</kbd> or <kbd>j</kbd> <kbd>k</kbd> to move, <kbd>Enter</kbd> to open, <kbd>Esc</kbd> to come back.
                </p>
                {shown === 0 ? (
                  <EmptyState title="No request matches" icon="∅">
                    <p>{hasFilters(filters) ? 'Change the search or clear the filters to see the other requests.' : ''}</p>
                    <p>
                      <button type="button" className="btn btn-sm" onClick={() => setFilters(NO_FILTERS)}>
                        Clear filters
                      </button>
                    </p>
                  </EmptyState>
                ) : (
                  <ul className="inbox" ref={listRef} onKeyDown={onKeyDown} aria-label="Waiting for a decision" aria-describedby="inbox-help">
                    {groups.map((g, i) =>
                      g.rows.length === 1 ? (
                        <InboxRow key={g.rows[0].id} row={g.rows[0]} now={now} canReview={canReview} />
                      ) : (
                        <li key={`g:${g.key}`} className="inbox-group" data-group={g.key}>
                          <GroupHeader group={g} id={`inbox-group-${i}`} />
                          <ul className="inbox inbox-group-rows" aria-labelledby={`inbox-group-${i}`}>
                            {g.rows.map((r) => (
                              <InboxRow key={r.id} row={r} now={now} canReview={canReview} />
                            ))}
                          </ul>
                        </li>
                      ),
                    )}
                  </ul>
                )}
              </>
            )}
          </>
        )}
      </div>
    </div>
  );
}
