// Soak (issue "Run for months at high volume"): alerts at a fixed rate through a 4-step workflow for
// minutes, with a short FLOWGATE_RETENTION, printing Redis used_memory every 30 s. With retention
// working, memory levels off once executions leave as fast as they come: the last five samples must
// lie within ±10% of their mean. By hand, not in CI (it runs for minutes):
//   node bench/soak.js [--minutes 10] [--rate 1000] [--retention 30s] [--workers 2] [--sample 30]
// Run after `pnpm build`. It starts its own redis-server (with deploy/redis.conf's memory tuning), one
// API and N workers from services/*/dist.
const { join } = require('node:path');
const { ROOT, startRedis, spawnNode, stopAll, waitFor, freePort } = require('./lib');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const MINUTES = Number(arg('minutes', '10'));
const RATE = Number(arg('rate', '1000'));
const RETENTION = arg('retention', '30s');
const WORKERS = Number(arg('workers', '2'));
const SAMPLE_S = Number(arg('sample', '30'));
const KEY = 'soak-admin-key-0123456789abcdef0123';
/** Alerts per request: the rate is kept by sending a batch every TICK_MS. */
const TICK_MS = 100;

const WORKFLOW = `name: Soak
triggers: [{ type: alert }]
steps:
  - name: note
    type: console
    with: { message: "alert on {{ event.alerts[0].host.name }}" }
  - name: fields
    type: data.set
    with: { host: "{{ event.alerts[0].host.name }}", rule: "{{ event.alerts[0].rule.name }}" }
  - name: route
    type: if
    condition: "event.alerts[0].rule.severity >= 50"
    steps:
      - name: high
        type: console
        with: { message: "high: {{ variables.host }}" }
  - name: done
    type: console
    with: { message: done }
`;

function alert(i) {
  return {
    '@timestamp': new Date().toISOString(),
    host: { name: `host-${i % 500}` },
    user: { name: `user-${i % 97}` },
    rule: { id: `r-${i % 20}`, name: 'Suspicious process', severity: i % 100, tags: ['edr'] },
    process: { name: 'powershell.exe', command_line: 'powershell -enc SQBFAFgA' },
  };
}

async function post(base, path, body, type) {
  const res = await fetch(base + path, { method: path.startsWith('/api/workflows/') ? 'PUT' : 'POST', headers: { authorization: `ApiKey ${KEY}`, 'content-type': type }, body });
  const text = await res.text();
  return { status: res.status, text };
}

async function info(redis) {
  const text = await redis.client.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(text)[1]);
  return { used, keys: await redis.client.dbsize() };
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

async function main() {
  const redis = await startRedis();
  redis.client.on('error', () => undefined); // the server is killed at the end while the client may still be connected
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    FLOWGATE_REDIS_URL: redis.url,
    FLOWGATE_PORT: String(port),
    FLOWGATE_API_KEYS: `admin:admin:${KEY}`,
    FLOWGATE_LOG_LEVEL: 'error',
    FLOWGATE_RETENTION: RETENTION,
  };
  const children = [spawnNode(join(ROOT, 'services', 'api', 'dist', 'main.js'), env)];
  for (let i = 0; i < WORKERS; i++) children.push(spawnNode(join(ROOT, 'services', 'worker', 'dist', 'main.js'), env));
  await waitFor(async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok === true, 30000, 'the API');
  const saved = await post(base, '/api/workflows/soak', WORKFLOW, 'application/yaml');
  if (saved.status >= 300) throw new Error(`saving the workflow: ${saved.status} ${saved.text}`);

  console.log(`Flowgate soak — ${new Date().toISOString()}, ${require('node:os').cpus().length} cores, node ${process.version}`);
  console.log(`${RATE} alerts/s for ${MINUTES} min through a 4-step workflow, FLOWGATE_RETENTION=${RETENTION}, ${WORKERS} workers; Redis used_memory every ${SAMPLE_S} s\n`);
  console.log('   t   used_memory    keys      sent  refused  backlog(steps)  completed');

  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const end = Date.now() + MINUTES * 60_000;
  let sent = 0;
  let refused = 0;
  let failures = 0;
  let n = 0;
  let ticking = true;
  const sender = (async () => {
    let next = Date.now();
    while (ticking && Date.now() < end) {
      const lines = Array.from({ length: perTick }, () => JSON.stringify({ alerts: [alert(n++)] })).join('\n');
      const r = await post(base, '/api/alerts/_bulk', lines, 'application/x-ndjson').catch((err) => ({ status: 0, text: String(err) }));
      if (r.status === 202) sent += perTick;
      else if (r.status === 503) refused += perTick;
      else failures++;
      next += TICK_MS;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();

  const samples = [];
  const t0 = Date.now();
  while (Date.now() < end) {
    await new Promise((res) => setTimeout(res, Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now()))));
    const { used, keys } = await info(redis);
    const backlog = await redis.client.llen('fgq:steps:wait');
    // Completed so far, cluster-wide (the workers' counters, flushed every 5 s): not what is left in Redis.
    const finished = Number((await redis.client.hget('fg:m:finished', 'COMPLETED')) ?? 0);
    samples.push(used);
    const t = Math.round((Date.now() - t0) / 1000);
    console.log(`${String(t).padStart(4)}s ${mb(used).padStart(12)} ${String(keys).padStart(7)} ${String(sent).padStart(9)} ${String(refused).padStart(8)} ${String(backlog).padStart(15)} ${String(finished).padStart(10)}`);
  }
  ticking = false;
  await sender;

  const last = samples.slice(-5);
  const mean = last.reduce((a, b) => a + b, 0) / last.length;
  const spread = Math.max(...last.map((v) => Math.abs(v - mean) / mean));
  const ok = last.length === 5 && spread <= 0.1;
  console.log(`\nlast five samples: mean ${mb(mean)}, furthest ${(spread * 100).toFixed(1)}% from it — ${ok ? 'levelled off' : 'NOT levelled off'} (target: within ±10%)`);
  console.log(`alerts accepted ${sent} (${(sent / (MINUTES * 60)).toFixed(0)}/s), refused (503) ${refused}, failed requests ${failures}`);
  await stopAll(children);
  await redis.stop();
  process.exit(ok && failures === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
