import { useState, type FormEvent } from 'react';
import { Api, ApiError, type Role } from '../lib/api';
import { useDocumentTitle } from '../lib/hooks';

export function SignInPage({ onSignIn, notice }: { onSignIn: (key: string, role: Role, name: string) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(notice);
  useDocumentTitle('Sign in · Flowgate');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const secret = key.trim();
    if (!secret) {
      setError('Enter your API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // GET /api/session names the key and its role; nothing else is asked (no probing requests).
      const { name, role } = await new Api(secret).session();
      if (role === 'ingest') {
        setError('This key may only post alerts; the reviewer app needs a viewer, reviewer, editor or admin key.');
        return;
      }
      onSignIn(secret, role, name);
    } catch (err) {
      setError(signInError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} noValidate>
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          Flowgate
        </div>
        <h1>Sign in</h1>
        <p className="muted">Reviewer console for workflows waiting on a human decision.</p>
        {error ? (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        ) : null}
        <label htmlFor="api-key" className="field-label">
          API key
        </label>
        <input id="api-key" name="api-key" type="password" autoComplete="current-password" autoFocus value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={!!error} aria-describedby="api-key-help" />
        <p id="api-key-help" className="muted small">
          Kept in this browser tab only, and forgotten when the tab closes.
        </p>
        <button type="submit" className="btn btn-primary btn-lg btn-block" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function signInError(err: unknown): string {
  if (!(err instanceof ApiError)) return 'The Flowgate API could not be reached.';
  if (err.status === 401) return 'This API key was not accepted. Check the key and try again.';
  if (err.status === 429) return 'Too many failed sign-ins from this address. Wait a minute and try again.';
  if (err.status === 0) return 'The Flowgate API could not be reached. Check your connection and try again.';
  return `The API answered ${err.status}. Try again in a moment.`;
}
