import type { RedisClient } from './scripts';

/** One command as [name, ...args]: `['hset', key, field, value]`. */
export type Command = [name: string, ...args: (string | number | Buffer)[]];

/** What a pipeline's exec() answers: one [error, reply] per command, in order. */
export type Replies = [Error | null, unknown][];

/** Whether the client is an ioredis Cluster (ioredis sets `isCluster` on both of its clients). */
export function isCluster(redis: RedisClient): boolean {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/**
 * Sends commands on keys of several hash slots at once. On one Redis: one pipeline (one write, one
 * round trip). On a Cluster, where ioredis refuses a pipeline whose keys are in different slots,
 * each command on its own, all sent without waiting in between (ioredis routes each to the node of
 * its slot). Like a pipeline, not atomic; the replies come in order either way.
 */
export async function sendAll(redis: RedisClient, commands: Command[]): Promise<Replies> {
  if (commands.length === 0) return [];
  if (!isCluster(redis)) return ((await redis.pipeline(commands as (string | number | Buffer)[][]).exec()) ?? []) as Replies;
  const client = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return Promise.all(
    commands.map(([name, ...args]) =>
      client[name](...args).then(
        (reply): [null, unknown] => [null, reply],
        (err: Error): [Error, null] => [err, null],
      ),
    ),
  );
}

/** The replies of sendAll, or the first error thrown. */
export async function sendAllOrThrow(redis: RedisClient, commands: Command[]): Promise<unknown[]> {
  const replies = await sendAll(redis, commands);
  const failed = replies.find(([err]) => err);
  if (failed) throw failed[0];
  return replies.map(([, reply]) => reply);
}
