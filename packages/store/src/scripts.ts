import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis, Cluster } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** The Lua scripts of lua/, registered as ioredis commands (EVALSHA with a fallback to EVAL). */
const SCRIPTS = {
  fgTransition: { file: 'transition.lua', keys: 3 },
  fgAppendResponse: { file: 'append-response.lua', keys: 2 },
  fgCaseWrite: { file: "case-write.lua", keys: 2 },
  fgCaseMutate: { file: 'case-mutate.lua', keys: 9 },
  fgEventRelease: { file: 'event-release.lua', keys: 1 },
  fgAddRerun: { file: 'add-rerun.lua', keys: 1 },
  fgSetIfExists: { file: 'set-if-exists.lua', keys: 1 },
} as const;

const loaded = new WeakSet<object>();

export function defineScripts(redis: RedisClient): void {
  if (loaded.has(redis)) return;
  for (const [name, { file, keys }] of Object.entries(SCRIPTS)) {
    const lua = readFileSync(join(__dirname, '..', 'lua', file), 'utf8');
    redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  loaded.add(redis);
}

export type ScriptReply = [number, ...(string | number)[]];

export async function runScript(redis: RedisClient, name: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<ScriptReply> {
  defineScripts(redis);
  return (redis as any)[name](...keys, ...args) as Promise<ScriptReply>;
}
