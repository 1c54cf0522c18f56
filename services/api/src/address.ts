/**
 * Who a request comes from (docs/api.md "Authentication and roles"): the TCP peer, or — when that
 * peer is one of FLOWGATE_TRUSTED_PROXIES — the right-most address of `X-Forwarded-For` that is not
 * a trusted proxy. express computes it as `req.ip` from the `trust proxy` function built here.
 */
import ipaddr from 'ipaddr.js';

/** One FLOWGATE_TRUSTED_PROXIES entry: an address and its prefix length (32 or 128 for a single address). */
export type ProxyRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An address as IPv4 when it is IPv4 or IPv4-mapped IPv6 (`::ffff:10.0.0.1`), else IPv6; null when it is not an IP address. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(text.trim());
  } catch {
    return null;
  }
}

/**
 * FLOWGATE_TRUSTED_PROXIES: comma-separated addresses or CIDRs (`10.0.0.5, 10.1.0.0/16, fd00::/8`);
 * empty: none (the socket's address is the client). Throws one line naming the bad entry.
 */
export function parseTrustedProxies(text: string | undefined): ProxyRange[] {
  const ranges: ProxyRange[] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    let range: ProxyRange | null = null;
    try {
      if (entry.includes('/')) {
        const [addr, bits] = ipaddr.parseCIDR(entry);
        // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
        range = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96 ? [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] : [addr, bits];
      } else {
        const addr = parseAddress(entry);
        if (addr) range = [addr, addr.kind() === 'ipv4' ? 32 : 128];
      }
    } catch {
      range = null;
    }
    if (!range) throw new Error(`FLOWGATE_TRUSTED_PROXIES: "${entry}" is not an IP address or a CIDR (such as 10.0.0.5, 10.1.0.0/16 or fd00::/8)`);
    ranges.push(range);
  }
  return ranges;
}

/**
 * express's `trust proxy` function: whether an address of the chain (the socket's first, then
 * `X-Forwarded-For` from the right) is a trusted proxy. express's `req.ip` is then the right-most
 * untrusted address: with no trusted proxies, always the socket's address.
 */
export function trustProxy(ranges: ProxyRange[]): (address: string, index: number) => boolean {
  if (ranges.length === 0) return () => false;
  return (address) => {
    const addr = parseAddress(address);
    if (!addr) return false;
    return ranges.some(([net, bits]) => net.kind() === addr.kind() && (addr as ipaddr.IPv4).match(net as ipaddr.IPv4, bits));
  };
}

/**
 * The group an address's authentication failures count toward: an IPv4 address (IPv4-mapped IPv6
 * included) on its own, an IPv6 address by its /64 (one host usually holds a whole /64), anything
 * else as it is.
 */
export function addressGroup(address: string | undefined): string {
  if (!address) return 'unknown';
  const addr = parseAddress(address);
  if (!addr) return address;
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toString()}/64`;
}
