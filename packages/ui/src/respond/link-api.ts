/**
 * The answer page's client (docs/api.md "Answer links"): no API key, the link's token is the
 * credential and travels only in the `X-Flowgate-Link` header, never in a URL.
 */
import { ApiError, type ErrorDetail, type LinkView } from '../lib/api';

const HEADER = 'X-Flowgate-Link';

async function call<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { [HEADER]: token, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ApiError(0, 'network', 'Flowgate could not be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    const e = parsed?.error;
    throw new ApiError(res.status, e?.code ?? (res.status === 410 ? 'link_gone' : 'error'), e?.message ?? `${res.status} ${res.statusText}`, Array.isArray(e?.details) ? (e.details as ErrorDetail[]) : []);
  }
  return parsed as T;
}

/** The wait the link answers. Reading it changes nothing. */
export const readLink = (token: string): Promise<LinkView> => call('GET', '/api/external/link', token);

export interface LinkAnswered {
  executionId: string;
  status: string;
  step: string;
  respondedBy: string;
}

/** Answers the wait: `{}`/`{notes}` for an approve or reject link, the answer object for a form link. */
export const answerLink = (token: string, view: Pick<LinkView, 'executionId' | 'step'>, body: Record<string, unknown>): Promise<LinkAnswered> =>
  call('POST', `/api/workflows/executions/${encodeURIComponent(view.executionId)}/steps/${encodeURIComponent(view.step)}/resume/external`, token, body);

/** The last token taken from the address bar (a repeated read, as React's StrictMode does, gets it again). */
let taken: string | null = null;

/**
 * The token of `/respond#<token>`: read from the fragment (never the query), then the fragment is
 * removed from the address bar so that a copied URL, a bookmark or a screenshot does not carry it.
 * Kept in memory only: a reload after that asks for the link again.
 */
export function takeTokenFromHash(): string | null {
  const raw = window.location.hash.replace(/^#/, '').trim();
  if (!raw) return taken;
  window.history.replaceState(window.history.state, '', window.location.pathname);
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch {
    /* keep it as it is */
  }
  // A link rewritten by a mail client may carry "token=…"; take the value.
  taken = token.replace(/^token=/, '');
  return taken;
}
