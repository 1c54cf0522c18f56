import { useEffect, type ReactNode } from 'react';
import { EmptyState } from './components/common';
import { Layout } from './components/Layout';
import { InboxProvider } from './lib/inbox';
import { Link, match, Router, useRouter } from './lib/router';
import { SessionProvider, useStoredSession } from './lib/session';
import { CasePage } from './pages/CasePage';
import { CasesPage } from './pages/CasesPage';
import { ExecutionPage } from './pages/ExecutionPage';
import { ExecutionsPage } from './pages/ExecutionsPage';
import { InboxPage } from './pages/InboxPage';
import { ReceivedPage } from './pages/ReceivedPage';
import { SignInPage } from './pages/SignInPage';
import { RespondPage } from './respond/RespondPage';
import { WorkflowPage } from './pages/WorkflowPage';
import { WorkflowsPage } from './pages/WorkflowsPage';

function Routes(): ReactNode {
  const { location } = useRouter();
  const p = location.pathname;
  let m: Record<string, string> | null;
  if (p === '/' || p === '/inbox') return <InboxPage />;
  if (match('/executions', p)) return <ExecutionsPage />;
  if ((m = match('/executions/:id', p))) return <ExecutionPage key={m.id} id={m.id} />;
  if (match('/workflows', p)) return <WorkflowsPage />;
  if ((m = match('/workflows/:id', p))) return <WorkflowPage key={m.id} id={m.id} />;
  if (match('/cases', p)) return <CasesPage />;
  if ((m = match('/cases/:id', p))) return <CasePage key={m.id} id={m.id} />;
  if (match('/received', p)) return <ReceivedPage />;
  return (
    <EmptyState title="Page not found" icon="?">
      <p>
        <Link to="/">Go to the inbox</Link>
      </p>
    </EmptyState>
  );
}

/** Moves focus to the main region on navigation, so keyboard and screen-reader users land on the new page. */
function FocusOnNavigate() {
  const { location } = useRouter();
  useEffect(() => {
    if (new URLSearchParams(location.search).get('resume') === 'true') return;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);
  return null;
}

export function App() {
  const { stored, signIn, signOut, notice } = useStoredSession();
  // A single-use answer link (/respond#<token>) needs no sign-in: the token is its credential.
  if (window.location.pathname.replace(/\/+$/, '') === '/respond') return <RespondPage />;
  if (!stored) return <SignInPage onSignIn={signIn} notice={notice} />;
  return (
    <Router>
      <SessionProvider stored={stored} signOut={signOut}>
        <InboxProvider>
          <Layout>
            <FocusOnNavigate />
            <Routes />
          </Layout>
        </InboxProvider>
      </SessionProvider>
    </Router>
  );
}
