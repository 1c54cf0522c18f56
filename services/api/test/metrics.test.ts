/**
 * docs/operations.md "Health and metrics": GET /metrics reads its Redis gauges (queue counts, executions by status,
 * the oldest wait) at most once per 5 s whatever the scrape rate, concurrent scrapes sharing one
 * refresh, reading only the fields it needs; with FLOWGATE_METRICS_KEY it needs that key.
 * Redis's MONITOR shows which commands the API sends.
 */
import type IORedis from 'ioredis';
import { KEYS, System, expectError, gateWorkflow, isWaiting, run, uid } from './util';

const METRICS_KEY = 'metrics-scraper-key-0123456789abcdef0123456789';
let sys: System;
const GATE = uid('gate');
const waiting: string[] = [];

beforeAll(async () => {
  sys = await System.start({ workers: 1, env: { FLOWGATE_METRICS_KEY: METRICS_KEY } });
  await sys.putWorkflow(GATE, gateWorkflow('Metrics gate'));
  for (let i = 0; i < 3; i++) waiting.push(await run(sys, GATE, { host: `h${i}` }));
  for (const id of waiting) await sys.waitForExecution(id, isWaiting);
  // From here on, only the API talks to Redis (and this test).
  const worker = sys.workers[0];
  await new Promise((r) => {
    worker.once('exit', r);
    worker.kill('SIGKILL');
  });
}, 60_000);
afterAll(async () => sys?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(authorization: string | null = `Bearer ${METRICS_KEY}`): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${sys.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1]);

/** Every command Redis runs, in order, with markers (ECHO) this test sends to cut it into phases. */
class Monitor {
  readonly commands: string[][] = [];
  private constructor(
    private readonly monitor: IORedis,
    private readonly client: IORedis,
  ) {}

  static async start(): Promise<Monitor> {
    const client = sys.redis.client();
    const monitor = await client.monitor();
    const m = new Monitor(monitor, client);
    monitor.on('monitor', (_time: string, args: unknown[]) => m.commands.push(args.map(String)));
    return m;
  }

  /** Resolves once MONITOR has shown the marker: everything sent before it has been seen. */
  async mark(name: string): Promise<void> {
    await this.client.echo(`marker:${name}`);
    for (let i = 0; i < 200 && !this.commands.some((c) => c[0].toLowerCase() === 'echo' && c[1] === `marker:${name}`); i++) await sleep(10);
  }

  /** The commands between two markers (from the start when `from` is null). */
  between(from: string | null, to: string): string[][] {
    const at = (name: string) => this.commands.findIndex((c) => c[0].toLowerCase() === 'echo' && c[1] === `marker:${name}`);
    return this.commands.slice(from === null ? 0 : at(from) + 1, at(to));
  }

  async stop(): Promise<void> {
    this.monitor.disconnect();
  }
}

const statusCounts = (commands: string[][]) => commands.filter((c) => c[0].toLowerCase() === 'zcard' && c[1] === 'fg:x:st:COMPLETED').length;

let monitor: Monitor;
let firstScrapeAt = 0;
beforeAll(async () => {
  monitor = await Monitor.start();
});
afterAll(async () => monitor?.stop());

it('reads the oldest wait from the `wait` field of the oldest waiting executions only, never whole executions', async () => {
  await monitor.mark('start');
  firstScrapeAt = Date.now();
  const r = await scrape();
  await monitor.mark('first');
  expect(r.status).toBe(200);
  expect(gauge(r.text, 'flowgate_waiting_for_input')).toBe(3);
  expect(gauge(r.text, 'flowgate_waiting_for_input_oldest_seconds')).toBeGreaterThan(0);
  const first = monitor.between('start', 'first');
  expect(statusCounts(first)).toBe(1);
  const reads = first.filter((c) => /^(hmget|hgetall|hget)$/i.test(c[0]) && /^fg:\{[^}]+\}:e$/.test(c[1]));
  expect(reads.map((c) => [c[0].toLowerCase(), ...c.slice(2)])).toEqual(Array(3).fill(['hmget', 'status', 'wait']));
});

it('reads the Redis gauges at most once per 5 s, concurrent scrapes sharing one refresh', async () => {
  await sleep(Math.max(0, 5100 - (Date.now() - firstScrapeAt)));
  await monitor.mark('before-burst');
  const t0 = Date.now();
  const burst = await Promise.all(Array.from({ length: 20 }, () => scrape()));
  for (let i = 0; i < 10; i++) burst.push(await scrape());
  await monitor.mark('burst');
  for (const r of burst) {
    expect(r.status).toBe(200);
    expect(gauge(r.text, 'flowgate_waiting_for_input')).toBe(3);
    expect(gauge(r.text, 'flowgate_executions\\{status="WAITING_FOR_INPUT"\\}')).toBe(3);
  }
  expect(statusCounts(monitor.between('before-burst', 'burst'))).toBe(1); // 30 scrapes, one refresh

  // A change within the 5 s is not read yet; the first scrape after them reads it.
  expect((await sys.request('POST', `/api/workflowExecutions/${waiting[0]}/cancel`, { key: 'reviewer' })).status).toBe(200);
  await monitor.mark('cancelled');
  const stale = await scrape();
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(gauge(stale.text, 'flowgate_waiting_for_input')).toBe(3);
  await monitor.mark('stale');
  expect(statusCounts(monitor.between('cancelled', 'stale'))).toBe(0);

  await sleep(Math.max(0, 5100 - (Date.now() - t0)));
  const fresh = await scrape();
  expect(gauge(fresh.text, 'flowgate_waiting_for_input')).toBe(2);
  expect(gauge(fresh.text, 'flowgate_executions\\{status="CANCELLED"\\}')).toBe(1);
  await monitor.mark('fresh');
  expect(statusCounts(monitor.between('stale', 'fresh'))).toBe(1);
});

it('needs FLOWGATE_METRICS_KEY when it is set: Bearer or ApiKey; 401 otherwise, API keys included', async () => {
  for (const authorization of [`Bearer ${METRICS_KEY}`, `bearer ${METRICS_KEY}`, `ApiKey ${METRICS_KEY}`]) {
    const r = await scrape(authorization);
    expect(r.status).toBe(200);
    expect(r.text).toContain('flowgate_waiting_for_input');
  }
  for (const authorization of [null, `Bearer ${METRICS_KEY}x`, `Basic ${METRICS_KEY}`, `Bearer ${KEYS.admin}`, 'Bearer ']) {
    const r = await scrape(authorization);
    expectError({ status: r.status, body: JSON.parse(r.text) }, 401, 'unauthorized');
    expect(r.headers.get('www-authenticate')).toContain('Bearer');
    expect(r.text).not.toContain('flowgate_');
  }
  // /api/health stays open
  expect((await sys.request('GET', '/api/health', { key: null })).status).toBe(200);
});
