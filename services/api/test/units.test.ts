/** Pure parts of the API, without processes: key parsing, durations, titles, limiters, events. */
import { FailureLimiter, IngestLimiter, Authenticator } from '../src/auth';
import { ConnectionErrorLog, isRedisConnectionError, isRedisOutOfMemory } from '@flowgate/queue';
import { parseApiKeys, parseDurationMs, parseMaxBacklog, parseMaxMemory } from '../src/config';
import { memoryLimitOf, parseMemoryInfo } from '../src/pressure';
import { healthProblem } from '../src/routes/health';
import { eventIdOf, normalizeEvent } from '../src/ingest';
import { iso, waitTitle } from '../src/render';
import { splitLines } from '../src/routes/alerts';

describe('FLOWGATE_API_KEYS', () => {
  it('splits entries on "," and each on its first two ":" (the secret may hold ":")', () => {
    expect(parseApiKeys('alice:reviewer:a:b:c, siem:ingest:xyz ,')).toEqual([
      { name: 'alice', role: 'reviewer', secret: 'a:b:c' },
      { name: 'siem', role: 'ingest', secret: 'xyz' },
    ]);
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
    expect(parseApiKeys('a.b@c-d_e:admin:s')[0].name).toBe('a.b@c-d_e');
  });

  it.each([
    ['alice', /entry 1 \("alice"\) is not name:role:secret/],
    ['alice:reviewer', /entry 1 .* is not name:role:secret/],
    ['alice:root:pw', /unknown role "root"/],
    ['a:admin:x,,b:admin:y', /entry 2 is empty/],
    ['a:admin:x,a:viewer:y', /entry 2 .*duplicate name "a" \(also entry 1\)/],
    ['a:admin:same,b:viewer:same', /entry 2 .*the same secret as entry 1/],
    [`${'n'.repeat(65)}:admin:x`, /the name must match/],
    ['bad name:admin:x', /the name must match/],
  ])('refuses %s', (text, message) => {
    expect(() => parseApiKeys(text)).toThrow(message);
  });

  it('never prints a secret in its message', () => {
    expect(() => parseApiKeys('a:admin:topsecret,a:viewer:othersecret')).toThrow(/^(?!.*secret").*$/);
    try {
      parseApiKeys('a:admin:topsecret,a:viewer:othersecret');
    } catch (e) {
      expect((e as Error).message).not.toMatch(/topsecret|othersecret/);
    }
  });
});

describe('authentication', () => {
  const auth = new Authenticator({ keys: parseApiKeys('alice:reviewer:alice-secret,siem:ingest:siem-secret') });
  it('finds the key of "ApiKey" and "Bearer" headers, nothing else', () => {
    expect(auth.identify('ApiKey alice-secret')).toEqual({ name: 'alice', role: 'reviewer' });
    expect(auth.identify('bearer siem-secret')).toEqual({ name: 'siem', role: 'ingest' });
    for (const h of [undefined, '', 'ApiKey', 'ApiKey alice-secretx', 'Basic alice-secret', 'ApiKey alice-secret extra']) expect(auth.identify(h)).toBeNull();
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
