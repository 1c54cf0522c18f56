// API benchmarks (issue "Durable execution"): alert ingestion, resume latency and Redis memory per
// waiting execution, each beside a raw-BullMQ baseline measured in the same run on the same Redis.
// Run after `pnpm build`: node bench/api.js [--quick] [--only=ingest|resume|memory|finished]
const { join } = require('node:path');
const { Queue } = require('bullmq');
const { ROOT, startRedis, spawnNode, stopAll, waitFor, percentile, report, freePort } = require('./lib');

const quick = process.argv.includes('--quick');
const only = (process.argv.find((a) => a.startsWith('--only=')) || '').slice(7);
const runs = (part) => !only || only === part;
const KEY = 'bench-admin-key-0123456789abcdef0123456789';
const ALERT = { '@timestamp': '2026-11-25T10:00:00.000Z', host: { name: 'web-01' }, user: { name: 'jdoe' }, rule: { id: 'r-1', name: 'Suspicious process', tags: ['edr'] }, process: { name: 'powershell.exe', command_line: 'powershell -enc SQBFAFgA' } };
const PAD = 'x'.repeat(Math.max(0, 300 - JSON.stringify({ alerts: [ALERT] }).length - 10));
const EVENT = { alerts: [{ ...ALERT, note: PAD }] };
const WORKFLOW = `name: Bench gate
triggers: [{ type: alert }]
settings: { timeout: 1d }
steps:
  - name: review
    type: waitForApproval
    with: { message: "## Isolate {{ event.alerts[0].host.name }}?" }
  - name: after
    type: console
    with: { message: "{{ steps.review.output.approved }}" }
  - name: done
    type: console
    with: { message: done }
`;

