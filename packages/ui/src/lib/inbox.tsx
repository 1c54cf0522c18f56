/**
 * The inbox (every WAITING_FOR_INPUT execution), polled every few seconds for the whole app, with the
 * reviewer's view of it (search, filters, sort) kept here so that it survives going to an execution
 * and back.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { NO_FILTERS, nextInQueue, queueOf, type InboxFilters, type InboxSort } from '../inbox/queue';
import { ApiError, type ExecutionRow } from './api';
import { usePolling } from './hooks';
import { useSession } from './session';

export { orderedWaiting, nextInQueue, queueOf } from '../inbox/queue';
export type { InboxFilters, InboxSort } from '../inbox/queue';

export const INBOX_POLL_MS = 3000;

/** How an execution page opened from the inbox says so: `/executions/<id>?from=inbox` (the sidebar then shows Inbox as active). */
export const FROM_INBOX = 'from=inbox';

/** The link to an execution opened from the inbox (`resume`: focus the answer). */
export const inboxHref = (id: string, resume = true): string => `/executions/${encodeURIComponent(id)}?${resume ? 'resume=true&' : ''}${FROM_INBOX}`;

interface InboxValue {
  rows: ExecutionRow[] | undefined;
  more: boolean;
  error: ApiError | null;
  /** the last refresh failed with a network error or a 5xx: the API is unreachable (the poll keeps retrying) */
  offline: boolean;
  /** when the inbox was last loaded (ms), null before the first load */
  lastOkAt: number | null;
  reload: () => Promise<void>;
  sort: InboxSort;
  setSort: (sort: InboxSort) => void;
  filters: InboxFilters;
  setFilters: (f: InboxFilters | ((f: InboxFilters) => InboxFilters)) => void;
}

const InboxContext = createContext<InboxValue | null>(null);

export function InboxProvider({ children }: { children: ReactNode }) {
  const { api } = useSession();
  const { data, error, reload, offline, lastOkAt } = usePolling(() => api.listExecutions({ status: ['WAITING_FOR_INPUT'], order: 'asc', limit: 500 }), [api], INBOX_POLL_MS);
  const [sort, setSort] = useState<InboxSort>('deadline');
  const [filters, setFiltersState] = useState<InboxFilters>(NO_FILTERS);
  const setFilters = useCallback((f: InboxFilters | ((f: InboxFilters) => InboxFilters)) => setFiltersState(f), []);
  const value = useMemo<InboxValue>(
    () => ({ rows: data?.results, more: !!data?.nextCursor, error, offline, lastOkAt, reload, sort, setSort, filters, setFilters }),
    [data, error, offline, lastOkAt, reload, sort, filters, setFilters],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}

export function useInbox(): InboxValue {
  const v = useContext(InboxContext);
  if (!v) throw new Error('useInbox outside <InboxProvider>');
  return v;
}

/**
 * The waiting requests in the order the inbox shows them (its search, filters and sort; by default
 * soonest deadline first, each alert's requests together), for "Next request (N)" on an execution page:
 * `next(currentId)` is the request after the current one (never the current one), `remaining(currentId)`
 * how many others are waiting, `href(id)` the link that opens it as from the inbox.
 */
export function useInboxQueue() {
  const { rows, sort, filters } = useInbox();
  const queue = useMemo(() => (rows ? queueOf(rows, filters, sort) : undefined), [rows, filters, sort]);
  return useMemo(
    () => ({
      queue,
      next: (currentId: string | null | undefined) => (queue ? nextInQueue(queue, currentId) : null),
      remaining: (currentId: string | null | undefined) => (queue ? queue.filter((r) => r.id !== currentId).length : 0),
      href: inboxHref,
    }),
    [queue],
  );
}
