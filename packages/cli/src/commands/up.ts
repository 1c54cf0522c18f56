import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import IORedis from 'ioredis';
import { ensureStateDir, localAdminKey, REPO_ROOT } from '../local-state';
import { spawnService } from './services';

interface UpOptions {
  workers: string;
  port: string;
  redisPort: string;
  redisMaxmemory?: string;
  standins: boolean;
}

const say = (line: string) => process.stdout.write(`[flowgate] ${line}\n`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** redis-server must be installed; when root we install it, else we say exactly what to run. */
function ensureRedisServer(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.getuid?.() === 0) {
    say('redis-server is not installed: installing it with apt-get');
    execFileSync('sh', ['-c', 'apt-get install -y -qq redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server)'], { stdio: 'inherit' });
    return 'redis-server';
  }
  throw new Error("redis-server is not installed. Install it with 'sudo apt-get install -y redis-server' (Debian/Ubuntu) and run this again, or set FLOWGATE_REDIS_URL to an existing Redis.");
}

/**
 * The local Redis's maxmemory (docs/operations.md "Sizing Redis memory"): 1gb, or a quarter of the
 * machine's memory when that is less, so that a laptop is not swapped to death; with noeviction,
 * Redis then refuses writes instead of growing, and the API refuses new work before that.
 */
export function defaultMaxmemory(total = totalmem()): string {
  const mb = Math.max(64, Math.min(1024, Math.floor(total / 4 / 1024 / 1024)));
  return mb === 1024 ? '1gb' : `${mb}mb`;
}

function startRedis(port: number, maxmemory: string): ChildProcess {
  const dir = ensureStateDir('redis');
  const fsync = process.env.FLOWGATE_DURABLE === 'always' ? 'always' : 'everysec';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync, '--save', '', '--protected-mode', 'yes', '--hash-max-listpack-value', '1024', '--zset-max-listpack-value', '128', '--maxmemory', maxmemory, '--maxmemory-policy', 'noeviction'];
  return spawn(ensureRedisServer(), args, { stdio: 'ignore' });
}

async function redisAnswers(url: string): Promise<boolean> {
  const c = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => undefined); // "not up yet" is the expected answer here
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

/**
 * Local stand-ins speaking the real protocols (Elasticsearch, OpenAI-compatible, EDR, pager, Kibana,
 * Slack, SMTP), for a machine with no internet: test/fixtures/standins/main.js writes a
 * connectors.yaml pointing the example connectors at them and prints one JSON line once they listen.
 */
async function startStandins(children: ChildProcess[], apiBase: string): Promise<{ file: string; received: string[] } | null> {
  const main = join(REPO_ROOT, 'test', 'fixtures', 'standins', 'main.js');
  if (!existsSync(main)) return null;
  const file = join(ensureStateDir(), 'connectors.yaml');
  // Clicks on the Slack stand-in's buttons (POST /_click) come back to the API like Slack's, signed.
  const args = [main, '--connectors', file, '--slack-interactivity-url', `${apiBase}/api/integrations/slack/actions`];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the connector stand-ins did not start within 20 s')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.includes('"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`the connector stand-ins exited with code ${code}`)));
  });
  say(`connector stand-ins: Elasticsearch ${ready.elasticsearch}, OpenAI-compatible ${ready.openai}, EDR ${ready.edr}, pager ${ready.pager}, Kibana ${ready.kibana}, Slack ${ready.slack}, SMTP ${ready.smtp} (${file})`);
  return { file, received: [ready.slackReceived, ready.smtpReceived].filter((u): u is string => typeof u === 'string') };
}

/**
 * The demo workflows that need the stand-ins (demo/workflows: the reference example announced in
 * Slack and by e-mail), saved through the API once it answers.
 */
