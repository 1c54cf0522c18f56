/**
 * "Next request (N)": the next waiting request of the inbox (soonest deadline first, then the oldest
 * wait), N the other requests waiting. Opens it as from the inbox, with the focus on its answer.
 */
import type { ExecutionRow } from '../lib/api';
import { useInbox } from '../lib/inbox';
import { useRouter } from '../lib/router';

const deadlineOf = (r: ExecutionRow) => (r.waitingFor?.deadline ? Date.parse(r.waitingFor.deadline) : Number.POSITIVE_INFINITY);
const sinceOf = (r: ExecutionRow) => Date.parse(r.waitingFor?.since ?? r.createdAt);

/** The waiting requests other than `currentId`, in the order to work them. */
export function useOtherRequests(currentId: string): ExecutionRow[] {
  const { rows } = useInbox();
  return (rows ?? [])
    .filter((r) => r.id !== currentId && r.status === 'WAITING_FOR_INPUT')
    .sort((a, b) => deadlineOf(a) - deadlineOf(b) || sinceOf(a) - sinceOf(b) || a.id.localeCompare(b.id));
}

export const requestHref = (id: string) => `/executions/${encodeURIComponent(id)}?resume=true&from=inbox`;

export function NextRequestButton({ currentId, primary }: { currentId: string; primary?: boolean }) {
  const { navigate } = useRouter();
  const others = useOtherRequests(currentId);
  if (others.length === 0) return null;
  const next = others[0];
  return (
    <button type="button" className={`btn ${primary ? 'btn-primary' : ''} next-request`} onClick={() => navigate(requestHref(next.id))} title={next.waitingFor?.title ? `Next: ${next.waitingFor.title}` : undefined} data-testid="next-request">
      Next request ({others.length}) <span aria-hidden="true">→</span>
    </button>
  );
}
