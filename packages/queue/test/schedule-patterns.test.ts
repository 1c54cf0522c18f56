/**
 * Scheduled triggers' rrules (docs/workflows.md "Scheduled trigger"): the RFC 5545 pattern of a
 * Kibana rrule, flowgateRepeatStrategy's next runs (rrule patterns by rrule, cron patterns as
 * BullMQ does), and the strategy at work in a BullMQ queue and worker on a real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { defaultRepeatStrategy, Worker, type Job } from 'bullmq';
import type IORedis from 'ioredis';
import { flowgateRepeatStrategy, nextRruleMillis, Queues, rrulePattern, TIMERS_QUEUE, type TimerJob } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

const at = (iso: string) => Date.parse(iso);
const iso = (millis: number | undefined) => (millis === undefined ? undefined : new Date(millis).toISOString());

/** The next `count` runs of a pattern after `from`, each computed from the one before (as BullMQ does). */
async function runs(pattern: string, from: string, count: number, tz?: string): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  let millis = at(from);
  for (let i = 0; i < count; i++) {
    const next = await flowgateRepeatStrategy(millis, { pattern, tz });
    out.push(iso(next));
    if (next === undefined) break;
    millis = next;
  }
  return out;
}

describe('rrulePattern', () => {
  test('an RFC 5545 rule anchored on Monday 1 January 2024 without dtstart', () => {
    expect(rrulePattern({ freq: 'WEEKLY', interval: 2, byweekday: ['MO', 'WE'], byhour: [9], byminute: [0], tzid: 'Europe/Paris' })).toBe(
      'DTSTART;TZID=Europe/Paris:20240101T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYHOUR=9;BYMINUTE=0;BYDAY=MO,WE',
    );
  });

  test('dtstart is read in the rule time zone; by* lists are sorted', () => {
    expect(rrulePattern({ freq: 'MONTHLY', bymonthday: [15, 1], byhour: [18, 8], tzid: 'Europe/Paris', dtstart: '2025-01-01T00:00:00Z' })).toBe(
      'DTSTART;TZID=Europe/Paris:20250101T010000\nRRULE:FREQ=MONTHLY;INTERVAL=1;BYHOUR=8,18;BYMONTHDAY=1,15',
    );
    expect(rrulePattern({ freq: 'DAILY', tzid: 'Europe/Paris', dtstart: '2025-06-01T07:30' })).toBe('DTSTART;TZID=Europe/Paris:20250601T073000\nRRULE:FREQ=DAILY;INTERVAL=1');
  });

  test('without tzid, the time zone of the process that saves it, written into the rule', () => {
    expect(rrulePattern({ freq: 'DAILY', byhour: 6 }, 'America/New_York')).toBe('DTSTART;TZID=America/New_York:20240101T000000\nRRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=6');
    expect(rrulePattern({ freq: 'DAILY', byhour: 6 }, 'UTC')).toBe('DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=6');
  });
});

