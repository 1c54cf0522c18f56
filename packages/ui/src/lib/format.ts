/** Times and durations, readable at a glance; every shown time names its time zone. */

/* ---------- Time zone preference (local time or UTC), remembered in localStorage ---------- */

/** 'local': the browser's time zone; 'utc': UTC. */
export type TimeZoneMode = 'local' | 'utc';

/** localStorage key of the UTC toggle; written only when the reviewer flips it (absent = local). */
export const TIME_ZONE_STORAGE = 'flowgate.timeZone';

function readTimeZoneMode(): TimeZoneMode {
  try {
    return typeof window !== 'undefined' && window.localStorage.getItem(TIME_ZONE_STORAGE) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

let timeZoneMode: TimeZoneMode = readTimeZoneMode();
const timeZoneListeners = new Set<() => void>();

/** The current time zone mode (for useSyncExternalStore; see useTimeZoneMode in lib/hooks). */
export const getTimeZoneMode = (): TimeZoneMode => timeZoneMode;

export function setTimeZoneMode(mode: TimeZoneMode): void {
  timeZoneMode = mode;
  try {
    if (mode === 'utc') window.localStorage.setItem(TIME_ZONE_STORAGE, 'utc');
    else window.localStorage.removeItem(TIME_ZONE_STORAGE);
  } catch {
    /* storage unavailable: the choice lasts until reload */
  }
  timeZoneListeners.forEach((l) => l());
}

/** Subscribes to changes of the time zone mode (also from another tab); returns the unsubscribe. */
export function subscribeTimeZone(listener: () => void): () => void {
  timeZoneListeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== TIME_ZONE_STORAGE && e.key !== null) return;
    const m = readTimeZoneMode();
    if (m !== timeZoneMode) {
      timeZoneMode = m;
      timeZoneListeners.forEach((l) => l());
    }
  };
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);
  return () => {
    timeZoneListeners.delete(listener);
    if (typeof window !== 'undefined') window.removeEventListener('storage', onStorage);
  };
}

const zoneOf = (mode: TimeZoneMode): string | undefined => (mode === 'utc' ? 'UTC' : undefined);

/** The short name of the zone times are shown in: "UTC", "CET", "GMT+2"… */
export function timeZoneLabel(mode: TimeZoneMode = timeZoneMode, at: Date = new Date()): string {
  const part = new Intl.DateTimeFormat(undefined, { timeZone: zoneOf(mode), timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  return part?.value ?? (mode === 'utc' ? 'UTC' : 'local');
}

export interface TimeOptions {
  /** default: the reviewer's choice (getTimeZoneMode()) */
  mode?: TimeZoneMode;
  /** 'auto' (default): the date only when it is not today; 'always'; 'never' */
  date?: 'auto' | 'always' | 'never';
  /** show seconds (default false) */
  seconds?: boolean;
  /** the year with the date (default: only when it is not this year) */
  year?: boolean;
  now?: number;
}

const dayKey = (d: Date, timeZone: string | undefined) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/**
 * A time with its zone: "14:03 UTC", "14:03 CET", "Mar 3, 14:03 UTC" (another day), "—" when absent.
 * 24-hour clock. Unparseable input is returned as is.
 */
export function formatTime(iso: string | null | undefined, options: TimeOptions = {}): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const timeZone = zoneOf(options.mode ?? timeZoneMode);
  const now = new Date(options.now ?? Date.now());
  const showDate = options.date === 'always' || (options.date !== 'never' && dayKey(d, timeZone) !== dayKey(now, timeZone));
  const showYear = options.year ?? (showDate && dayKey(d, timeZone).slice(0, 4) !== dayKey(now, timeZone).slice(0, 4));
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: options.seconds ? '2-digit' : undefined,
    hourCycle: 'h23',
    timeZoneName: 'short',
    ...(showDate ? { month: 'short', day: 'numeric', year: showYear ? 'numeric' : undefined } : {}),
  }).format(d);
}

/** The exact instant, for a title attribute: "2025-03-03T14:03:12.345Z". */
export function exactTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString();
}

/* ---------- Durations ---------- */

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

export function between(from: string | null | undefined, to: string | null | undefined, now = Date.now()): string {
  if (!from) return '—';
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : now;
  return duration(b - a);
}

