import { type ReactNode } from 'react';
import { useInbox } from '../lib/inbox';
import { Link, useRouter } from '../lib/router';
import { useSession } from '../lib/session';

const ROLE_LABEL: Record<string, string> = { viewer: 'Viewer', reviewer: 'Reviewer', editor: 'Editor', admin: 'Admin', ingest: 'Ingest' };

export function Layout({ children }: { children: ReactNode }) {
  const { role, signOut } = useSession();
  const { rows } = useInbox();
  const { location } = useRouter();
  const path = location.pathname;
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`));
  const item = (to: string, label: string, extra?: ReactNode) => (
    <li>
      <Link to={to} className={`nav-link${active(to) ? ' active' : ''}`} aria-current={active(to) ? 'page' : undefined}>
        <span>{label}</span>
        {extra}
      </Link>
    </li>
  );
  const waiting = rows?.length ?? 0;
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
          </ul>
        </nav>
        <div className="account">
          <span className="role-chip" title="The role of your API key">
            {ROLE_LABEL[role] ?? role}
          </span>
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
