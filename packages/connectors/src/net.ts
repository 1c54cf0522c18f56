/**
 * Where connections may go: the SSRF guard of `http` steps without a connector (docs/connectors.md), and the
 * `targetUrl` remapping of connectors. Both are undici "connect" functions, so the check and the
 * remap happen at connection time, for every connection (redirects included), with the address
 * actually dialled: a hostname re-resolved to another address between a check and the connection
 * (DNS rebinding) cannot slip through.
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector, type Dispatcher } from 'undici';
import type { ConnectorTls } from './config';

/* ---------- IP addresses ---------- */

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4(ip: number, base: string, bits: number): boolean {
  const b = v4ToInt(base);
  const size = 2 ** (32 - bits);
  return ip >= b && ip < b + size;
}

/** Non-public IPv4 ranges: what a templated URL must never reach unless the literal IP is allowed. */
const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'shared address space (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

function classifyV4(ip: string): string | null {
  const n = v4ToInt(ip);
  for (const [base, bits, what] of V4_RANGES) if (inV4(n, base, bits)) return what;
  return null;
}

/** The 8 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail is accepted). */
export function expandV6(ip: string): number[] {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function v4FromGroups(hi: number, lo: number): string {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4, Teredo), if any. */
export function embeddedV4(ip: string): string | null {
  const g = expandV6(ip);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6], g[7]); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4FromGroups(g[6], g[7]); // ::a.b.c.d (IPv4-compatible)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4FromGroups(g[6], g[7]); // 64:ff9b::/96 (NAT64)
  if (g[0] === 0x2002) return v4FromGroups(g[1], g[2]); // 2002::/16 (6to4)
  if (g[0] === 0x2001 && g[1] === 0) return v4FromGroups(g[6] ^ 0xffff, g[7] ^ 0xffff); // 2001::/32 (Teredo)
  return null;
}

function classifyV6(ip: string): string | null {
  const g = expandV6(ip);
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique local (ULA)';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast';
  const v4 = embeddedV4(ip);
  if (v4) {
    const what = classifyV4(v4);
    if (what) return `${what}, as IPv6 ${ip}`;
  }
  return null;
}

/** Why an address must not be reached without being allowed literally, or null for a public address. */
export function nonPublicReason(ip: string): string | null {
  const family = isIP(stripBrackets(ip));
  if (family === 4) return classifyV4(ip);
  if (family === 6) return classifyV6(stripBrackets(ip));
  return 'not an IP address';
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Canonical text of an IP (IPv6 expanded), for comparisons. */
function canonicalIp(ip: string): string {
  const bare = stripBrackets(ip);
  if (isIP(bare) === 6) {
    const v4 = embeddedV4(bare);
    const g = expandV6(bare);
    // An IPv4-mapped address is that IPv4 address.
    if (v4 && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4;
    return g.map((x) => x.toString(16)).join(':');
  }
  return bare;
}

/* ---------- FLOWGATE_HTTP_ALLOWED_HOSTS ---------- */

export interface AllowedHost {
  /** the entry as written */
  raw: string;
  kind: 'host' | 'suffix' | 'ip';
  /** hostname (lower case), the domain after "*.", or the canonical IP */
  host: string;
  port?: number;
}

/** Parses `host`, `host:port`, `*.domain`, `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]:8080` entries. */
export function parseAllowedHosts(entries: readonly string[]): AllowedHost[] {
  const out: AllowedHost[] = [];
  for (const entry of entries) {
    const raw = entry.trim();
    if (!raw) continue;
    let host = raw;
    let port: number | undefined;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    if (bracket) {
      host = bracket[1];
      port = bracket[2] ? Number(bracket[2]) : undefined;
    } else if ((raw.match(/:/g) ?? []).length === 1) {
      const i = raw.lastIndexOf(':');
      host = raw.slice(0, i);
      port = Number(raw.slice(i + 1));
      if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    }
    host = host.toLowerCase().replace(/\.$/, '');
    if (isIP(host)) out.push({ raw, kind: 'ip', host: canonicalIp(host), port });
    else if (host.startsWith('*.')) out.push({ raw, kind: 'suffix', host: toAsciiHost(host.slice(2)), port });
    else out.push({ raw, kind: 'host', host: toAsciiHost(host), port });
  }
  return out;
}

function toAsciiHost(host: string): string {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return host;
  }
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** Whether the URL's host (and port) is on the allowlist. */
export function isHostAllowed(url: URL, allowed: readonly AllowedHost[]): boolean {
  const hostname = stripBrackets(url.hostname).replace(/\.$/, '');
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  const ip = isIP(hostname) ? canonicalIp(hostname) : null;
  return allowed.some((a) => {
    if (a.port !== undefined && a.port !== port) return false;
    if (a.kind === 'ip') return ip !== null && a.host === ip;
    if (ip !== null) return false;
    if (a.kind === 'host') return hostname === a.host;
    return hostname.endsWith(`.${a.host}`);
  });
}

/** Whether the IP itself is on the allowlist (the exception to the non-public address rule). */
export function isIpListed(ip: string, port: number, allowed: readonly AllowedHost[]): boolean {
  const c = canonicalIp(ip);
  return allowed.some((a) => a.kind === 'ip' && a.host === c && (a.port === undefined || a.port === port));
}

/* ---------- connect functions ---------- */

/** A connection refused by the address rules: the http step turns it into `url_not_allowed`. */
export class AddressNotAllowedError extends Error {
  readonly code = 'FLOWGATE_ADDRESS_NOT_ALLOWED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressNotAllowedError';
  }
}

type ConnectOptions = Parameters<buildConnector.connector>[0];
type ConnectCallback = Parameters<buildConnector.connector>[1];
export type ConnectFunction = (opts: ConnectOptions, cb: ConnectCallback) => void;

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

function tlsOptions(tls?: ConnectorTls): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (tls?.ca) out.ca = tls.ca;
  if (tls?.rejectUnauthorized === false) out.rejectUnauthorized = false;
  return out;
}