describe('flowgateRepeatStrategy', () => {
  test('WEEKLY INTERVAL=2 BYDAY=MO,WE: Monday and Wednesday every other week, counted from the anchor', async () => {
    const pattern = rrulePattern({ freq: 'WEEKLY', interval: 2, byweekday: ['MO', 'WE'], byhour: [9], byminute: [0], tzid: 'UTC' });
    // 2026-05-04 is a Monday 122 weeks after 2024-01-01: a week that runs; 2026-05-11 is one that does not.
    expect(await runs(pattern, '2026-05-04T00:00:00Z', 6)).toEqual([
      '2026-05-04T09:00:00.000Z',
      '2026-05-06T09:00:00.000Z',
      '2026-05-18T09:00:00.000Z',
      '2026-05-20T09:00:00.000Z',
      '2026-06-01T09:00:00.000Z',
      '2026-06-03T09:00:00.000Z',
    ]);
    expect(await runs(pattern, '2026-05-06T09:00:00Z', 1)).toEqual(['2026-05-18T09:00:00.000Z']);
  });

  test('WEEKLY INTERVAL=2 counts from dtstart when given', async () => {
    const pattern = rrulePattern({ freq: 'WEEKLY', interval: 2, byweekday: ['MO', 'WE'], byhour: [9], byminute: [0], tzid: 'UTC', dtstart: '2026-05-11T00:00:00Z' });
    expect(await runs(pattern, '2026-05-01T00:00:00Z', 4)).toEqual(['2026-05-11T09:00:00.000Z', '2026-05-13T09:00:00.000Z', '2026-05-25T09:00:00.000Z', '2026-05-27T09:00:00.000Z']);
  });

  test('DAILY with byhour and byminute, in any order', async () => {
    const pattern = rrulePattern({ freq: 'DAILY', byhour: [18, 6], byminute: [30], tzid: 'UTC' });
    expect(await runs(pattern, '2026-03-10T07:00:00Z', 3)).toEqual(['2026-03-10T18:30:00.000Z', '2026-03-11T06:30:00.000Z', '2026-03-11T18:30:00.000Z']);
  });

  test('DAILY INTERVAL=2 runs every other day across the end of a month', async () => {
    // 2026-01-30 is 760 days after the anchor (a day that runs), so 2026-01-31 does not and 2026-02-01 does.
    const pattern = rrulePattern({ freq: 'DAILY', interval: 2, byhour: 6, tzid: 'UTC' });
    expect(await runs(pattern, '2026-01-30T00:00:00Z', 3)).toEqual(['2026-01-30T06:00:00.000Z', '2026-02-01T06:00:00.000Z', '2026-02-03T06:00:00.000Z']);
  });

  test('MONTHLY bymonthday, skipping months without the day; INTERVAL counts months', async () => {
    const twice = rrulePattern({ freq: 'MONTHLY', bymonthday: [1, 15], byhour: [8], byminute: [0], tzid: 'UTC' });
    expect(await runs(twice, '2026-01-20T00:00:00Z', 3)).toEqual(['2026-02-01T08:00:00.000Z', '2026-02-15T08:00:00.000Z', '2026-03-01T08:00:00.000Z']);
    const on31 = rrulePattern({ freq: 'MONTHLY', bymonthday: [31], tzid: 'UTC' });
    expect(await runs(on31, '2026-01-31T09:00:00Z', 2)).toEqual(['2026-03-31T00:00:00.000Z', '2026-05-31T00:00:00.000Z']);
    const quarterly = rrulePattern({ freq: 'MONTHLY', interval: 3, bymonthday: [10], byhour: [12], tzid: 'UTC', dtstart: '2026-02-01T00:00:00Z' });
    expect(await runs(quarterly, '2026-01-01T00:00:00Z', 3)).toEqual(['2026-02-10T12:00:00.000Z', '2026-05-10T12:00:00.000Z', '2026-08-10T12:00:00.000Z']);
  });

  test('tzid Europe/Paris keeps the wall-clock time across both DST changes', async () => {
    const nine = rrulePattern({ freq: 'DAILY', byhour: [9], tzid: 'Europe/Paris' });
    // Summer time starts on 2026-03-29 (09:00 is 08:00Z before, 07:00Z after) and ends on 2026-10-25.
    expect(await runs(nine, '2026-03-27T12:00:00Z', 3)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(await runs(nine, '2026-10-23T12:00:00Z', 3)).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  test('tzid Europe/Paris at 02:30, an hour skipped in spring and repeated in autumn: as cron-parser runs it', async () => {
    const pattern = rrulePattern({ freq: 'DAILY', byhour: [2], byminute: [30], tzid: 'Europe/Paris' });
    const cron = { pattern: '30 2 * * *', tz: 'Europe/Paris' };
    for (const from of ['2026-03-28T12:00:00Z', '2026-10-24T12:00:00Z']) {
      expect(await runs(pattern, from, 3)).toEqual(await runs(cron.pattern, from, 3, cron.tz));
    }
    // skipped: 03:30 summer time; repeated: the first 02:30, once
    expect(await runs(pattern, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(await runs(pattern, '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  test('an old rule costs no more than a new one (rrule iterates from DTSTART)', () => {
    const everyMinute = rrulePattern({ freq: 'DAILY', byhour: [...Array(24).keys()], byminute: [...Array(60).keys()], tzid: 'UTC' });
    const started = Date.now();
    expect(iso(nextRruleMillis(everyMinute, at('2034-01-01T00:00:30Z')))).toBe('2034-01-01T00:01:00.000Z');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a cron pattern is BullMQ’s own strategy', async () => {
    const from = at('2026-01-01T00:00:00Z');
    const opts = { pattern: '30 2 * * *', tz: 'Europe/Paris' };
    expect(await flowgateRepeatStrategy(from, opts)).toBe(defaultRepeatStrategy(from, opts));
    expect(iso(await flowgateRepeatStrategy(from, opts))).toBe('2026-01-01T01:30:00.000Z');
    expect(await runs('*/15 * * * *', '2026-01-01T00:07:00Z', 2)).toEqual(['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']);
  });
});

describe('the strategy in BullMQ, on a real redis-server', () => {
  let server: RedisServer;
  let redis: IORedis;
  let queues: Queues;
  let prefix: string;

  beforeAll(async () => {
    server = await startRedis();
    redis = server.client();
  });
  afterAll(async () => server.stop());
  beforeEach(() => {
    prefix = `qs${randomUUID().slice(0, 8)}`;
    queues = new Queues(redis, prefix);
  });
  afterEach(async () => queues.close());

  const template = { name: 'timer', data: { kind: 'schedule' as const, workflowId: 'wf' } };

  test('a job scheduler with an rrule gets its first run from the rule', async () => {
    const pattern = rrulePattern({ freq: 'WEEKLY', interval: 2, byweekday: ['MO', 'WE'], byhour: [9], byminute: [15], tzid: 'Europe/Paris' });
    // BullMQ's cron strategy cannot read it
    expect(() => defaultRepeatStrategy(Date.now(), { pattern })).toThrow();
    const before = Date.now();
    const job = await queues.timers.upsertJobScheduler('sched#wf#0', { pattern, tz: 'Europe/Paris' }, template);
    const expected = nextRruleMillis(pattern, before)!;
    const [scheduler] = await queues.timers.getJobSchedulers(0, -1);
    expect(scheduler).toMatchObject({ key: 'sched#wf#0', pattern, tz: 'Europe/Paris', next: expected });
    const [delayed] = await queues.timers.getDelayed();
    expect(delayed.id).toBe(job!.id);
    expect(delayed.id).toBe(`repeat:sched#wf#0:${expected}`);
    expect(delayed.timestamp + delayed.opts.delay!).toBeGreaterThanOrEqual(expected - 5);
    expect(delayed.timestamp + delayed.opts.delay!).toBeLessThanOrEqual(expected + 5);
  });

  test('cron and every schedulers are as before', async () => {
    const before = Date.now();
    await queues.timers.upsertJobScheduler('sched#wf#1', { pattern: '30 2 * * *', tz: 'Europe/Paris' }, template);
    await queues.timers.upsertJobScheduler('sched#wf#2', { every: 300_000 }, template);
    const schedulers = await queues.timers.getJobSchedulers(0, -1, true);
    const byKey = Object.fromEntries(schedulers.map((s) => [s.key, s]));
    expect(byKey['sched#wf#1']).toMatchObject({ pattern: '30 2 * * *', tz: 'Europe/Paris', next: defaultRepeatStrategy(before, { pattern: '30 2 * * *', tz: 'Europe/Paris' }) });
    expect(byKey['sched#wf#2'].every).toBe(300_000);
    expect(byKey['sched#wf#2'].next).toBeLessThanOrEqual(Date.now() + 300_000);
  });

  test('a worker with the strategy schedules the next run of an rrule when it takes a run', async () => {
    // A rule every 2 seconds, to see two runs: rrule patterns are any RFC 5545 rule to the strategy.
    const start = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/[-:]|\.\d+/g, '');
    const pattern = `DTSTART:${start}\nRRULE:FREQ=SECONDLY;INTERVAL=2`;
    const connection = redis.duplicate();
    const taken: Job<TimerJob>[] = [];
    const errors: Error[] = [];
    const worker = new Worker<TimerJob>(TIMERS_QUEUE, async (job) => void taken.push(job), {
      connection,
      prefix,
      settings: { repeatStrategy: flowgateRepeatStrategy },
    });
    worker.on('error', (err) => errors.push(err));
    try {
      await queues.timers.upsertJobScheduler('sched#wf#3', { pattern }, template);
      const deadline = Date.now() + 10_000;
      while (taken.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(errors).toEqual([]);
      expect(taken.length).toBeGreaterThanOrEqual(2);
      const [first, second] = taken.map((j) => Number(j.id!.split(':').pop()));
      expect(second - first).toBe(2000);
      expect(taken[0].data).toEqual(template.data);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
