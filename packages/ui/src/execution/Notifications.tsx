/**
 * A wait's notifications (issue 13): one small badge per channel of `with.channels` with its latest
 * attempt — sent, retrying, failed or skipped —, when, how many attempts and the error on hover.
 */
import type { Notification } from '../lib/api';
import { exactTime } from '../lib/format';
import { CHANNEL_LABEL } from './DecisionRecord';

const STATUS: Record<Notification['status'], { label: string; tone: string }> = {
  sent: { label: 'sent', tone: 'green' },
  retrying: { label: 'retrying', tone: 'amber' },
  failed: { label: 'failed', tone: 'red' },
  skipped: { label: 'skipped', tone: 'gray' },
};

export function NotificationBadges({ notifications, label = 'Notified' }: { notifications: Notification[] | null | undefined; label?: string }) {
  if (!notifications?.length) return null;
  return (
    <div className="notifications" data-testid="notifications">
      <span className="muted small">{label}:</span>
      <ul className="pills notifications-list" aria-label="Notifications">
        {notifications.map((n) => {
          const s = STATUS[n.status] ?? { label: n.status, tone: 'gray' };
          const title = [`${CHANNEL_LABEL[n.channel] ?? n.channel}: ${s.label} at ${exactTime(n.at)}`, `${n.attempts} ${n.attempts === 1 ? 'attempt' : 'attempts'}`, n.error ? `error: ${n.error}` : null].filter(Boolean).join(' · ');
          return (
            <li key={n.channel} className={`pill pill-${s.tone} notification`} title={title} data-channel={n.channel} data-status={n.status}>
              {CHANNEL_LABEL[n.channel] ?? n.channel} · {s.label}
              {n.attempts > 1 ? ` (${n.attempts})` : ''}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
