import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError } from './api';
import { getTimeZoneMode, setTimeZoneMode, subscribeTimeZone, type TimeZoneMode } from './format';

/**
 * The API cannot be reached right now: a network error (status 0: no answer at all) or a 5xx
 * (the API or its Redis is down). A 4xx is an answer, not an outage.
 */
export function isOffline(error: ApiError | null | undefined): boolean {
  return !!error && (error.status === 0 || error.status >= 500);
}

/**
 * Loads `fn` now and again every `intervalMs` (null: no polling) while the component is mounted;
 * a failed refresh keeps the last data and shows the error beside it. `offline` is true while the
 * last attempt failed with a network error or a 5xx (the poll keeps retrying); `lastOkAt` is the
 * time (ms) of the last successful load.
 */
export function usePolling<T>(fn: () => Promise<T>, deps: unknown[], intervalMs: number | null | ((data: T | undefined) => number | null)) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [lastOkAt, setLastOkAt] = useState<number | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const intervalRef = useRef(intervalMs);
  intervalRef.current = intervalMs;
  const dataRef = useRef<T | undefined>(undefined);
  const tick = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++tick.current;
    try {
      const v = await fnRef.current();
      if (mine !== tick.current) return;
      dataRef.current = v;
      setData(v);
      setError(null);
      setLastOkAt(Date.now());
    } catch (err) {
      if (mine !== tick.current) return;
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', String((err as Error)?.message ?? err)));
    } finally {
      if (mine === tick.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    dataRef.current = undefined;
    setData(undefined);
    setLoading(true);
    setError(null);
    const loop = async () => {
      await reload();
      if (stopped) return;
      const iv = typeof intervalRef.current === 'function' ? intervalRef.current(dataRef.current) : intervalRef.current;
      if (iv != null) timer = setTimeout(loop, iv);
    };
    void loop();
    return () => {
      stopped = true;
      tick.current++;
      if (timer) clearTimeout(timer);
    };
  }, deps);

  return { data, error, loading, reload, setData, offline: isOffline(error), lastOkAt };
}

/** A clock that re-renders every `ms` (for "waited 3m" labels). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** The reviewer's time zone choice ('local' or 'utc', remembered in localStorage) and its setter; re-renders on change. */
export function useTimeZoneMode(): [TimeZoneMode, (mode: TimeZoneMode) => void] {
  const mode = useSyncExternalStore(subscribeTimeZone, getTimeZoneMode, getTimeZoneMode);
  return [mode, setTimeZoneMode];
}
