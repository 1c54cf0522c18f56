/** Pure parts of the API, without processes: key parsing, durations, titles, limiters, events. */
import { addressGroup, parseTrustedProxies, trustProxy } from '../src/address';
import { FailureLimiter, IngestLimiter, Authenticator } from '../src/auth';
import { ConnectionErrorLog, isRedisConnectionError, isRedisOutOfMemory } from '@flowgate/queue';
import { parseApiKeys, parseDurationMs, parseMaxBacklog, parseMaxMemory, parseMetricsKey } from '../src/config';
import { memoryLimitOf, parseMemoryInfo } from '../src/pressure';
import { GaugeRefresher, healthProblem } from '../src/routes/health';
import { eventIdOf, normalizeEvent } from '../src/ingest';
import { iso, waitTitle } from '../src/render';
import { splitLines } from '../src/routes/alerts';

/** A secret of 32 characters or more (the shortest accepted), unique per `tag`. */
const secret = (tag: string) => `${tag}-${'0123456789abcdef'.repeat(2)}`;

describe('FLOWGATE_API_KEYS', () => {
  it('splits entries on "," and each on its first two ":" (the secret may hold ":")', () => {
    expect(parseApiKeys(`alice:reviewer:a:b:${secret('c')}, siem:ingest:${secret('xyz')} ,`)).toEqual([
      { name: 'alice', role: 'reviewer', secret: `a:b:${secret('c')}` },
      { name: 'siem', role: 'ingest', secret: secret('xyz') },
    ]);
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
    expect(parseApiKeys(`a.b@c-d_e:admin:${secret('s')}`)[0].name).toBe('a.b@c-d_e');
  });

  it.each([
    ['alice', /entry 1 \("alice"\) is not name:role:secret/],
    ['alice:reviewer', /entry 1 .* is not name:role:secret/],
    [`alice:root:${secret('pw')}`, /unknown role "root"/],
    [`a:admin:${secret('x')},,b:admin:${secret('y')}`, /entry 2 is empty/],
    [`a:admin:${secret('x')},a:viewer:${secret('y')}`, /entry 2 .*duplicate name "a" \(also entry 1\)/],
    [`a:admin:${secret('same')},b:viewer:${secret('same')}`, /entry 2 .*the same secret as entry 1/],
    [`${'n'.repeat(65)}:admin:${secret('x')}`, /the name must match/],
    [`bad name:admin:${secret('x')}`, /the name must match/],
  ])('refuses %s', (text, message) => {
    expect(() => parseApiKeys(text)).toThrow(message);
  });

  it('refuses a secret shorter than 32 characters, naming the entry, never the secret', () => {
    const short = 'x'.repeat(31);
    expect(() => parseApiKeys(`siem:ingest:${secret('ok')},alice:reviewer:${short}`)).toThrow(/^FLOWGATE_API_KEYS: entry 2 \("alice:reviewer:\*\*\*"\): the secret is shorter than 32 characters/);
    try {
      parseApiKeys(`alice:reviewer:${short}`);
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
    }
    expect(parseApiKeys(`alice:reviewer:${'x'.repeat(32)}`)).toEqual([{ name: 'alice', role: 'reviewer', secret: 'x'.repeat(32) }]);
  });

  it('never prints a secret in its message', () => {
    const text = `a:admin:${secret('topsecret')},a:viewer:${secret('othersecret')}`;
    expect(() => parseApiKeys(text)).toThrow(/^(?!.*secret").*$/);
    try {
      parseApiKeys(text);
    } catch (e) {
      expect((e as Error).message).not.toMatch(/topsecret|othersecret/);
    }
  });
});

describe('FLOWGATE_METRICS_KEY', () => {
  it('is optional, at least 32 characters, never printed', () => {
    expect(parseMetricsKey(undefined)).toBeNull();
    expect(parseMetricsKey(' ')).toBeNull();
    expect(parseMetricsKey(` ${secret('prom')} `)).toBe(secret('prom'));
    expect(() => parseMetricsKey('short-metrics-key')).toThrow(/^FLOWGATE_METRICS_KEY: the key is shorter than 32 characters/);
    expect(() => parseMetricsKey('short-metrics-key')).not.toThrow(/short-metrics-key/);
  });
});

describe('authentication', () => {
  const auth = new Authenticator({ keys: parseApiKeys(`alice:reviewer:${secret('alice')},siem:ingest:${secret('siem')}`) });
  it('finds the key of "ApiKey" and "Bearer" headers, nothing else', () => {
    expect(auth.identify(`ApiKey ${secret('alice')}`)).toEqual({ name: 'alice', role: 'reviewer' });
    expect(auth.identify(`bearer ${secret('siem')}`)).toEqual({ name: 'siem', role: 'ingest' });
    for (const h of [undefined, '', 'ApiKey', `ApiKey ${secret('alice')}x`, `Basic ${secret('alice')}`, `ApiKey ${secret('alice')} extra`]) expect(auth.identify(h)).toBeNull();
  });
});

describe('client addresses', () => {
  it('groups IPv4 by the address, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(addressGroup('203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressGroup('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(addressGroup('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:db8:1:3::a')).toBe('2001:db8:1:3::/64');
    expect(addressGroup('::1')).toBe('::/64');
    expect(addressGroup(undefined)).toBe('unknown');
    expect(addressGroup('not-an-address')).toBe('not-an-address');
  });

  it('parses FLOWGATE_TRUSTED_PROXIES: addresses and CIDRs, IPv4 and IPv6; one line naming a bad entry', () => {
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies(' , ')).toEqual([]);
    expect(parseTrustedProxies('10.0.0.5, 10.1.0.0/16,fd00::/8, ::1').map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.0.0.5/32', '10.1.0.0/16', 'fd00::/8', '::1/128']);
    expect(parseTrustedProxies('::ffff:10.0.0.0/104').map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.0.0.0/8']);
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.256', '*']) expect(() => parseTrustedProxies(`10.0.0.1,${bad}`)).toThrow(`FLOWGATE_TRUSTED_PROXIES: "${bad}" is not an IP address or a CIDR`);
  });

  it('trusts only the listed proxies, IPv4-mapped addresses as IPv4; none by default', () => {
    const none = trustProxy([]);
    expect(none('127.0.0.1', 0)).toBe(false);
    const trust = trustProxy(parseTrustedProxies('127.0.0.1,10.1.0.0/16,fd00::/8'));
    expect(['127.0.0.1', '::ffff:127.0.0.1', '10.1.200.3', 'fd00::1'].map((a) => trust(a, 0))).toEqual([true, true, true, true]);
    expect(['127.0.0.2', '10.2.0.1', 'fe80::1', '::1', 'garbage', ''].map((a) => trust(a, 0))).toEqual([false, false, false, false, false, false]);
  });
});

describe('durations', () => {
  it.each([
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['60', 60_000],
  ])('%s = %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', 'h', '1x', '30m1h', '1h 30m', 'forever', '-1h'])('refuses "%s"', (text) => expect(parseDurationMs(text)).toBeNull());
});

describe('wait titles', () => {
  it.each([
    ['## Alert on `web-01`\n**AI**: x', 'Alert on web-01'],
    ['\n\n   \n> **Isolate** _this_ host?', 'Isolate this host?'],
    ['- [x] [Check](https://x.example) the ~~old~~ host', 'Check the old host'],
    ['1. First\n2. Second', 'First'],
    ['---\n\nReal title', 'Real title'],
    ['```\ncode\n```', 'code'],
    ['![logo](x.png) Approve <b>now</b>', 'logo Approve <b>now</b>'],
    ['## Isolate `<img src=x onerror=alert(1)>`?', 'Isolate <img src=x onerror=alert(1)>?'],
    ['', ''],
  ])('%j → %j', (message, title) => expect(waitTitle(message)).toBe(title));

  it('keeps at most 200 characters', () => {
    expect(waitTitle(`# ${'é'.repeat(250)}`)).toBe('é'.repeat(200));
  });
});

describe('timestamps', () => {
  it('renders epoch ms as ISO 8601 UTC with milliseconds, absent as null', () => {
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(1_700_000_000_123)).toBe('2023-11-14T22:13:20.123Z');
    expect(iso(null)).toBeNull();
    expect(iso(undefined)).toBeNull();
  });
});

describe('limiters', () => {
  it('blocks an address at 50 failures in a sliding minute, with the seconds to wait', () => {
    let now = 1_000_000;
    const f = new FailureLimiter(50, 60_000, () => now);
    for (let i = 0; i < 49; i++) f.fail('1.2.3.4');
    expect(f.blockedFor('1.2.3.4')).toBe(0);
    f.fail('1.2.3.4');
    expect(f.blockedFor('1.2.3.4')).toBe(60);
    expect(f.blockedFor('5.6.7.8')).toBe(0);
    now += 30_000;
    expect(f.blockedFor('1.2.3.4')).toBe(30);
    now += 30_001;
    expect(f.blockedFor('1.2.3.4')).toBe(0);
  });

  it('counts failures by address group: an IPv6 /64 together', () => {
    const f = new FailureLimiter(3, 60_000, () => 0);
    for (const a of ['2001:db8:1:2::a', '2001:db8:1:2::b', '2001:db8:1:2:ffff::1']) f.fail(addressGroup(a));
    expect(f.blockedFor(addressGroup('2001:db8:1:2::99'))).toBe(60);
    expect(f.blockedFor(addressGroup('2001:db8:1:3::a'))).toBe(0);
  });

  it('holds at most 10,000 address groups, least recently failing first out', () => {
    const f = new FailureLimiter(50, 60_000, () => 0);
    for (let i = 0; i < 50; i++) f.fail('198.51.100.1');
    for (let i = 0; i < 30_000; i++) f.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(f.size).toBe(10_000);
    expect(f.blockedFor('198.51.100.1')).toBe(0); // evicted by 30,000 others
    for (let i = 0; i < 50; i++) f.fail('198.51.100.1');
    expect(f.blockedFor('198.51.100.1')).toBe(60);
  });

  it('lets a key post N alerts per second, then asks it to wait', () => {
    let now = 0;
    const l = new IngestLimiter(3, () => now);
    expect([l.take('k', 1), l.take('k', 1), l.take('k', 1)]).toEqual([0, 0, 0]);
    expect(l.take('k', 1)).toBe(1);
    expect(l.take('other', 1)).toBe(0);
    now += 1000;
    expect(l.take('k', 1)).toBe(0);
    expect(l.take('k', 10)).toBe(0); // a bulk may go into debt...
    expect(l.take('k', 1)).toBeGreaterThan(1); // ...and waits it off
  });
});

describe('/metrics gauges', () => {
  it('refresh at most once per 5 s, concurrent scrapes sharing one refresh', async () => {
    let now = 0;
    let refreshes = 0;
    let release!: () => void;
    const g = new GaugeRefresher(() => {
      refreshes += 1;
      return new Promise<void>((r) => (release = r));
    }, 5000, () => now);
    const scrapes = Array.from({ length: 20 }, () => g.fresh());
    expect(refreshes).toBe(1);
    release();
    await Promise.all(scrapes);
    now += 4999;
    await g.fresh();
    expect(refreshes).toBe(1);
    now += 1;
    const next = g.fresh();
    release();
    await next;
    expect(refreshes).toBe(2);
  });

  it('a failed refresh is not tried again before 5 s either', async () => {
    let now = 0;
    let refreshes = 0;
    const g = new GaugeRefresher(async () => {
      refreshes += 1;
      throw new Error('redis down');
    }, 5000, () => now);
    await expect(g.fresh()).rejects.toThrow('redis down');
    now += 1000;
    await g.fresh();
    expect(refreshes).toBe(1);
  });
});

describe('events', () => {
  it('takes {alerts: [...]} as an event and anything else as one bare alert; copies alerts[0].rule', () => {
    expect(normalizeEvent({ alerts: [{ rule: { name: 'r' } }] })).toEqual({ alerts: [{ rule: { name: 'r' } }], rule: { name: 'r' } });
    expect(normalizeEvent({ alerts: [], rule: { name: 'x' } })).toEqual({ alerts: [], rule: { name: 'x' } });
    expect(normalizeEvent({ id: 'a1', host: 'h', rule: { id: 1 } })).toEqual({ alerts: [{ id: 'a1', host: 'h', rule: { id: 1 } }], id: 'a1', rule: { id: 1 } });
    expect(() => normalizeEvent([1])).toThrow(/JSON object/);
    expect(() => normalizeEvent({ alerts: {} })).toThrow(/array/);
  });

  it('uses a string or number top-level id as the idempotency id', () => {
    expect(eventIdOf({ id: 'x' })).toBe('x');
    expect(eventIdOf({ id: 7 })).toBe('7');
    expect(eventIdOf({ id: {} })).toBeNull();
    expect(eventIdOf({ id: '' })).toBeNull();
  });

  it('splits NDJSON on \\n and \\r\\n; a final newline opens no line', () => {
    expect(splitLines('a\r\nb\n\nc\n')).toEqual(['a', 'b', '', 'c']);
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['']);
  });
});

