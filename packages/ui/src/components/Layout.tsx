import { useEffect, type ReactNode } from 'react';
import { timeZoneLabel } from '../lib/format';
import { useTimeZoneMode } from '../lib/hooks';
import { useInbox } from '../lib/inbox';
import { Link, useRouter } from '../lib/router';
import { useSession } from '../lib/session';
import { useStandinsEnabled } from '../pages/ReceivedPage';

const ROLE_LABEL: Record<string, string> = { viewer: 'Viewer', reviewer: 'Reviewer', editor: 'Editor', admin: 'Admin', ingest: 'Ingest' };

/** A key press meant for a text field, a menu or a dialog, not for page shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target instanceof Element ? target : null;
  if (!el) return false;
  const input = el.closest('input');
  if (input) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(input.type);
  return !!el.closest('textarea, select, [contenteditable=""], [contenteditable="true"], [role="combobox"], [role="listbox"], [role="menu"], [role="textbox"]');
}

/** `Esc` anywhere that is not a text field (nor an open dialog) goes back to the inbox. */
function useEscapeToInbox() {
  const { location, navigate } = useRouter();
  const atInbox = location.pathname === '/' || location.pathname === '/inbox';
  useEffect(() => {
    if (atInbox) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      if (isTypingTarget(e.target) || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      navigate('/');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [atInbox, navigate]);
}

export function Layout({ children }: { children: ReactNode }) {
  const { role, name, signOut } = useSession();
  const { rows, offline } = useInbox();
  const { location } = useRouter();
  const [zone, setZone] = useTimeZoneMode();
  const standins = useStandinsEnabled();
  useEscapeToInbox();
  const path = location.pathname;
  // An execution opened from the inbox (…?from=inbox) belongs to the inbox.
  const fromInbox = path.startsWith('/executions/') && new URLSearchParams(location.search).get('from') === 'inbox';
  const active = (p: string) => (p === '/' ? path === '/' || path === '/inbox' || fromInbox : !(fromInbox && p === '/executions') && (path === p || path.startsWith(`${p}/`)));
  const item = (to: string, label: string, extra?: ReactNode) => (
    <li>
      <Link to={to} className={`nav-link${active(to) ? ' active' : ''}`} aria-current={active(to) ? 'page' : undefined}>
        <span>{label}</span>
        {extra}
      </Link>
    </li>
  );
  const waiting = rows?.length ?? 0;
  const utc = zone === 'utc';
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="sidebar">
        <Link to="/" className="brand" aria-label="Flowgate home">
          <span className="brand-mark" aria-hidden="true" />
          Flowgate
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {item(
              '/',
              'Inbox',
              waiting > 0 ? (
                <span className="nav-count" aria-label={`${waiting} waiting`}>
                  {waiting}
                </span>
              ) : null,
            )}
            {item('/executions', 'Executions')}
            {item('/workflows', 'Workflows')}
            {item('/cases', 'Cases')}
            {standins || path === '/received' ? item('/received', 'Sent messages') : null}
          </ul>
        </nav>
        {offline ? (
          <div className="sidebar-offline" role="status">
            Offline, retrying
          </div>
        ) : null}
        <div className="account">
          <button type="button" className="tz-toggle" aria-pressed={utc} onClick={() => setZone(utc ? 'local' : 'utc')} title={`Show every time in UTC instead of your time zone (${timeZoneLabel('local')}); remembered in this browser`}>
            <span className="tz-box" aria-hidden="true" />
            UTC times
          </button>
          <div className="account-who">
            {name ? (
              <span className="key-name" title="The name of your API key, recorded on every answer you give" data-testid="key-name">
                {name}
              </span>
            ) : null}
            <span className="role-chip" title="The role of your API key">
              {ROLE_LABEL[role] ?? role}
            </span>
          </div>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
