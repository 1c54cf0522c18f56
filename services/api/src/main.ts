/**
 * The Flowgate API process (docs/api.md, docs/operations.md "Configuration"): configuration from the environment, the express app,
 * workflows loaded and re-validated at start. Invalid configuration: one line on stderr, exit 1.
 * SIGTERM/SIGINT: stop accepting connections, finish requests in flight, exit 0.
 */
import type { AddressInfo } from 'node:net';
import { runtimeFromConfig, type ExecutionArchive, type Runtime } from '@flowgate/executor';
import { ConnectionErrorLog } from '@flowgate/queue';
import { builtinRegistry } from '@flowgate/steps';
import { Metrics, SharedMetrics, createLogger } from '@flowgate/telemetry';
import { createApp } from './app';
import { answerClientError } from './errors';
import { AlertCandidates } from './candidates';
import { loadArchive } from './archive';
import { apiConfigFromEnv, type ApiConfig } from './config';
import { loadConnectorInfo } from './connectors';
import type { SlackSigningSecret } from './routes/slack';
import { PressureMonitor } from './pressure';
import { WorkflowService, type ConnectorTypes } from './workflow-service';

const log = createLogger('api');

function fail(reason: string): never {
  process.stderr.write(`flowgate api: ${reason.split('\n')[0]}\n`);
  process.exit(1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the request-path connection is ready (it refuses commands until then). */
function connected(rt: Runtime): Promise<void> {
  if (rt.redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => rt.redis.once('ready', () => resolve()));
}

async function main(): Promise<void> {
  let config: ApiConfig;
  try {
    config = apiConfigFromEnv();
  } catch (err) {
    fail((err as Error).message);
  }
  let connectors: ConnectorTypes | undefined;
  let slackSecrets: SlackSigningSecret[] = [];
  let archive: ExecutionArchive | null = null;
  try {
    ({ types: connectors, slackSecrets } = await loadConnectorInfo(config.connectorsPath));
    // FLOWGATE_ARCHIVE: executions that left Redis are read back from it (docs/operations.md "Archive").
    archive = loadArchive(config.connectorsPath, process.env, log);
  } catch (err) {
    fail((err as Error).message);
  }
  if (config.apiKeys.length === 0) log.warn({}, 'FLOWGATE_API_KEYS is empty: every authenticated endpoint answers 401');
  if (config.common.retentionMs === null) log.warn({}, 'FLOWGATE_RETENTION=forever: finished executions are never removed from Redis, whose memory then grows with every alert');

  const metrics = new Metrics();
  // The request path fails fast while Redis is unreachable (docs/operations.md "Redis outages").
  const rt = runtimeFromConfig(config.common, { registry: builtinRegistry(), log, failFast: true });
  const shared = new SharedMetrics(rt.redis, (hash) => rt.keys.metrics(hash));
  Object.assign(rt.hooks, metrics.hooks(shared));
  shared.start(Number(process.env.FLOWGATE_METRICS_FLUSH_MS) || 5000);
  new ConnectionErrorLog(log).watch(rt.redis);
  const pressure = new PressureMonitor(rt, { maxMemory: config.maxMemory, maxBacklog: config.maxBacklog, log, metrics });
  pressure.start();
  const candidates = new AlertCandidates(rt);
  const workflows = new WorkflowService(rt, { connectors, log, onChange: () => candidates.invalidate() });
  let ready = false;
  const app = createApp({
    rt,
    keys: config.apiKeys,
    metrics,
    shared,
    workflows,
    candidates,
    log,
    ready: () => ready,
    idempotencyTtlMs: config.idempotencyTtlMs,
    rateLimitIngest: config.rateLimitIngest,
    uiDir: config.uiDir,
    pressure,
    archive,
    trustedProxies: config.trustedProxies,
    metricsKey: config.metricsKey,
    externalResume: config.common.externalResume,
    slackSecrets,
    standinUrls: standinUrlsFromEnv(process.env.FLOWGATE_STANDIN_URLS),
  });

  const server = app.listen(config.port, config.host);
  server.on('error', (err) => fail(`cannot listen on ${config.host}:${config.port}: ${err.message}`));
  server.on('clientError', answerClientError);
  server.on('listening', () => {
    const address = server.address() as AddressInfo;
    log.info({ host: address.address, port: address.port, keys: config.apiKeys.length }, 'api listening');
  });
  server.keepAliveTimeout = 5000;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'api stopping: finishing requests in flight');
    const force = setTimeout(() => {
      log.warn({}, 'api: requests still in flight after 30 s, exiting');
      process.exit(0);
    }, 30_000);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    pressure.stop();
    await shared.stop();
    await rt.queues.close().catch(() => undefined);
    await rt.redis.quit().catch(() => undefined);
    log.info({}, 'api stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // BullMQ sets its queues up once, on the first connection (with a command that fails fast, like any
  // other here): a queue whose set-up failed stays broken, so the process exits and its supervisor
  // starts it again rather than serving without queues.
  Promise.all([rt.queues.steps.waitUntilReady(), rt.queues.timers.waitUntilReady()]).catch((err) => {
    if (!stopping) fail(`could not set up the queues on Redis (${(err as Error).message}); exiting to start again`);
  });

  // Workflows: the folder first (it wins), then every other stored workflow validated again.
  for (let attempt = 1; !stopping; attempt++) {
    try {
      await connected(rt);
      const fromFolder = config.workflowsDir ? await workflows.loadFolder(config.workflowsDir) : new Set<string>();
      const { checked, changed } = await workflows.revalidateStored(fromFolder);
      await workflows.syncAllSchedules();
      ready = true;
      log.info({ folder: config.workflowsDir, fromFolder: fromFolder.size, revalidated: checked, changed }, 'workflows loaded');
      break;
    } catch (err) {
      log.error({ attempt, err: (err as Error).message }, 'could not load workflows; retrying');
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
}

main().catch((err) => fail((err as Error).stack ?? String(err)));

/** FLOWGATE_STANDIN_URLS: comma-separated http(s) URLs on loopback only (what `flowgate up` sets). */
function standinUrlsFromEnv(text: string | undefined): string[] {
  const urls = (text ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    let host = '';
    try {
      host = new URL(u).hostname;
    } catch {
      fail(`FLOWGATE_STANDIN_URLS: "${u}" is not a URL`);
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) fail(`FLOWGATE_STANDIN_URLS: "${u}" is not on loopback (the stand-ins run on this machine)`);
  }
  return urls;
}