describe('backpressure limits', () => {
  it.each([
    [undefined, { percent: 85 }],
    ['', { percent: 85 }],
    ['85%', { percent: 85 }],
    ['92.5%', { percent: 92.5 }],
    ['800mb', { bytes: 800 * 1024 * 1024 }],
    ['1GB', { bytes: 1024 ** 3 }],
    ['1g', { bytes: 1e9 }],
    ['512k', { bytes: 512_000 }],
    ['123456', { bytes: 123456 }],
  ])('FLOWGATE_MAX_MEMORY=%s', (text, limit) => expect(parseMaxMemory(text)).toEqual(limit));

  it.each(['lots', '0', '0%', '101%', '-5mb', '1tb', '85 %', '1.5.2g'])('refuses FLOWGATE_MAX_MEMORY=%s in one line naming the variable', (text) => {
    expect(() => parseMaxMemory(text)).toThrow(/^FLOWGATE_MAX_MEMORY: /);
  });

  it('reads FLOWGATE_MAX_BACKLOG as a whole number ≥ 1 (default 100,000)', () => {
    expect(parseMaxBacklog(undefined)).toBe(100_000);
    expect(parseMaxBacklog(' 5000 ')).toBe(5000);
    for (const bad of ['0', '-1', '1.5', '1e5', 'many']) expect(() => parseMaxBacklog(bad)).toThrow(/^FLOWGATE_MAX_BACKLOG: /);
  });

  it('resolves a percentage against maxmemory (none while it is 0) and reads INFO memory', () => {
    expect(memoryLimitOf({ percent: 85 }, 1000)).toBe(850);
    expect(memoryLimitOf({ percent: 85 }, 0)).toBeNull();
    expect(memoryLimitOf({ bytes: 500 }, 0)).toBe(500);
    expect(parseMemoryInfo('# Memory\r\nused_memory:1234\r\nused_memory_human:1.2K\r\nmaxmemory:67108864\r\n')).toEqual({ usedMemory: 1234, maxmemory: 67108864 });
  });
});

