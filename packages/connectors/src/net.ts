/**
 * Where connections may go: the SSRF guard of `http` steps without a connector (docs/connectors.md), and the
 * `targetUrl` remapping of connectors. Both are undici "connect" functions, so the check and the
 * remap happen at connection time, for every connection (redirects included), with the address
 * actually dialled: a hostname re-resolved to another address between a check and the connection
 * (DNS rebinding) cannot slip through.
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector, type Dispatcher } from 'undici';
import type { ConnectorTls } from './config';

/* ---------- IP addresses ---------- */

type Cidr<T> = [T, number];

/** A name → CIDR subnets table for ipaddr.js's subnetMatch (the first name whose subnet matches wins). */
function rangeTable<T>(parseCidr: (cidr: string) => Cidr<T>, table: Record<string, string[]>): Record<string, Cidr<T>[]> {
  return Object.fromEntries(Object.entries(table).map(([name, cidrs]) => [name, cidrs.map(parseCidr)]));
}

/**
 * Non-public IPv4 ranges: what a templated URL must never reach unless the literal IP is allowed.
 * Our own table rather than ipaddr.js's range(): its "reserved" also holds the documentation
 * TEST-NETs and the 6to4 relay anycast, which have always been let through, and it has no
 * benchmarking range.
 */
const V4_RANGES = rangeTable((cidr) => ipaddr.IPv4.parseCIDR(cidr), {
  'unspecified ("this network")': ['0.0.0.0/8'],
  'private (RFC 1918)': ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
  'shared address space (RFC 6598)': ['100.64.0.0/10'],
  loopback: ['127.0.0.0/8'],
  'link-local (cloud metadata)': ['169.254.0.0/16'],
  'IETF protocol assignments': ['192.0.0.0/24'],
  'benchmarking (RFC 2544)': ['198.18.0.0/15'],
  multicast: ['224.0.0.0/4'],
  'reserved / broadcast': ['240.0.0.0/4'],
});

const PUBLIC = 'public';

function classifyV4(addr: ipaddr.IPv4): string | null {
  const what = ipaddr.subnetMatch(addr, V4_RANGES, PUBLIC);
  return what === PUBLIC ? null : what;
}

type V6Range = ReturnType<ipaddr.IPv6['range']>;

/** The ipaddr.js IPv6 ranges that are not public, with the words of our messages. */
const V6_NON_PUBLIC: Partial<Record<V6Range, string>> = {
  unspecified: 'unspecified',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique local (ULA)',
  multicast: 'multicast',
};

/** Deprecated (RFC 3879) and so unknown to ipaddr.js, but still not to be reached. */
const SITE_LOCAL = ipaddr.IPv6.parseCIDR('fec0::/10');

/** ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 themselves excluded by range()). */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/** The 4 bytes of the IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4, Teredo), if any. */
function embeddedV4Bytes(addr: ipaddr.IPv6): number[] | null {
  const bytes = addr.toByteArray();
  switch (addr.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64)
      return bytes.slice(12);
    case '6to4': // 2002:aabb:ccdd::/48
      return bytes.slice(2, 6);
    case 'teredo': // 2001:0::/32: the client's address is the last 32 bits, inverted
      return bytes.slice(12).map((b) => b ^ 0xff);
    case 'unicast':
      return addr.match(IPV4_COMPATIBLE) ? bytes.slice(12) : null;
    default:
      return null;
  }
}

/**
 * The text of a plain IP address (node's isIP) in a form ipaddr.js reads: IPv6 without its zone
 * (fe80::1%eth0: the zone names an interface, not an address) and in hex groups, because ipaddr.js
 * 1.x cannot read a dotted IPv4 tail after "::" (::127.0.0.1, 64:ff9b::10.0.0.1: its issues 101
 * and 171) while the WHATWG URL parser can.
 */
function readableIp(text: string): string {
  if (isIP(text) !== 6) return text;
  const zone = text.indexOf('%');
  return stripBrackets(new URL(`http://[${zone >= 0 ? text.slice(0, zone) : text}]/`).hostname);
}

/** The 8 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail is accepted); throws for text that is not IPv6. */
export function expandV6(ip: string): number[] {
  return ipaddr.IPv6.parse(readableIp(ip)).parts;
}

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4, Teredo), if any. */
export function embeddedV4(ip: string): string | null {
  if (isIP(ip) !== 6) return null;
  const bytes = embeddedV4Bytes(ipaddr.IPv6.parse(readableIp(ip)));
  return bytes ? bytes.join('.') : null;
}

/** `text` is the address as given, for the message. */
function classifyV6(addr: ipaddr.IPv6, text: string): string | null {
  const what = V6_NON_PUBLIC[addr.range()] ?? (addr.match(SITE_LOCAL) ? 'site-local' : null);
  if (what) return what;
  const v4 = embeddedV4Bytes(addr);
  const v4What = v4 ? classifyV4(new ipaddr.IPv4(v4)) : null;
  return v4What ? `${v4What}, as IPv6 ${text}` : null;
}

/**
 * Why an address must not be reached without being allowed literally, or null for a public address.
 * Only the plain forms are IP addresses here (node's isIP): 2130706433, 0177.0.0.1 or 127.1 are
 * refused as "not an IP address" (URL parsing and DNS never hand those over).
 */
export function nonPublicReason(ip: string): string | null {
  const bare = stripBrackets(ip);
  if (!isIP(bare)) return 'not an IP address';
  const addr = ipaddr.parse(readableIp(bare));
  return addr instanceof ipaddr.IPv4 ? classifyV4(addr) : classifyV6(addr, bare);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Canonical text of an IP (IPv6 expanded, IPv4-mapped as its IPv4 address), for comparisons. */
function canonicalIp(ip: string): string {
  const bare = stripBrackets(ip);
  if (!isIP(bare)) return bare;
  // process(): an IPv4-mapped address is that IPv4 address.
  return ipaddr.process(readableIp(bare)).toNormalizedString();
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
