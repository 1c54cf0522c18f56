/**
 * Slack's request signature (docs/connectors.md "Slack request signatures"): Slack signs every request
 * it sends to an app (button clicks included) with the app's signing secret:
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">`.
 * A request is genuine when the signature matches (compared in constant time) and its timestamp is
 * within 5 minutes of now (so that a captured request cannot be replayed later).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now, in seconds. */
export const SLACK_SIGNATURE_MAX_AGE_S = 5 * 60;

export interface SlackSignatureInput {
  signingSecret: string;
  /** the X-Slack-Request-Timestamp header: seconds since the epoch */
  timestamp: string | number | undefined;
  /** the request body exactly as received (before any parsing) */
  rawBody: string | Buffer;
  /** the X-Slack-Signature header, `v0=<64 hex>` */
  signature: string | undefined;
  /** the current time in milliseconds since the epoch (default Date.now()) */
  now?: number;
}

/** `v0=<hex>` for a body: what Slack sends (also for tests and stand-ins). */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${String(timestamp)}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/** true when the request is Slack's: signature right, timestamp within 5 minutes. Never throws. */
export function verifySlackSignature(input: SlackSignatureInput): boolean {
  const { signingSecret, timestamp, rawBody, signature } = input;
  if (typeof signingSecret !== 'string' || signingSecret === '') return false;
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/i.test(signature)) return false;
  const tsText = typeof timestamp === 'number' ? String(timestamp) : typeof timestamp === 'string' ? timestamp.trim() : '';
  if (!/^\d{1,12}$/.test(tsText)) return false;
  const now = input.now ?? Date.now();
  if (!Number.isFinite(now) || Math.abs(now / 1000 - Number(tsText)) > SLACK_SIGNATURE_MAX_AGE_S) return false;
  if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) return false;
  const expected = Buffer.from(signSlackRequest(signingSecret, tsText, rawBody), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
