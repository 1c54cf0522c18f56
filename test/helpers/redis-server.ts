import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort, waitFor } from './net';

/** A real redis-server on a free loopback port, private to one test file (never a mock). */
export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  process: ChildProcess;
  client(): IORedis;
  /** Stops redis-server with SIGTERM (as `systemctl restart` does: the AOF is flushed), then starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops redis-server with SIGTERM and leaves it down (an outage) until `start()`. */
  halt(): Promise<void>;
  /** Starts it again after `halt()`, on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Asks a local Redis something on a one-off connection that never retries (PING by default):
 * false when it does not answer, so it can be polled while a server starts.
 */
export async function askRedis(port: number, ask: (c: IORedis) => Promise<boolean> = async (c) => (await c.ping()) === 'PONG'): Promise<boolean> {
  const c = new IORedis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await c.connect();
    return await ask(c);
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

export async function startRedis(options: { appendonly?: boolean; /** more redis-server arguments, e.g. ['--maxmemory', '64mb'] */ args?: string[] } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fg-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--protected-mode', 'yes', ...(options.args ?? [])];
  const launch = () => spawn(process.env.FLOWGATE_REDIS_SERVER || 'redis-server', args, { stdio: 'ignore' });
  let proc = launch();
  const url = `redis://127.0.0.1:${port}`;
  const clients: IORedis[] = [];
  const answering = () => waitFor(() => askRedis(port), 10_000, 'redis-server to start');
  await answering();
  const halt = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  const start = async () => {
    proc = launch();
    await answering();
  };
  return {
    port,
    url,
    dir,
    get process() {
      return proc;
    },
    client() {
      const c = new IORedis(url, { maxRetriesPerRequest: null });
      clients.push(c);
      return c;
    },
    async restart() {
      await halt();
      await start();
    },
    halt,
    start,
    async stop() {
      for (const c of clients) c.disconnect();
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
