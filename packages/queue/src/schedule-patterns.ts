/**
 * Schedules as BullMQ job-scheduler patterns: Kibana's rrule written as RFC 5545 text, and the
 * repeat strategy that runs those patterns (rrule) and plain cron patterns (BullMQ's own) on the
 * timers queue and its workers.
 */
import { defaultRepeatStrategy, type RepeatStrategy } from 'bullmq';
import { DateTime } from 'luxon';
import { Frequency, RRule, Weekday, type Options, type WeekdayStr } from 'rrule';

/* ---------- Kibana's rrule as an RFC 5545 rule ---------- */

const FREQUENCIES: Record<string, Frequency> = { DAILY: Frequency.DAILY, WEEKLY: Frequency.WEEKLY, MONTHLY: Frequency.MONTHLY };

/**
 * Where INTERVAL counts from when the rule has no dtstart: midnight of Monday 1 January 2024 in the
 * rule's time zone. Fixed, so that re-saving a workflow never shifts which weeks (days, months) run,
 * and a Monday, so that WEEKLY intervals count whole weeks (rrule's weeks start on Monday). Being
 * midnight on the 1st, it also gives the defaults: 00:00 without byhour/byminute, Monday without
 * byweekday, the 1st without bymonthday.
 */
const ANCHOR = { year: 2024, month: 1, day: 1 };

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * rrule's numeric by* options: sorted, because rrule emits a day's times in the order of byhour and
 * byminute (and after() takes the first one past the date); undefined when absent, so that rrule
 * takes them from dtstart.
 */
function numbers(v: unknown): number[] | undefined {
  const values = [...new Set(list(v).map(Number))].sort((a, b) => a - b);
  return values.length ? values : undefined;
}

function weekdays(v: unknown): Weekday[] | undefined {
  const days = list(v).map((d) => Weekday.fromStr(String(d).slice(-2).toUpperCase() as WeekdayStr));
  return days.length ? days : undefined;
}

/**
 * rrule computes with "floating" dates: a Date whose UTC fields are the wall-clock time in the
 * rule's TZID. Its own TZID conversion goes through the process's time zone, so luxon converts.
 */
function toFloating(time: DateTime): Date {
  return time.setZone('utc', { keepLocalTime: true }).toJSDate();
}

const DAY_MS = 86_400_000;

/**
 * The instant of a floating time in `zone` as RFC 5545 reads it (and cron-parser runs it): when
 * clocks go back, the first of the two; in an hour skipped forward, with the offset from before it
 * (02:30 is 03:30). luxon alone would pick the first or the second depending on the zone.
 */
function fromFloating(floating: Date, zone: string): number {
  const wall = floating.getTime();
  const offsetAt = (millis: number) => DateTime.fromMillis(millis, { zone }).offset * 60_000;
  const withOffsetBefore = wall - offsetAt(wall - DAY_MS);
  const withOffsetAfter = wall - offsetAt(wall + DAY_MS);
  const showsWall = (millis: number) => millis + offsetAt(millis) === wall;
  const exact = [withOffsetBefore, withOffsetAfter].filter(showsWall);
  return exact.length ? Math.min(...exact) : withOffsetBefore;
}

/** The rule's dtstart (an ISO date; without an offset, a wall-clock time in `zone`), else the fixed anchor. */
function dtstartOf(dtstart: unknown, zone: string): Date {
  const given = typeof dtstart === 'string' ? DateTime.fromISO(dtstart, { zone }) : null;
  // An unreadable dtstart is ignored, as every dtstart used to be, rather than stopping the schedule.
  return toFloating(given?.isValid ? given : DateTime.fromObject(ANCHOR, { zone }));
}

/**
 * A scheduled trigger's Kibana rrule (freq DAILY/WEEKLY/MONTHLY, interval, tzid, dtstart, byhour,
 * byminute, byweekday, bymonthday) as RFC 5545 text, `DTSTART;TZID=...\nRRULE:...`: the pattern
 * of its BullMQ job scheduler, which flowgateRepeatStrategy runs. Without tzid, the time zone of
 * the process that saves the schedule (as for a cron without timezone), written into the rule so
 * that every process reads it alike.
 */
export function rrulePattern(rrule: Record<string, unknown>, localZone = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  const tzid = typeof rrule.tzid === 'string' ? rrule.tzid : localZone;
  return new RRule({
    freq: FREQUENCIES[String(rrule.freq ?? 'DAILY').toUpperCase()] ?? Frequency.DAILY,
    interval: Number(rrule.interval ?? 1),
    tzid,
    dtstart: dtstartOf(rrule.dtstart, tzid),
    byhour: numbers(rrule.byhour),
    byminute: numbers(rrule.byminute),
    byweekday: weekdays(rrule.byweekday),
    bymonthday: numbers(rrule.bymonthday),
  }).toString();
}

/* ---------- the timers queue's repeat strategy ---------- */

const isRrulePattern = (pattern: string | undefined): pattern is string => pattern !== undefined && pattern.includes('RRULE:');

const PERIODS: Partial<Record<Frequency, 'days' | 'weeks' | 'months'>> = { [Frequency.DAILY]: 'days', [Frequency.WEEKLY]: 'weeks', [Frequency.MONTHLY]: 'months' };

/**
 * rrule iterates from DTSTART on every call: moving DTSTART forward by whole intervals, to at least
 * one interval before `floatingNow`, keeps the occurrences after it (there is no COUNT) and the work
 * bounded however old the rule. Not for a MONTHLY start after the 28th, which a shorter month clamps.
 */
function withRecentStart(options: Partial<Options>, floatingNow: Date): Partial<Options> {
  const unit = options.freq === undefined ? undefined : PERIODS[options.freq];
  if (!unit || !options.dtstart || options.count || (unit === 'months' && options.dtstart.getUTCDate() > 28)) return options;
  const interval = options.interval ?? 1;
  const start = DateTime.fromJSDate(options.dtstart, { zone: 'utc' });
  const intervals = Math.floor(DateTime.fromJSDate(floatingNow, { zone: 'utc' }).diff(start, unit).get(unit) / interval) - 1;
  return intervals > 0 ? { ...options, dtstart: start.plus({ [unit]: intervals * interval }).toJSDate() } : options;
}

/** The first occurrence of an RFC 5545 rule strictly after `millis`, or undefined once the rule has ended. */
export function nextRruleMillis(pattern: string, millis: number): number | undefined {
  const rule = RRule.fromString(pattern);
  const zone = rule.options.tzid ?? 'UTC';
  let after = toFloating(DateTime.fromMillis(millis, { zone }));
  const floating = new RRule(withRecentStart({ ...rule.origOptions, tzid: null }, after));
  // Clocks gone back repeat an hour: a wall-clock time after `millis`'s can be an instant before it.
  for (;;) {
    const next = floating.after(after);
    if (!next) return undefined;
    const at = fromFloating(next, zone);
    if (at > millis) return at;
    after = next;
  }
}

/**
 * BullMQ's repeat strategy for the timers queue and its workers: rrule patterns (see rrulePattern)
 * by rrule, cron patterns by BullMQ's own cron-parser strategy; `every` schedulers never reach it.
 * BullMQ calls it on the Queue when a scheduler is upserted (the first run) and on the Worker when
 * a scheduled job is taken (the next run), so both need it.
 */
export const flowgateRepeatStrategy: RepeatStrategy = (millis, opts) =>
  isRrulePattern(opts.pattern) ? nextRruleMillis(opts.pattern, millis) : defaultRepeatStrategy(millis, opts);
