import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis, { Cluster } from 'ioredis';
import { freePort, waitFor } from './net';
import { askRedis } from './redis-server';

const run = promisify(execFile);

/**
 * A real Redis Cluster of `masters` redis-server processes (no replicas) on free loopback ports,
 * each with its own temp dir, private to one test file (never a mock).
 */
export interface RedisCluster {
  /** the client ports of the nodes */
  ports: number[];
  /** `127.0.0.1:p1,127.0.0.1:p2,...`: the value of FLOWGATE_REDIS_CLUSTER */
  nodes: string;
  processes: ChildProcess[];
  /** an ioredis Cluster client (closed by stop) */
  client(): Cluster;
  /** a plain connection to each node, in the order of `ports`, made once (closed by stop) */
  nodeClients(): IORedis[];
  stop(): Promise<void>;
}

interface Node {
  port: number;
  dir: string;
  process: ChildProcess;
}

async function killNode(node: Node): Promise<void> {
  const p = node.process;
  if (p.exitCode === null && p.signalCode === null) {
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
  rmSync(node.dir, { recursive: true, force: true });
}

/** CLUSTER INFO on one node: state ok, every slot assigned, every node known. */
function clusterOk(port: number, masters: number): Promise<boolean> {
  return askRedis(port, async (c) => {
    const info = String(await c.call('CLUSTER', 'INFO'));
    return /cluster_state:ok\r?\n/.test(info) && /cluster_slots_ok:16384\r?\n/.test(info) && new RegExp(`cluster_known_nodes:${masters}\\r?\\n`).test(info);
  });
}

export async function startRedisCluster(options: { masters?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const bin = process.env.FLOWGATE_REDIS_SERVER || 'redis-server';
  const cli = process.env.FLOWGATE_REDIS_CLI || 'redis-cli';
  const nodes: Node[] = [];
  const clients: (IORedis | Cluster)[] = [];
  let direct: IORedis[] | undefined;
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(nodes.map(killNode));
  };
  try {
    const used = new Set<number>();
    const port = async () => {
      for (;;) {
        const p = await freePort();
        if (!used.has(p)) {
          used.add(p);
          return p;
        }
      }
    };
    for (let i = 0; i < masters; i++) {
      // The cluster bus port is chosen too (its default, port + 10000, may be taken or beyond 65535).
      const [p, bus] = [await port(), await port()];
      const dir = mkdtempSync(join(tmpdir(), 'fg-redis-cluster-'));
      const args = [
        '--port', String(p), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--dir', dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
        '--appendonly', 'no', '--save', '', '--protected-mode', 'yes',
      ];
      nodes.push({ port: p, dir, process: spawn(bin, args, { stdio: 'ignore' }) });
    }
    await waitFor(async () => (await Promise.all(nodes.map((n) => askRedis(n.port)))).every(Boolean), 10_000, 'the cluster nodes to start');
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await waitFor(async () => (await Promise.all(nodes.map((n) => clusterOk(n.port, masters)))).every(Boolean), 20_000, 'cluster_state:ok on every node', 100);
    return {
      ports: nodes.map((n) => n.port),
      nodes: addresses.join(','),
      processes: nodes.map((n) => n.process),
      client() {
        const c = new Cluster(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: null } });
        clients.push(c);
        return c;
      },
      nodeClients() {
        if (!direct) {
          direct = nodes.map((n) => new IORedis({ host: '127.0.0.1', port: n.port, maxRetriesPerRequest: null }));
          clients.push(...direct);
        }
        return direct;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
