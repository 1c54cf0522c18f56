import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LruCache } from '@flowgate/template';
import { addressGroup } from './address';
import type { ApiKeyEntry, Role } from './config';
import { ApiError, sendError } from './errors';

/** What a request may do; the table of docs/api.md "Authentication and roles", role by role. */
export type Permission = 'read' | 'review' | 'edit' | 'ingest';

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  ingest: ['ingest'],
  viewer: ['read'],
  reviewer: ['read', 'review'],
  editor: ['read', 'review', 'edit'],
  admin: ['read', 'review', 'edit', 'ingest'],
};

const ACTION: Record<Permission, string> = {
  read: 'read',
  review: 'resume, cancel or update cases',
  edit: 'change or run workflows',
  ingest: 'post alerts',
};

function rolesWith(permission: Permission): string {
  return (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => ROLE_PERMISSIONS[r].includes(permission)).join(', ');
}

export interface Caller {
  name: string;
  role: Role;
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('no authenticated caller on this route');
  return caller;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Counts authentication failures per address group (services/api/src/address.ts `addressGroup`: an
 * IPv4 address, an IPv6 /64) in a sliding window; at `max` failures the group's requests without a
 * valid key are refused (429 with Retry-After) until the oldest failure leaves the window. A capped
 * LRU: an attacker cycling addresses evicts the least recently failing groups, memory stays bounded.
 */
export class FailureLimiter {
  private readonly failures: LruCache<string, number[]>;

  constructor(
    readonly max = 50,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    readonly capacity = 10_000,
  ) {
    this.failures = new LruCache(capacity);
  }

  /** The failures of the window (older ones are dropped); the group's entry, when it has one, is kept. */
  private recent(group: string): number[] {
    const list = this.failures.get(group);
    if (!list) return [];
    const cutoff = this.now() - this.windowMs;
    const drop = list.findIndex((t) => t > cutoff);
    list.splice(0, drop < 0 ? list.length : drop);
    return list;
  }

  /** Seconds to wait when the group is blocked, else 0. */
  blockedFor(group: string): number {
    const list = this.recent(group);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.max] + this.windowMs - this.now()) / 1000));
  }

  fail(group: string): void {
    const list = this.recent(group);
    list.push(this.now());
    if (list.length > this.max) list.splice(0, list.length - this.max);
    this.failures.set(group, list);
  }

  /** Groups held (at most `capacity`). */
  get size(): number {
    return this.failures.size;
  }
}

/** Ingestion rate limit (FLOWGATE_RATE_LIMIT_INGEST): a token bucket per key name, one second of burst. */
export class IngestLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `count` alerts; returns 0 when allowed, else the seconds to wait. A bulk may go into debt. */
  take(keyName: string, count: number): number {
    const now = this.now();
    const b = this.buckets.get(keyName) ?? { tokens: this.perSecond, at: now };
    b.tokens = Math.min(this.perSecond, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(keyName, b);
    if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    b.tokens -= Math.max(1, count);
    return 0;
  }
}

export interface AuthOptions {
  keys: ApiKeyEntry[];
  failures?: FailureLimiter;
}

/**
 * `Authorization: ApiKey <secret>` or `Bearer <secret>` (docs/api.md "Authentication and roles"). Secrets are compared as SHA-256
 * digests with timingSafeEqual, against every key (no early exit), so timing tells nothing.
 */
export class Authenticator {
  private readonly keys: { name: string; role: Role; digest: Buffer }[];
  readonly failures: FailureLimiter;

  constructor(options: AuthOptions) {
    this.keys = options.keys.map((k) => ({ name: k.name, role: k.role, digest: sha256(k.secret) }));
    this.failures = options.failures ?? new FailureLimiter();
  }

  /** The key a header names, or null. */
  identify(header: string | undefined): Caller | null {
    if (!header) return null;
    const m = /^\s*(ApiKey|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const digest = sha256(m[2]);
    let found: Caller | null = null;
    for (const k of this.keys) {
      if (timingSafeEqual(k.digest, digest) && found === null) found = { name: k.name, role: k.role };
    }
    return found;
  }

  /**
   * A middleware allowing callers with `permission`. The key is checked first: a valid key is never
   * refused by the failure limit. Without a valid key: 429 while the client's address group is over
   * the limit, else 401 (counted toward it). 403 for a role without the permission (after
   * `onForbidden`, e.g. to record a resume attempt). The client's address is `req.ip`
   * (FLOWGATE_TRUSTED_PROXIES, services/api/src/address.ts). `permission` null: any valid key.
   */
  require(permission: Permission | null, onForbidden?: (req: Request, caller: Caller) => Promise<void>): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const header = req.headers.authorization;
      const caller = this.identify(header);
      if (!caller) {
        const group = addressGroup(req.ip ?? req.socket.remoteAddress);
        const wait = this.failures.blockedFor(group);
        if (wait > 0) {
          return sendError(res, new ApiError('rate_limited', `too many authentication failures from ${group}; retry in ${wait} s`, [], { 'Retry-After': String(wait) }));
        }
        this.failures.fail(group);
        const message = this.keys.length === 0 ? 'no API keys are configured (FLOWGATE_API_KEYS)' : header ? 'invalid API key' : 'missing Authorization header (ApiKey <secret> or Bearer <secret>)';
        res.setHeader('WWW-Authenticate', 'ApiKey, Bearer');
        return sendError(res, new ApiError('unauthorized', message));
      }
      res.locals.caller = caller;
      if (permission !== null && !ROLE_PERMISSIONS[caller.role].includes(permission)) {
        const err = new ApiError('forbidden', `key "${caller.name}" (role ${caller.role}) may not ${ACTION[permission]}; roles allowed: ${rolesWith(permission)}`);
        if (!onForbidden) return sendError(res, err);
        onForbidden(req, caller)
          .catch(() => undefined)
          .then(() => sendError(res, err));
        return;
      }
      next();
    };
  }
}