async function loadDemoWorkflows(base: string, adminKey: string): Promise<void> {
  const dir = join(REPO_ROOT, 'demo', 'workflows');
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const id = name.replace(/\.yaml$/, '');
    const res = await fetch(`${base}/api/workflows/${id}`, {
      method: 'PUT',
      headers: { authorization: `ApiKey ${adminKey}`, 'content-type': 'application/yaml' },
      body: readFileSync(join(dir, name), 'utf8'),
    });
    if (!res.ok) say(`demo workflow ${id}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    else say(`demo workflow ${id} (announced in Slack and by e-mail: see "Sent messages" in the UI)`);
  }
}

async function up(opts: UpOptions): Promise<void> {
  const children: ChildProcess[] = [];
  const port = Number(opts.port);
  const workers = Number(opts.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers: "${opts.workers}" is not a positive integer`);
  let redisUrl = process.env.FLOWGATE_REDIS_URL;
  let redis: ChildProcess | null = null;
  if (!redisUrl && !process.env.FLOWGATE_REDIS_CLUSTER) {
    const redisPort = Number(opts.redisPort);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    if (!(await redisAnswers(redisUrl))) {
      if (!(await portFree(redisPort))) throw new Error(`port ${redisPort} is taken by something that is not Redis; choose another with --redis-port`);
      const maxmemory = opts.redisMaxmemory?.trim() || defaultMaxmemory();
      if (!/^\d+(k|kb|m|mb|g|gb)?$/i.test(maxmemory)) throw new Error(`--redis-maxmemory: "${maxmemory}" is not a size such as 512mb or 2gb`);
      redis = startRedis(redisPort, maxmemory);
      await waitUntil(() => redisAnswers(redisUrl!), 15_000, `redis-server on port ${redisPort}`);
      say(`redis-server on ${redisUrl} (AOF in .flowgate/redis, appendfsync ${process.env.FLOWGATE_DURABLE === 'always' ? 'always' : 'everysec'}, maxmemory ${maxmemory})`);
    } else say(`using the Redis already on ${redisUrl}`);
  }
  if (!(await portFree(port))) throw new Error(`port ${port} is in use; choose another with --port`);

  const adminKey = localAdminKey(true)!;
  const standins = !process.env.FLOWGATE_CONNECTORS && opts.standins ? await startStandins(children, `http://localhost:${port}`) : null;
  const connectors = process.env.FLOWGATE_CONNECTORS || standins?.file || null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLOWGATE_REDIS_URL: redisUrl ?? process.env.FLOWGATE_REDIS_URL,
    FLOWGATE_PORT: String(port),
    FLOWGATE_API_KEYS: process.env.FLOWGATE_API_KEYS || `admin:admin:${adminKey}`,
    FLOWGATE_WORKFLOWS: process.env.FLOWGATE_WORKFLOWS || join(REPO_ROOT, 'examples'),
    ...(connectors ? { FLOWGATE_CONNECTORS: connectors } : {}),
    // The UI's "Sent messages" page reads what the Slack and SMTP stand-ins received, through the API.
    ...(standins?.received.length ? { FLOWGATE_STANDIN_URLS: standins.received.join(',') } : {}),
  };
  const api = spawnService('api', env);
  children.push(api);
  const base = `http://localhost:${port}`;
  await waitUntil(async () => {
    if (api.exitCode !== null) throw new Error('the API exited; see its log above');
    try {
      return (await fetch(`${base}/api/health`)).ok;
    } catch {
      return false;
    }
  }, 30_000, 'the API');
  for (let i = 0; i < workers; i++) children.push(spawnService('worker', env));
  if (standins) await loadDemoWorkflows(base, adminKey);

  say(`Flowgate is up: UI and API at ${base}  (${workers} worker${workers > 1 ? 's' : ''})`);
  say(`admin API key: ${adminKey}   (also in .flowgate/admin.key)`);
  say(`try: curl -s -H "Authorization: ApiKey ${adminKey}" ${base}/api/workflows`);
  say('Ctrl-C stops everything.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping: workers and API finish what is in flight');
    const services = children.filter((c) => c.exitCode === null);
    await Promise.all(services.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
    if (redis && redis.exitCode === null) {
      await new Promise((r) => { redis!.once('exit', r); redis!.kill('SIGTERM'); }); // SIGTERM: Redis flushes the AOF and exits
    }
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const c of children) c.on('exit', (code) => { if (!stopping && code !== 0 && code !== null) say(`a service exited with code ${code}`); });
}

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('run everything on this machine: redis-server, the API with the UI, workers, the example workflows')
    .option('--workers <n>', 'number of worker processes', '2')
    .option('--port <port>', 'API and UI port', process.env.FLOWGATE_PORT || '7070')
    .option('--redis-port <port>', 'port of the local redis-server', '6380')
    .option('--redis-maxmemory <size>', "maxmemory of the local redis-server (default: 1gb, or a quarter of this machine's memory when less)")
    .option('--no-standins', 'do not start the local connector stand-ins')
    .action((opts: UpOptions) =>
      up(opts).catch((err) => {
        process.stderr.write(`flowgate up: ${(err as Error).message}\n`);
        process.exit(1);
      }),
    );
}
