/**
 * "Next request (N)": the next waiting request in the inbox's order (its filters and sort; by default
 * the soonest deadline first, each alert's requests together), N the other requests waiting. Opens it
 * as from the inbox, with the focus on its answer (?resume=true).
 */
import { useInboxQueue } from '../lib/inbox';
import { useRouter } from '../lib/router';

/**
 * `waiting`: the current execution still waits (the reviewer skips it): the request after it in the
 * queue. Otherwise (answered, or finished) the first of the queue: the most urgent one left.
 */
export function NextRequestButton({ currentId, waiting, primary }: { currentId: string; waiting: boolean; primary?: boolean }) {
  const { navigate } = useRouter();
  const inbox = useInboxQueue();
  const count = inbox.remaining(currentId);
  const next = waiting ? inbox.next(currentId) : (inbox.queue?.find((r) => r.id !== currentId) ?? null);
  if (!next || count === 0) return null;
  return (
    <button type="button" className={`btn ${primary ? 'btn-primary' : ''} next-request`} onClick={() => navigate(inbox.href(next.id))} title={next.waitingFor?.title ? `Next: ${next.waitingFor.title}` : undefined} data-testid="next-request">
      Next request ({count}) <span aria-hidden="true">→</span>
    </button>
  );
}
