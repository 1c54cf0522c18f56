/**
 * The case indexes (docs/storage.md "Cases"): sorted sets of case ids by alert id, by observable
 * (sha1 of its type and value) and by tag, scored by when the entry was added. They live outside the
 * cases' hash tags, so they are written after the case's own script, like `fg:x:cases`:
 *
 * - entries a write adds are added after it, and again by the same step run again (ZADD NX: the first
 *   score stays), so a crash between the two writes is repaired by the step's next run;
 * - entries a write removes are removed after it; one left by a crash points to a case that no longer
 *   has the value, and every reader checks the case itself (and removes such an entry).
 */
import type { Keys } from './keys';
import { sendAllOrThrow, type Command } from './multi-slot';
import type { RedisClient } from './scripts';

/** What a case write changed in the indexes (case-mutate.lua's answer). */
export interface IndexChanges {
  tagsAdded: string[];
  tagsRemoved: string[];
  fpsAdded: string[];
  fpsRemoved: string[];
  alertsAdded: string[];
  alertsRemoved: string[];
}

export const NO_INDEX_CHANGES: IndexChanges = Object.freeze({ tagsAdded: [], tagsRemoved: [], fpsAdded: [], fpsRemoved: [], alertsAdded: [], alertsRemoved: [] });

/** An index read takes at most this many entries, the newest: one alert in 10,000 cases is read as its 1,000 newest. */
export const INDEX_READ_LIMIT = 1000;

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** case-mutate.lua encodes an empty list as {} (cjson): read every field as a list. */
export function parseIndexChanges(json: string): IndexChanges {
  const raw = JSON.parse(json || '{}') as Record<string, unknown>;
  return {
    tagsAdded: list(raw.tagsAdded),
    tagsRemoved: list(raw.tagsRemoved),
    fpsAdded: list(raw.fpsAdded),
    fpsRemoved: list(raw.fpsRemoved),
    alertsAdded: list(raw.alertsAdded),
    alertsRemoved: list(raw.alertsRemoved),
  };
}

/** The index entries of one case's values: tag, observable and alert keys. */
function entryKeys(keys: Keys, values: { tags: string[]; fps: string[]; alerts: string[] }): string[] {
  return [...values.tags.map((t) => keys.casesByTag(t)), ...values.fps.map((f) => keys.casesByObservable(f)), ...values.alerts.map((a) => keys.casesByAlert(a))];
}

export async function applyIndexChanges(redis: RedisClient, keys: Keys, caseId: string, c: IndexChanges): Promise<void> {
  const now = Date.now();
  const commands: Command[] = [
    ...entryKeys(keys, { tags: c.tagsAdded, fps: c.fpsAdded, alerts: c.alertsAdded }).map((k): Command => ['zadd', k, 'NX', now, caseId]),
    ...entryKeys(keys, { tags: c.tagsRemoved, fps: c.fpsRemoved, alerts: c.alertsRemoved }).map((k): Command => ['zrem', k, caseId]),
  ];
  await sendAllOrThrow(redis, commands);
}

/** Puts back every index entry of a case as it is now (a step run again after a crash between its write and the indexes). */
export async function reindexCase(redis: RedisClient, keys: Keys, caseId: string, tags: string[]): Promise<void> {
  const [fps, alerts] = await Promise.all([redis.hkeys(keys.caseObservableValues(caseId)), redis.hkeys(keys.caseAlerts(caseId))]);
  const now = Date.now();
  await sendAllOrThrow(
    redis,
    entryKeys(keys, { tags, fps, alerts }).map((k): Command => ['zadd', k, 'NX', now, caseId]),
  );
}

/** The newest case ids of one index key. */
export async function readIndex(redis: RedisClient, key: string, limit = INDEX_READ_LIMIT): Promise<string[]> {
  return redis.zrevrange(key, 0, limit - 1);
}

/** Removes entries a reader found stale (the case no longer has the value, or is gone). */
export async function dropStale(redis: RedisClient, key: string, caseIds: string[]): Promise<void> {
  if (caseIds.length) await redis.zrem(key, ...caseIds);
}
