import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type RequestHandler } from 'express';

/**
 * The UI's Content-Security-Policy: its own scripts, styles, images and API only; no `<base>` may
 * move relative URLs elsewhere, and forms post nowhere but here.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'";

/** Headers on every answer: the UI runs under CONTENT_SECURITY_POLICY and no MIME sniffing. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

/**
 * The reviewer UI (packages/ui/dist) at /, without a key; any other GET outside /api and /metrics
 * falls back to index.html so that client-side routes (/executions/<id>) load the app.
 */
export function uiRouter(dir: string): Router | null {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return null;
  const r = Router();
  // redirect: false: a directory path (`/metrics/..`, `/assets`) is not answered with a 301 to itself plus "/".
  r.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: 0, redirect: false }));
  r.get(/^(?!\/api(?:\/|$)|\/metrics$).*/, (req, res, next) => {
    if (!req.accepts('html') || /\.[A-Za-z0-9]+$/.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