describe('Redis errors', () => {
  it('tells an unreachable Redis and an OOM answer from other errors', () => {
    for (const message of ['connect ECONNREFUSED 127.0.0.1:6379', "Stream isn't writeable and enableOfflineQueue options is false", 'Command timed out', 'Connection is closed.', 'LOADING Redis is loading the dataset in memory']) {
      expect(isRedisConnectionError(new Error(message))).toBe(true);
    }
    expect(isRedisConnectionError(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isRedisOutOfMemory(new Error("OOM command not allowed when used memory > 'maxmemory'. script: abc"))).toBe(true);
    expect(isRedisOutOfMemory(new Error('ERR something else'))).toBe(false);
  });

  it('logs an outage in a few lines: the first error, one per 30 s while it lasts, and its end', () => {
    const lines: [string, Record<string, unknown>][] = [];
    const log = { warn: (f: Record<string, unknown>, m: string) => lines.push([m, f]), info: (f: Record<string, unknown>, m: string) => lines.push([m, f]) };
    let now = 0;
    const c = new ConnectionErrorLog(log, 30_000, () => now);
    for (; now < 65_000; now += 100) c.error(new Error('connect ECONNREFUSED'));
    c.ready();
    expect(lines.map(([m]) => m)).toEqual(['redis connection error', 'redis connection error', 'redis connection error', 'redis connection restored']);
    expect(lines[1][1]).toMatchObject({ downForMs: 30_000, errorsSinceLastLine: 300 });
    expect(lines[3][1]).toMatchObject({ errors: 650 });
  });
});

describe('health', () => {
  it('is degraded (200) while new work is refused, 503 while Redis does not answer or the API starts', () => {
    const reasons = [{ reason: 'backlog' as const, message: 'm', value: 10, limit: 5 }];
    expect(healthProblem(true, true, [])).toBeNull();
    expect(healthProblem(true, true, reasons)).toEqual({ status: 200, body: { status: 'degraded', redis: 'ok', reasons } });
    expect(healthProblem(false, true, reasons)).toMatchObject({ status: 503, body: { status: 'unavailable', redis: 'unavailable', error: { code: 'redis_unavailable' } }, retryAfter: 2 });
    expect(healthProblem(true, false, [])).toMatchObject({ status: 503, body: { status: 'starting', error: { code: 'unavailable' } }, retryAfter: 1 });
  });
});
