import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type RequestHandler } from 'express';

/** Headers on every answer: the UI runs with `default-src 'self'` and no MIME sniffing. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', "default-src 'self'");
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
  r.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: 0 }));
  r.get(/^(?!\/api(?:\/|$)|\/metrics$).*/, (req, res, next) => {
    if (!req.accepts('html') || /\.[A-Za-z0-9]+$/.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
