/** The inbox (every WAITING_FOR_INPUT execution, oldest first), polled every few seconds for the whole app. */
import { createContext, useContext, type ReactNode } from 'react';
import { ApiError, type ExecutionRow } from './api';
import { usePolling } from './hooks';
import { useSession } from './session';

export const INBOX_POLL_MS = 3000;

interface InboxValue {
  rows: ExecutionRow[] | undefined;
  more: boolean;
  error: ApiError | null;
  reload: () => Promise<void>;
}

const InboxContext = createContext<InboxValue | null>(null);

export function InboxProvider({ children }: { children: ReactNode }) {
  const { api } = useSession();
  const { data, error, reload } = usePolling(() => api.listExecutions({ status: ['WAITING_FOR_INPUT'], order: 'asc', limit: 500 }), [api], INBOX_POLL_MS);
  return <InboxContext.Provider value={{ rows: data?.results, more: !!data?.nextCursor, error, reload }}>{children}</InboxContext.Provider>;
}

export function useInbox(): InboxValue {
  const v = useContext(InboxContext);
  if (!v) throw new Error('useInbox outside <InboxProvider>');
  return v;
}
