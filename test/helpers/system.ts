import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './net';
import { startRedisCluster, type RedisCluster } from './redis-cluster';
import { startRedis, type RedisServer } from './redis-server';

export const ROOT = resolve(__dirname, '..', '..');

/**
 * One API key per role (docs/api.md "Authentication and roles"); the names are what `respondedBy` and `triggeredBy` show.
 * Secrets shorter than 32 characters are refused at start.
 */
export const KEYS = {
  admin: 'admin-secret-0123456789abcdef0123456789',
  editor: 'editor-secret-0123456789abcdef0123456789',
  reviewer: 'reviewer-secret-0123456789abcdef0123456789',
  reviewer2: 'reviewer2-secret-0123456789abcdef0123456789',
  viewer: 'viewer-secret-0123456789abcdef0123456789',
  ingest: 'ingest-secret-0123456789abcdef0123456789',
} as const;
export const KEY_NAMES: Record<keyof typeof KEYS, string> = {
  admin: 'admin',
  editor: 'eddie',
  reviewer: 'alice',
  reviewer2: 'bob',
  viewer: 'victor',
  ingest: 'siem',
};
const ROLES: Record<keyof typeof KEYS, string> = { admin: 'admin', editor: 'editor', reviewer: 'reviewer', reviewer2: 'reviewer', viewer: 'viewer', ingest: 'ingest' };

export const API_KEYS_ENV = (Object.keys(KEYS) as (keyof typeof KEYS)[]).map((k) => `${KEY_NAMES[k]}:${ROLES[k]}:${KEYS[k]}`).join(',');

export interface SystemOptions {
  workers?: number;
  env?: Record<string, string>;
  redis?: RedisServer;
  /**
   * Run the API and workers on a Redis Cluster (FLOWGATE_REDIS_CLUSTER) instead of a redis-server:
   * `true` starts a 3-master cluster owned (and stopped) by the System, or pass one to share it.
   */
  cluster?: RedisCluster | true;
}

/**
 * The real system for end-to-end tests: a private redis-server (or a Redis Cluster), the API process
 * and N worker processes started from their built entry points (run the build first: `pnpm build`).
 */
export class System {
  readonly workers: ChildProcess[] = [];
  api!: ChildProcess;
  /** the standalone redis-server (not set when the System runs on a cluster) */
  redis!: RedisServer;
  /** the Redis Cluster, when started with `cluster` */
  cluster?: RedisCluster;
  baseUrl = '';
  private env: Record<string, string> = {};
  private ownRedis = false;
  private ownCluster = false;
  readonly output: string[] = [];

  static async start(options: SystemOptions = {}): Promise<System> {
    const s = new System();
    try {
      await s.init(options);
    } catch (err) {
      await s.stop().catch(() => undefined); // no process or redis left behind by a failed start
      throw err;
    }
    return s;
  }

  private async init(options: SystemOptions): Promise<void> {
    let redisEnv: Record<string, string>;
    if (options.cluster) {
      this.ownCluster = options.cluster === true;
      this.cluster = options.cluster === true ? await startRedisCluster() : options.cluster;
      redisEnv = { FLOWGATE_REDIS_CLUSTER: this.cluster.nodes };
    } else {
      this.ownRedis = !options.redis;
      this.redis = options.redis ?? (await startRedis());
      redisEnv = { FLOWGATE_REDIS_URL: this.redis.url };
    }
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const inherited = { ...(process.env as Record<string, string>) };
    delete inherited.FLOWGATE_REDIS_CLUSTER;
    this.env = {
      ...inherited,
      ...redisEnv,
      FLOWGATE_PORT: String(port),
      FLOWGATE_HOST: '127.0.0.1',
      FLOWGATE_API_KEYS: API_KEYS_ENV,
      FLOWGATE_PUBLIC_URL: this.baseUrl,
      FLOWGATE_LOCK_MS: '4000',
      FLOWGATE_RECONCILE_MS: '1000',
      FLOWGATE_METRICS_FLUSH_MS: '200',
      FLOWGATE_LOG_LEVEL: 'warn',
      ...options.env,
    };
    this.api = this.spawnService('api');
    await waitFor(async () => {
      if (this.api.exitCode !== null) throw new Error(`the API exited with code ${this.api.exitCode}:\n${this.output.join('')}`);
      try {
        return (await fetch(`${this.baseUrl}/api/health`)).status === 200;
      } catch {
        return false;
      }
    }, 20_000, 'the API to answer /api/health').catch((err) => {
      throw new Error(`${err.message}\n${this.output.slice(-30).join('')}`);
    });
    for (let i = 0; i < (options.workers ?? 1); i++) this.startWorker();
  }

  private spawnService(name: 'api' | 'worker', env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], { env: { ...this.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output.push(`[${name} ${child.pid}] ${chunk.toString()}`);
      if (this.output.length > 2000) this.output.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  }

  startWorker(env: Record<string, string> = {}): ChildProcess {
    const w = this.spawnService('worker', env);
    this.workers.push(w);
    return w;
  }

  /** fetch against the API with a role's key; JSON bodies are encoded. */
  async request(method: string, path: string, options: { key?: keyof typeof KEYS | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? 'admin' : options.key;
    if (key) headers.authorization = `ApiKey ${KEYS[key]}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async putWorkflow(id: string, yaml: string): Promise<void> {
    const r = await this.request('PUT', `/api/workflows/${id}`, { raw: yaml, headers: { 'content-type': 'application/yaml' } });
    if (r.status !== 200 && r.status !== 201) throw new Error(`PUT workflow ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async execution(id: string): Promise<any> {
    return (await this.request('GET', `/api/workflowExecutions/${id}`)).body;
  }

  /** Polls an execution until `predicate` holds (default: a terminal status). */
  async waitForExecution(id: string, predicate: (e: any) => boolean = (e) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(e?.status), timeoutMs = 20_000): Promise<any> {
    let last: any;
    await waitFor(async () => {
      last = await this.execution(id);
      return predicate(last);
    }, timeoutMs, `execution ${id} (last status ${last?.status})`, 50).catch((err) => {
      throw new Error(`${err.message}\n${JSON.stringify(last, null, 1).slice(0, 3000)}\n${this.output.slice(-20).join('')}`);
    });
    return last;
  }

  async stop(): Promise<void> {
    const all = [this.api, ...this.workers].filter((p) => p && p.exitCode === null && p.signalCode === null);
    await Promise.all(all.map((p) => new Promise((r) => { p.once('exit', r); p.kill('SIGKILL'); })));
    if (this.ownRedis) await this.redis?.stop();
    if (this.ownCluster) await this.cluster?.stop();
  }
}
