import { Router } from 'express';
import { callerOf, type Authenticator } from '../auth';

/**
 * `GET /api/session`: the calling key's name and role, for any valid key (docs/api.md "Session").
 * The web app learns its role here instead of trying requests that fail, and shows the name that
 * every answer it sends is recorded under.
 */
export function sessionRouter(deps: { auth: Authenticator }): Router {
  const r = Router({ caseSensitive: true });
  r.get('/api/session', deps.auth.require(null), (_req, res) => {
    const { name, role } = callerOf(res);
    res.json({ name, role });
  });
  return r;
}
