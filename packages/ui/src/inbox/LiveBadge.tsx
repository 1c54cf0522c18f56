import { formatTime } from '../lib/format';
import { useTimeZoneMode } from '../lib/hooks';

/**
 * "Live" while the poll answers; "Offline, retrying" while the API is unreachable (network error or 5xx),
 * never a green badge beside a spinner that waits forever.
 */
export function LiveBadge({ offline, lastOkAt, label = 'Refreshes every few seconds' }: { offline: boolean; lastOkAt: number | null; label?: string }) {
  const [mode] = useTimeZoneMode();
  if (offline) {
    const last = lastOkAt ? `Last updated at ${formatTime(new Date(lastOkAt).toISOString(), { seconds: true, mode })}.` : 'Not loaded yet.';
    return (
      <span className="live live-offline" role="status" title={`The Flowgate API cannot be reached; retrying every few seconds. ${last}`} data-testid="live-badge">
        Offline, retrying
      </span>
    );
  }
  return (
    <span className="live" role="status" title={label} data-testid="live-badge">
      live
    </span>
  );
}