/**
 * A connect function that dials `targetUrl` whenever a request goes to the connector's own origin.
 * The request keeps the connector's URL, so its `Host` header is the connector's; the TLS name
 * (SNI and certificate check) stays the connector's host name too.
 */
export function remappingConnect(targetUrl: string | undefined, tls?: ConnectorTls, connectTimeoutMs = 10_000): ConnectFunction {
  const base = buildConnector({ timeout: connectTimeoutMs, ...tlsOptions(tls) } as buildConnector.BuildOptions);
  if (!targetUrl) return base;
  const target = new URL(targetUrl);
  return (opts, cb) => {
    const servername = opts.servername || (isIP(stripBrackets(opts.hostname)) ? undefined : opts.hostname);
    base(
      {
        ...opts,
        protocol: target.protocol,
        hostname: stripBrackets(target.hostname),
        host: target.host,
        port: target.port || String(defaultPort(target.protocol)),
        ...(servername ? { servername } : {}),
      },
      cb,
    );
  };
}

/**
 * A connect function for requests without a connector: it resolves the host itself and dials only
 * public addresses, or addresses whose literal IP is on the allowlist.
 */
export function guardedConnect(allowed: readonly AllowedHost[], resolver: Resolver = systemResolver, connectTimeoutMs = 10_000): ConnectFunction {
  const base = buildConnector({ timeout: connectTimeoutMs } as buildConnector.BuildOptions);
  return (opts, cb) => {
    const hostname = stripBrackets(opts.hostname);
    const port = opts.port ? Number(opts.port) : defaultPort(opts.protocol);
    const check = (address: string): string | null => {
      if (isIpListed(address, port, allowed)) return null;
      return nonPublicReason(address);
    };
    const dial = (address: string) => {
      const servername = opts.servername || (isIP(hostname) ? undefined : hostname);
      base({ ...opts, hostname: address, ...(servername ? { servername } : {}) }, cb);
    };
    if (isIP(hostname)) {
      const why = check(hostname);
      if (why) return cb(new AddressNotAllowedError(`${hostname} is a ${why} address, refused (list the literal IP in FLOWGATE_HTTP_ALLOWED_HOSTS to allow it)`), null);
      return dial(hostname);
    }
    resolver(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), null);
        const ok = addresses.find((a) => check(a.address) === null);
        if (!ok) {
          const first = addresses[0].address;
          return cb(
            new AddressNotAllowedError(`${hostname} resolves to ${first}, a ${check(first)} address, refused (list the literal IP in FLOWGATE_HTTP_ALLOWED_HOSTS to allow it)`),
            null,
          );
        }
        dial(ok.address);
      },
      (err: Error) => cb(err, null),
    );
  };
}

export type { Dispatcher };