async function api(base, method, path, body, type = 'application/json') {
  const res = await fetch(base + path, { method, headers: { authorization: `ApiKey ${KEY}`, 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function main() {
  const redis = await startRedis();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { FLOWGATE_REDIS_URL: redis.url, FLOWGATE_PORT: String(port), FLOWGATE_API_KEYS: `admin:admin:${KEY}`, FLOWGATE_LOG_LEVEL: 'error' };
  const children = [spawnNode(join(ROOT, 'services', 'api', 'dist', 'main.js'), env)];
  await waitFor(async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok === true, 30000, 'the API');
  console.log(`Flowgate API benchmark — ${new Date().toISOString()}, ${require('node:os').cpus().length} cores, node ${process.version}\n`);

  if (runs('ingest')) {
  // 1. Ingestion: POST /api/alerts/_bulk (10,000 lines) vs a bare Queue.addBulk of the same events.
  // One alert workflow, without then with settings.timeout: one execution per alert (no worker runs:
  // this is what the API accepts; the start batches wait for the workers).
  const batches = quick ? 2 : 5;
  const ndjson = Array.from({ length: 10000 }, () => JSON.stringify(EVENT)).join('\n');
  const ingestRate = async (yaml) => {
    await api(base, 'PUT', '/api/workflows/bench-gate', yaml, 'application/yaml');
    const started = Date.now();
    for (let i = 0; i < batches; i++) await api(base, 'POST', '/api/alerts/_bulk', ndjson, 'application/x-ndjson');
    const rate = (batches * 10000) / ((Date.now() - started) / 1000);
    await redis.client.flushall();
    return rate;
  };
  await ingestRate(WORKFLOW); // warm-up (JIT), not reported
  const ingest = await ingestRate(WORKFLOW.replace('settings: { timeout: 1d }\n', ''));
  const ingestTimed = await ingestRate(WORKFLOW);
  let t0;
  const bare = new Queue('bare', { connection: redis.client, prefix: 'bench' });
  t0 = Date.now();
  for (let i = 0; i < batches; i++) await bare.addBulk(Array.from({ length: 10000 }, () => ({ name: 'a', data: EVENT })));
  const bareIngest = (batches * 10000) / ((Date.now() - t0) / 1000);
  report('alerts/s accepted by POST /api/alerts/_bulk', ingest, 'alerts/s', bareIngest, 'bare Queue.addBulk', '≥ 10,000 alerts/s');
  report('  with settings.timeout', ingestTimed, 'alerts/s', bareIngest, 'bare Queue.addBulk', '≥ 10,000 alerts/s');
  await bare.obliterate({ force: true });
  await redis.client.flushall();
  }

  if (runs('resume')) {
  // 2. Resume latency, idle system: request sent → next step started (its record's startedAt).
  await api(base, 'PUT', '/api/workflows/bench-gate', WORKFLOW, 'application/yaml');
  const workers = [spawnNode(join(ROOT, 'services', 'worker', 'dist', 'main.js'), env)];
  children.push(...workers);
  // The first 100 resumes warm the API and the worker up (JIT, the compiled answer validator) and are
  // not counted: the figure is a long-running process's.
  const WARM_UP = 100;
  const n = (quick ? 200 : 1000) + WARM_UP;
  await api(base, 'POST', '/api/alerts/_bulk', Array.from({ length: n }, () => JSON.stringify(EVENT)).join('\n'), 'application/x-ndjson');
  await waitFor(async () => (await redis.client.zcard('fg:x:st:WAITING_FOR_INPUT')) === n, 60000, 'executions waiting');
  const executions = (await redis.client.zrange('fg:x:st:WAITING_FOR_INPUT', 0, -1)).map((id) => ({ id }));
  const latencies = [];
  const answered = [];
  for (const [i, e] of executions.entries()) {
    const sent = Date.now();
    await api(base, 'POST', `/api/workflowExecutions/${e.id}/resume`, { approved: true });
    if (i >= WARM_UP) answered.push(Date.now() - sent);
    let started = null;
    while (started === null) {
      const steps = await redis.client.hget(`fg:{${e.id}}:e`, 's:after');
      const r = steps ? JSON.parse(steps) : null;
      if (r && r.startedAt) started = r.startedAt;
      // The latency is read from the record (the worker's clock), so polling gently loses nothing
      // and leaves the two cores to the API, the worker and Redis.
      else await new Promise((res) => setTimeout(res, 2));
    }
    // The first few warm the code paths up (JIT, the schema's compiled validator): not counted.
    if (i >= WARM_UP) latencies.push(started - sent);
  }
  latencies.sort((a, b) => a - b);
  answered.sort((a, b) => a - b);
  // Baseline: a bare BullMQ job, add → processor start, on the same Redis.
  const { Worker } = require('bullmq');
  const baseLat = [];
  const q = new Queue('lat', { connection: redis.client, prefix: 'bench' });
  let resolveStart;
  const w = new Worker('lat', async () => resolveStart(Date.now()), { connection: redis.client.duplicate(), prefix: 'bench' });
  await w.waitUntilReady();
  for (let i = 0; i < n; i++) {
    const started = new Promise((r) => (resolveStart = r));
    const sent = Date.now();
    await q.add('j', EVENT, { removeOnComplete: true });
    baseLat.push((await started) - sent);
  }
  baseLat.sort((a, b) => a - b);
  await w.close();
  await q.close();
  report('resume latency p50 (request → next step)', percentile(latencies, 50), 'ms', percentile(baseLat, 50), 'BullMQ add → start');
  report('resume latency p99 (request → next step)', percentile(latencies, 99), 'ms', percentile(baseLat, 99), 'BullMQ add → start', '≤ 20 ms');
  report('  of which the HTTP answer, p50 / p99', percentile(answered, 50), 'ms');
  report('', percentile(answered, 99), 'ms');
  }

  if (runs('memory')) {
  if (!runs('resume')) children.push(spawnNode(join(ROOT, 'services', 'worker', 'dist', 'main.js'), env));
  // 3. Redis memory per waiting execution (300-byte alert, 3 steps, settings.timeout), beside a bare delayed job.
  await redis.client.flushall();
  await api(base, 'PUT', '/api/workflows/bench-gate', WORKFLOW, 'application/yaml');
  const waitingN = quick ? 10000 : 100000;
  const before = await usedMemory(redis.client);
  for (let i = 0; i < waitingN; i += 10000) await api(base, 'POST', '/api/alerts/_bulk', Array.from({ length: Math.min(10000, waitingN - i) }, () => JSON.stringify(EVENT)).join('\n'), 'application/x-ndjson');
  await waitFor(async () => (await redis.client.zcard('fg:x:st:WAITING_FOR_INPUT')) === waitingN, 1800000, `${waitingN} executions waiting`);
  const perExecution = ((await usedMemory(redis.client)) - before) / waitingN;
  await redis.client.flushall();
  const before2 = await usedMemory(redis.client);
  const dq = new Queue('delayed', { connection: redis.client, prefix: 'bench' });
  for (let i = 0; i < waitingN; i += 10000) await dq.addBulk(Array.from({ length: Math.min(10000, waitingN - i) }, () => ({ name: 'd', data: EVENT, opts: { delay: 86400000 } })));
  const perJob = ((await usedMemory(redis.client)) - before2) / waitingN;
  await dq.close();
  report(`Redis bytes per waiting execution (${waitingN.toLocaleString('en-US')})`, perExecution, 'bytes', perJob, 'one bare delayed BullMQ job', '≤ 2 KB');
  }

  if (runs('finished')) {
  if (!runs('resume') && !runs('memory')) children.push(spawnNode(join(ROOT, 'services', 'worker', 'dist', 'main.js'), env));
  // 4. Redis memory per finished execution, kept for FLOWGATE_RETENTION (docs/operations.md "Sizing
  // Redis memory"): the same 300-byte alert, (a) three automated steps (console, data.set, console),
  // (b) the human gate above answered (the answer and who gave it are kept). Nothing else is left in
  // Redis once they finished: step jobs are removed on completion, the timeout timer when they end.
  const AUTOMATED = `name: Bench auto
triggers: [{ type: alert }]
settings: { timeout: 1d }
steps:
  - name: look
    type: console
    with: { message: "{{ event.alerts[0].host.name }}" }
  - name: enrich
    type: data.set
    with: { host: "{{ event.alerts[0].host.name }}", user: "{{ event.alerts[0].user.name }}", severity: high }
  - name: done
    type: console
    with: { message: "{{ steps.enrich.output.host }} done" }
`;
  await redis.client.flushall();
  await api(base, 'PUT', '/api/workflows/bench-auto', AUTOMATED, 'application/yaml');
  const autoN = quick ? 10000 : 100000;
  const before = await usedMemory(redis.client);
  for (let i = 0; i < autoN; i += 10000) await api(base, 'POST', '/api/alerts/_bulk', Array.from({ length: Math.min(10000, autoN - i) }, () => JSON.stringify(EVENT)).join('\n'), 'application/x-ndjson');
  await waitFor(async () => (await redis.client.zcard('fg:x:st:COMPLETED')) === autoN, 1800000, `${autoN} executions completed`);
  await waitFor(async () => (await redis.client.llen('fgq:steps:wait')) === 0 && (await redis.client.zcard('fgq:timers:delayed')) === 0, 60000, 'the queues to empty');
  const perAutomated = ((await usedMemory(redis.client)) - before) / autoN;

  await redis.client.flushall();
  await api(base, 'PUT', '/api/workflows/bench-gate', WORKFLOW, 'application/yaml');
  const gateN = quick ? 2000 : 10000;
  const before2 = await usedMemory(redis.client);
  await api(base, 'POST', '/api/alerts/_bulk', Array.from({ length: gateN }, () => JSON.stringify(EVENT)).join('\n'), 'application/x-ndjson');
  await waitFor(async () => (await redis.client.zcard('fg:x:st:WAITING_FOR_INPUT')) === gateN, 600000, `${gateN} executions waiting`);
  const ids = await redis.client.zrange('fg:x:st:WAITING_FOR_INPUT', 0, -1);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < ids.length) await api(base, 'POST', `/api/workflowExecutions/${ids[next++]}/resume`, { approved: true, notes: 'isolated after checking the process tree' });
  }));
  await waitFor(async () => (await redis.client.zcard('fg:x:st:COMPLETED')) === gateN, 600000, `${gateN} executions completed`);
  await waitFor(async () => (await redis.client.llen('fgq:steps:wait')) === 0 && (await redis.client.zcard('fgq:timers:delayed')) === 0, 60000, 'the queues to empty');
  const perAnswered = ((await usedMemory(redis.client)) - before2) / gateN;
  report(`Redis bytes per finished execution, 3 automated steps (${autoN.toLocaleString('en-US')})`, perAutomated, 'bytes');
  report(`Redis bytes per finished execution, human gate answered (${gateN.toLocaleString('en-US')})`, perAnswered, 'bytes');
  }

  await stopAll(children);
  await redis.stop();
}

async function usedMemory(client) {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

main().then(() => process.exit(0)).catch((err) => {
  console.error(err);
  process.exit(1);
});
