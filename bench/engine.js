// Engine benchmarks (issue "Durable execution"): each figure beside a raw-BullMQ baseline measured in
// the same run on the same Redis. Run after `pnpm build`: node bench/engine.js [--quick]
const { join } = require('node:path');
const { Queue } = require('bullmq');
const { ROOT, startRedis, spawnNode, stopAll, waitFor, percentile, report, freePort } = require('./lib');

const quick = process.argv.includes('--quick');
const dist = (p) => require(join(ROOT, 'packages', p, 'dist'));
const { validateWorkflow } = dist('workflow-format');
const { Queues } = dist('queue');
const { Keys } = dist('store');
const { builtinRegistry } = dist('steps');
const { createRuntime, startExecutions } = dist('executor');

const quiet = { info() {}, warn() {}, error() {} };
const WORKER = join(ROOT, 'services', 'worker', 'dist', 'main.js');
const API = join(ROOT, 'services', 'api', 'dist', 'main.js');

function tenSteps() {
  const steps = Array.from({ length: 10 }, (_, i) => `  - name: s${i}\n    type: console\n    with: { message: "step ${i} {{ event.alerts[0].host.name }}" }`);
  return `name: Ten\ntriggers: [{ type: alert }]\nsteps:\n${steps.join('\n')}\n`;
}

async function saveWorkflow(rt, id, yaml) {
  const v = validateWorkflow(yaml);
  if (!v.valid) throw new Error(JSON.stringify(v.errors));
  const { workflow } = await rt.workflows.save({ id, yaml, definition: v.definition, name: v.definition.name, errors: [], warnings: [] });
  return { version: workflow.version, definition: v.definition };
}

async function bareChain(redis, workers, chains, length) {
  await redis.client.flushall();
  const children = Array.from({ length: workers }, () => spawnNode(join(__dirname, 'bullmq-chain-worker.js'), { REDIS_URL: redis.url }));
  const q = new Queue('chain', { connection: redis.client, prefix: 'bench' });
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  await q.addBulk(Array.from({ length: chains }, (_, chain) => ({ name: 'c', data: { chain, step: 0, length }, opts: { jobId: `${chain}#0`, removeOnComplete: true } })));
  await waitFor(async () => Number(await redis.client.get('bench:chains-done')) === chains, 300000, 'bare chains');
  const seconds = (Date.now() - t0) / 1000;
  await q.close();
  await stopAll(children);
  return (chains * length) / seconds;
}

async function engineSteps(redis, workers, executions, env = {}) {
  await redis.client.flushall();
  const rt = createRuntime({ redis: redis.client, queues: new Queues(redis.client, new Keys().queuePrefix(false)), registry: builtinRegistry(), publicUrl: 'http://x', log: quiet });
  const { version, definition } = await saveWorkflow(rt, 'ten', tenSteps());
  const children = Array.from({ length: workers }, () => spawnNode(WORKER, { FLOWGATE_REDIS_URL: redis.url, FLOWGATE_LOG_LEVEL: 'error', ...env }));
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  for (let i = 0; i < executions; i += 500) {
    const batch = Array.from({ length: Math.min(500, executions - i) }, () => ({ workflowId: 'ten', version, definition, trigger: 'alert', triggeredBy: 'bench', event: { alerts: [{ host: { name: 'h' } }] } }));
    await startExecutions(rt, batch);
  }
  await waitFor(async () => (await redis.client.zcard('fg:x:st:COMPLETED')) === executions, 600000, 'engine executions');
  const seconds = (Date.now() - t0) / 1000;
  await stopAll(children);
  await rt.queues.close();
  return (executions * 10) / seconds;
}

async function main() {
  const redis = await startRedis();
  const chains = quick ? 200 : 1000;
  console.log(`Flowgate engine benchmark — ${new Date().toISOString()}, ${require('node:os').cpus().length} cores, node ${process.version}`);
  console.log(`10-step workflows (console steps), ${chains} executions; baseline: ${chains} chains of 10 bare BullMQ jobs, same concurrency (50/process)\n`);
  for (const workers of [1, 2]) {
    const base = await bareChain(redis, workers, chains, 10);
    const engine = await engineSteps(redis, workers, chains);
    // The same with every step its own job (what steps with outside I/O, e.g. http, always are).
    const perJob = await engineSteps(redis, workers, chains, { FLOWGATE_CHAIN_STEPS: '0' });
    const procs = `${workers} worker process${workers > 1 ? 'es' : ''}`;
    report(`engine steps/s, ${procs}`, engine, 'steps/s', base, 'bare BullMQ chain', '≥ 50% of baseline');
    report(`  one job per step (FLOWGATE_CHAIN_STEPS=0)`, perJob, 'steps/s', base, 'bare BullMQ chain', '≥ 50% of baseline');
  }
  await redis.stop();
}

main().then(() => process.exit(0)).catch((err) => {
  console.error(err);
  process.exit(1);
});
