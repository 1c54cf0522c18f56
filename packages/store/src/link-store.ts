/**
 * Single-use answer links (docs/api.md "Answer links"): a random token (256 bits) that lets whoever
 * holds it answer one wait — approve, reject, or fill its form — without an API key. Only the token's
 * SHA-256 is stored, with what it is bound to; the key expires with the wait's deadline. A link stops
 * working as soon as its wait is over (answered by any path, timed out, cancelled): that is checked
 * against the execution when the link is used, so nothing needs to delete it.
 *
 * Size and lifetime: one hash of about 150 bytes per link (two for an approval, one for a form, per
 * channel), until the wait's deadline (at most the step's timeout, 72 h by default).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Keys } from './keys';
import type { RedisClient } from './scripts';

export type LinkAction = 'approve' | 'reject' | 'form';

export interface AnswerLink {
  executionId: string;
  /** the wait's step path */
  step: string;
  /** the wait's attempt: a link never answers a later run of the same step */
  attempt: number;
  action: LinkAction;
  /** the channel that carried it (slack, slack_api, email, webhook) */
  channel: string;
  /** ms */
  expiresAt: number;
}

/** 32 random bytes, base64url: what goes into the URL. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export function linkTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What a token looks like: anything else is refused before Redis is asked. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class LinkStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Stores a new link and answers its token (the only time the token exists outside the message). */
  async mint(link: AnswerLink): Promise<string> {
    const token = newLinkToken();
    const key = this.keys.link(linkTokenHash(token));
    await this.redis
      .multi()
      .hset(key, 'e', link.executionId, 's', link.step, 't', String(link.attempt), 'a', link.action, 'c', link.channel, 'x', String(link.expiresAt))
      .pexpireat(key, link.expiresAt)
      .exec();
    return token;
  }

  /** The link a token stands for, or null when it is malformed, unknown or expired. */
  async resolve(token: string): Promise<AnswerLink | null> {
    if (!LINK_TOKEN.test(token)) return null;
    const h = await this.redis.hgetall(this.keys.link(linkTokenHash(token)));
    if (!h.e || !h.s) return null;
    const expiresAt = Number(h.x);
    if (!(expiresAt > Date.now())) return null;
    return { executionId: h.e, step: h.s, attempt: Number(h.t), action: h.a as LinkAction, channel: h.c, expiresAt };
  }
}
