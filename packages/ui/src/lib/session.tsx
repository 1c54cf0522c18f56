/** The signed-in API key: kept in sessionStorage only (never localStorage), gone when the tab closes. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Api, atLeast, type Role } from './api';

const STORAGE = 'flowgate.session';

/** What sign-in learnt from GET /api/session: the secret, its role and the key's name (recorded on every answer). */
export interface Stored {
  key: string;
  role: Role;
  name: string | null;
}

interface SessionValue {
  role: Role;
  /** the API key's name (GET /api/session): recorded on every answer and cancel given from this tab */
  name: string | null;
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
    if (typeof v?.key !== 'string' || typeof v?.role !== 'string') return null;
    return { key: v.key, role: v.role, name: typeof v.name === 'string' ? v.name : null };
  } catch {
    return null;
  }
}

export function useStoredSession() {
  const [stored, setStored] = useState<Stored | null>(load);
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = useCallback((key: string, role: Role, name: string | null = null) => {
    window.sessionStorage.setItem(STORAGE, JSON.stringify({ key, role, name }));
    setNotice(null);
    setStored({ key, role, name });
  }, []);
  const signOut = useCallback((reason?: string) => {
    window.sessionStorage.removeItem(STORAGE);
    setNotice(reason ?? null);
    setStored(null);
  }, []);
  return { stored, signIn, signOut, notice };
}

export function SessionProvider({ stored, signOut, children }: { stored: Stored; signOut: (reason?: string) => void; children: ReactNode }) {
  const api = useMemo(() => new Api(stored.key, () => signOut('Your API key is no longer accepted. Sign in again.')), [stored.key, signOut]);
  // A session stored before the name was kept (or a changed key config) learns it again.
  const [fresh, setFresh] = useState<{ name: string; role: Role } | null>(null);
  useEffect(() => {
    if (stored.name) return;
    let live = true;
    api.session().then(
      (s) => live && setFresh({ name: s.name, role: s.role }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, stored.name]);
  const role = fresh?.role ?? stored.role;
  const value = useMemo<SessionValue>(
    () => ({
      role,
      name: fresh?.name ?? stored.name,
      api,
      canReview: atLeast(role, 'reviewer'),
      canEdit: atLeast(role, 'editor'),
      signOut,
    }),
    [role, fresh, stored.name, api, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}
