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
