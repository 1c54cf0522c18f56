/**
 * `GET /api/standins/received` (docs/api.md "Stand-ins"): what the local Slack and SMTP stand-ins of
 * `flowgate up` received, for the UI's "Sent messages" page — so a new user can click an answer link
 * from a message that was "sent". Only with FLOWGATE_STANDIN_URLS (set by `flowgate up`): the stand-ins'
 * `/_received` URLs on loopback. Each is read with a 2 s timeout; one that does not answer is left out.
 */
import { Router } from 'express';
import type { Authenticator } from '../auth';
import { asyncHandler } from '../errors';

interface Received {
  source: 'slack' | 'email';
  at: string;
  title: string;
  to: string | null;
  text: string;
  links: string[];
}

const firstLine = (text: string) => text.split('\n').find((l) => l.trim() !== '')?.replace(/[*_`]/g, '').trim().slice(0, 200) ?? '';

function fromStandin(body: unknown): Received[] {
  const messages = (body as { messages?: unknown[] } | null)?.messages;
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((m): Received[] => {
    const r = m as Record<string, unknown>;
    const links = Array.isArray(r.links) ? r.links.filter((l): l is string => typeof l === 'string') : [];
    if (typeof r.subject === 'string') {
      const text = typeof r.text === 'string' ? r.text : '';
      return [{ source: 'email', at: String(r.at ?? ''), title: r.subject, to: Array.isArray(r.to) ? r.to.join(', ') : null, text, links }];
    }
    if (typeof r.kind === 'string') {
      const text = typeof r.text === 'string' ? r.text : '';
      return [{ source: 'slack', at: String(r.at ?? ''), title: firstLine(text), to: typeof r.channel === 'string' ? r.channel : null, text, links }];
    }
    return [];
  });
}

export function standinsRouter(deps: { auth: Authenticator; urls: string[] }): Router {
  const r = Router({ caseSensitive: true });
  r.get(
    '/api/standins/received',
    deps.auth.require('read'),
    asyncHandler(async (_req, res) => {
      if (deps.urls.length === 0) {
        res.json({ enabled: false, messages: [] });
        return;
      }
      const lists = await Promise.all(
        deps.urls.map(async (url) => {
          try {
            const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
            return answer.ok ? fromStandin(await answer.json()) : [];
          } catch {
            return [];
          }
        }),
      );
      res.json({ enabled: true, messages: lists.flat().sort((a, b) => b.at.localeCompare(a.at)) });
    }),
  );
  return r;
}