/** "12 s", "4m 10s", "3h 2m" since `iso`, coarse enough to read mid-incident. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = Math.max(0, now - Date.parse(iso));
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Date and time with seconds and the zone: "Mar 3, 2025, 14:03:12 UTC". */
export function dateTime(iso: string | null | undefined): string {
  return formatTime(iso, { date: 'always', seconds: true, year: true });
}

/** The time (with seconds) when it is today, else the date and time; always with the zone. */
export function shortTime(iso: string | null | undefined): string {
  return formatTime(iso, { seconds: true });
}

/** "12 min", "1 h 20 min", "3 h", "2 d 4 h": a time left, coarse enough to read mid-incident. */
export function countdown(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 3) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  if (h < 48) return `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/* ---------- Deadlines of human waits ---------- */

/** How close a wait is to its deadline: the share of the time allowed (since → deadline) that has passed. */
export type Urgency = 'fresh' | 'warn' | 'old' | 'neutral';

export interface DeadlineInfo {
  /** "auto-cancels in 12 min", "fails in 3 h", "due in 5 min", "no deadline", "auto-cancelling now"… */
  text: string;
  /** fresh < 50 % of the time allowed, warn < 80 %, old from 80 % (and past it); neutral without a deadline */
  urgency: Urgency;
  /** CSS class for the colour: `urgency-fresh` | `urgency-warn` | `urgency-old` | `urgency-neutral` (styles.css) */
  className: string;
  /** 0…1+ of the time allowed that has passed; null without a deadline */
  share: number | null;
  /** ms until the deadline (negative: past it); null without a deadline */
  remainingMs: number | null;
  /** a sentence for a title attribute: what happens when, with exact times */
  title: string;
}

export interface WaitDeadline {
  since?: string | null;
  deadline?: string | null;
  onDeadline?: 'fail' | 'cancel' | null;
}

/** Thresholds of the share of the time allowed that has passed. */
export const URGENCY_WARN = 0.5;
export const URGENCY_OLD = 0.8;

/**
 * The deadline of a wait as text and colour. `onDeadline` 'cancel' (settings.timeout): "auto-cancels in 12 min";
 * 'fail' (the step's own timeout): "fails in 3 h"; no deadline: "no deadline" in a neutral colour.
 */
export function deadlineInfo(wait: WaitDeadline | null | undefined, now = Date.now()): DeadlineInfo {
  const deadline = wait?.deadline ? Date.parse(wait.deadline) : NaN;
  if (!wait || Number.isNaN(deadline)) {
    return { text: 'no deadline', urgency: 'neutral', className: 'urgency-neutral', share: null, remainingMs: null, title: 'This request has no deadline: it waits until someone answers or cancels it.' };
  }
  const since = wait.since ? Date.parse(wait.since) : NaN;
  const remainingMs = deadline - now;
  const allowed = deadline - since;
  const share = Number.isNaN(since) || allowed <= 0 ? (remainingMs <= 0 ? 1 : 0) : (now - since) / allowed;
  const urgency: Urgency = remainingMs <= 0 || share >= URGENCY_OLD ? 'old' : share >= URGENCY_WARN ? 'warn' : 'fresh';
  const left = countdown(remainingMs);
  let text: string;
  let what: string;
  if (wait.onDeadline === 'cancel') {
    text = remainingMs > 0 ? `auto-cancels in ${left}` : 'auto-cancelling now';
    what = 'the execution is cancelled (settings.timeout)';
  } else if (wait.onDeadline === 'fail') {
    text = remainingMs > 0 ? `fails in ${left}` : 'failing now';
    what = "the step fails (its timeout) and the workflow's on-failure applies";
  } else {
    text = remainingMs > 0 ? `due in ${left}` : 'overdue';
    what = 'the deadline passes';
  }
  const pct = Math.round(Math.min(share, 9.99) * 100);
  return { text, urgency, className: `urgency-${urgency}`, share, remainingMs, title: `At ${exactTime(wait.deadline)} ${what}. ${pct}% of the time allowed has passed.` };
}

export const shortId = (id: string): string => (id.length > 10 ? `${id.slice(0, 4)}…${id.slice(-6)}` : id);

export const statusLabel = (s: string): string => (s === 'WAITING_FOR_INPUT' ? 'Waiting for input' : s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, ' '));
