/**
 * The address rules of `http` steps without a connector (docs/connectors.md): which addresses are not public,
 * how FLOWGATE_HTTP_ALLOWED_HOSTS entries match, and the connector URL join. Pure: no servers needed
 * (the http step tests exercise the same rules through real connections).
 */
import { embeddedV4, isHostAllowed, isIpListed, nonPublicReason, parseAllowedHosts, resolveConnectorUrl } from '@flowgate/connectors';
import { StepError } from '@flowgate/engine';

describe('nonPublicReason', () => {
  test.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['100.64.0.1', /shared/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:169.254.169.254', /link-local/],
    ['64:ff9b::a9fe:a9fe', /link-local/],
    ['2002:7f00:1::', /loopback/],
  ])('%s is not public', (ip, reason) => {
    expect(nonPublicReason(ip)).toMatch(reason);
  });

  test.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(nonPublicReason(ip)).toBeNull();
  });

  test('embeddedV4', () => {
    expect(embeddedV4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedV4('2001:db8::1')).toBeNull();
  });
});

describe('nonPublicReason: IPv6 forms that carry an IPv4 address', () => {
  test.each([
    ['::ffff:127.0.0.1', 'loopback, as IPv6 ::ffff:127.0.0.1'], // IPv4-mapped, dotted
    ['::ffff:7f00:1', 'loopback, as IPv6 ::ffff:7f00:1'], // IPv4-mapped, hex
    ['::FFFF:7F00:1', 'loopback, as IPv6 ::FFFF:7F00:1'],
    ['0:0:0:0:0:ffff:10.0.0.1', 'private (RFC 1918), as IPv6 0:0:0:0:0:ffff:10.0.0.1'],
    ['::127.0.0.1', 'loopback, as IPv6 ::127.0.0.1'], // IPv4-compatible (deprecated)
    ['::7f00:1', 'loopback, as IPv6 ::7f00:1'],
    ['64:ff9b::a00:1', 'private (RFC 1918), as IPv6 64:ff9b::a00:1'], // NAT64
    ['64:ff9b::10.0.0.1', 'private (RFC 1918), as IPv6 64:ff9b::10.0.0.1'], // NAT64, dotted after "::"
    ['64:ff9b::127.0.0.1', 'loopback, as IPv6 64:ff9b::127.0.0.1'],
    ['2002:c0a8:101::', 'private (RFC 1918), as IPv6 2002:c0a8:101::'], // 6to4
    ['2002:a9fe:a9fe::1', 'link-local (cloud metadata), as IPv6 2002:a9fe:a9fe::1'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback, as IPv6 2001:0:4136:e378:8000:63bf:80ff:fffe'], // Teredo (inverted client address)
    ['fec0::1', 'site-local'],
    ['fe80::1%eth0', 'link-local'],
    ['[::1]', 'loopback'],
  ])('%s → %s', (ip, reason) => {
    expect(nonPublicReason(ip)).toBe(reason);
  });

  test.each(['::8.8.8.8', '64:ff9b::808:808', '64:ff9b:1::a00:1', '2002:808:808::1', '::ffff:0:7f00:1', '2001:db8::1'])('%s is public', (ip) => {
    expect(nonPublicReason(ip)).toBeNull();
  });

  test('embeddedV4 reads every form', () => {
    expect(embeddedV4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedV4('::127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedV4('64:ff9b::10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedV4('2002:c0a8:101::')).toBe('192.168.1.1');
    expect(embeddedV4('2001:0:4136:e378:8000:63bf:80ff:fffe')).toBe('127.0.0.1');
    expect(embeddedV4('::1')).toBeNull();
    expect(embeddedV4('::')).toBeNull();
    expect(embeddedV4('127.0.0.1')).toBeNull();
  });
});

describe('nonPublicReason: odd IPv4 forms are not IP addresses here', () => {
  // getaddrinfo and ipaddr.js read these as 127.0.0.1; a URL never hands them over (WHATWG URL
  // parsing normalises them), and anything else that is not a plain address is refused.
  test.each(['2130706433', '0177.0.0.1', '127.1', '0x7f.0.0.1', '127.000.000.001', 'localhost', ''])('%s', (ip) => {
    expect(nonPublicReason(ip)).toBe('not an IP address');
  });

  test('the documentation and 6to4 relay ranges stay public (unlike ipaddr.js "reserved")', () => {
    for (const ip of ['192.0.2.1', '198.51.100.7', '203.0.113.7', '192.88.99.1']) expect(nonPublicReason(ip)).toBeNull();
    expect(nonPublicReason('198.18.0.1')).toMatch(/benchmarking/);
    expect(nonPublicReason('192.0.0.8')).toMatch(/IETF/);
  });
});

describe('FLOWGATE_HTTP_ALLOWED_HOSTS', () => {
  const allowed = parseAllowedHosts(['api.example.com', 'hooks.example.org:8443', '*.corp.example', '127.0.0.1:9100', '::1', '[fd00::5]:80', ' ']);

  test.each([
    ['https://api.example.com/x', true],
    ['http://api.example.com:8080/x', true],
    ['https://API.Example.com./x', true],
    ['https://evil.example.com/', false],
    ['https://api.example.com.evil.net/', false],
    ['https://hooks.example.org:8443/', true],
    ['https://hooks.example.org/', false],
    ['https://a.corp.example/', true],
    ['https://a.b.corp.example/', true],
    ['https://corp.example/', false],
    ['https://notcorp.example/', false],
    ['http://127.0.0.1:9100/', true],
    ['http://127.0.0.1:9101/', false],
    ['http://[::1]:8080/', true],
    ['http://[fd00::5]/', true],
    ['http://[fd00::5]:81/', false],
    ['http://2130706433:9100/', true], // the same IP, written as a number: URL parsing normalises it
  ])('%s → %s', (url, ok) => {
    expect(isHostAllowed(new URL(url), allowed)).toBe(ok);
  });

  test('the literal-IP exception', () => {
    expect(isIpListed('127.0.0.1', 9100, allowed)).toBe(true);
    expect(isIpListed('127.0.0.1', 80, allowed)).toBe(false);
    expect(isIpListed('::1', 443, allowed)).toBe(true);
    expect(isIpListed('::ffff:127.0.0.1', 9100, allowed)).toBe(true);
    expect(isIpListed('10.0.0.1', 80, allowed)).toBe(false);
  });

  test('the literal-IP exception compares addresses, not their text', () => {
    const listed = parseAllowedHosts(['::ffff:10.0.0.1', '64:ff9b::7f00:1', 'FE80::1', '[2001:db8::1]:8443']);
    expect(listed.map((a) => a.host)).toEqual(['10.0.0.1', '64:ff9b:0:0:0:0:7f00:1', 'fe80:0:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:1']);
    expect(isIpListed('10.0.0.1', 80, listed)).toBe(true);
    expect(isIpListed('::ffff:a00:1', 80, listed)).toBe(true);
    expect(isIpListed('64:ff9b::127.0.0.1', 80, listed)).toBe(true);
    expect(isIpListed('fe80::1%eth0', 80, listed)).toBe(true);
    expect(isIpListed('2001:db8:0::1', 8443, listed)).toBe(true);
    expect(isIpListed('2001:db8::1', 443, listed)).toBe(false);
    // not the same address: IPv4-compatible, not IPv4-mapped
    expect(isIpListed('::10.0.0.1', 80, listed)).toBe(false);
    // odd IPv4 forms are not IP addresses, so never the listed IP
    expect(isIpListed('2130706433', 9100, allowed)).toBe(false);
    expect(isIpListed('0177.0.0.1', 9100, allowed)).toBe(false);
    expect(isIpListed('127.1', 9100, allowed)).toBe(false);
  });
});

describe('resolveConnectorUrl (docs/connectors.md)', () => {
  test('relative: the connector url without trailing "/" + "/" + the step url without leading "/"', () => {
    expect(resolveConnectorUrl('https://edr.example.com', 'isolate').href).toBe('https://edr.example.com/isolate');
    expect(resolveConnectorUrl('https://edr.example.com', '/isolate').href).toBe('https://edr.example.com/isolate');
    expect(resolveConnectorUrl('https://api.example.com/v1', 'hosts/x?y=1').href).toBe('https://api.example.com/v1/hosts/x?y=1');
    expect(resolveConnectorUrl('https://api.example.com/v1/', '/hosts').href).toBe('https://api.example.com/v1/hosts');
  });

  test('absolute: must be on the connector origin', () => {
    expect(resolveConnectorUrl('https://edr.example.com', 'https://edr.example.com/isolate').href).toBe('https://edr.example.com/isolate');
    for (const bad of ['https://evil.example.com/isolate', 'http://edr.example.com/isolate', 'https://edr.example.com:8443/x', 'https:evil.example.com', 'file:///etc/passwd']) {
      let err: unknown;
      try {
        resolveConnectorUrl('https://edr.example.com', bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StepError);
      expect((err as StepError).type).toBe('url_not_allowed');
      expect((err as StepError).retryable).toBe(false);
    }
  });

  test('tricks in relative URLs stay on the origin', () => {
    expect(resolveConnectorUrl('https://edr.example.com', '//evil.example.com/x').origin).toBe('https://edr.example.com');
    expect(resolveConnectorUrl('https://edr.example.com', '@evil.example.com').origin).toBe('https://edr.example.com');
    expect(resolveConnectorUrl('https://edr.example.com/api', '../../x').origin).toBe('https://edr.example.com');
  });
});
