/** The signed-in API key: kept in sessionStorage only (never localStorage), gone when the tab closes. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Api, atLeast, type Role } from './api';

const STORAGE = 'flowgate.session';

interface Stored {
  key: string;
  role: Role;
}

interface SessionValue {
  role: Role;
  api: Api;
  canReview: boolean;
  canEdit: boolean;
  signOut: (reason?: string) => void;
}

const SessionContext = createContext<SessionValue | null>(null);

function load(): Stored | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE);
    if (!raw) return null;
    const v = JSON.parse(raw);
    return typeof v?.key === 'string' && typeof v?.role === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function useStoredSession() {
  const [stored, setStored] = useState<Stored | null>(load);
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = useCallback((key: string, role: Role) => {
    window.sessionStorage.setItem(STORAGE, JSON.stringify({ key, role }));
    setNotice(null);
    setStored({ key, role });
  }, []);
  const signOut = useCallback((reason?: string) => {
    window.sessionStorage.removeItem(STORAGE);
    setNotice(reason ?? null);
    setStored(null);
  }, []);
  return { stored, signIn, signOut, notice };
}

export function SessionProvider({ stored, signOut, children }: { stored: Stored; signOut: (reason?: string) => void; children: ReactNode }) {
  const value = useMemo<SessionValue>(
    () => ({
      role: stored.role,
      api: new Api(stored.key, () => signOut('Your API key is no longer accepted. Sign in again.')),
      canReview: atLeast(stored.role, 'reviewer'),
      canEdit: atLeast(stored.role, 'editor'),
      signOut,
    }),
    [stored, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}
