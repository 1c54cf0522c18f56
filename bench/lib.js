// Shared helpers of the benchmarks: a private redis-server, child services, timing and printing.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const net = require('node:net');
const IORedis = require('ioredis');

const ROOT = resolve(__dirname, '..');

function freePort() {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The memory tuning of deploy/redis.conf (small hashes stay listpack-encoded), applied to every bench Redis. */
const REDIS_TUNING = ['--hash-max-listpack-value', '1024', '--zset-max-listpack-value', '128'];

async function startRedis(extraArgs = REDIS_TUNING) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const client = new IORedis(url, { maxRetriesPerRequest: null });
  await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG', 10000, 'redis-server');
  return {
    url,
    client,
    async stop() {
      client.disconnect();
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// BENCH_PROFILE=<dir>: every service process writes a V8 CPU profile there when it stops.
const PROFILE = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];

function spawnNode(file, env, args = []) {
  const child = spawn(process.execPath, [...PROFILE, file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

function stopAll(children) {
  return Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => { c.once('exit', r); c.kill(PROFILE.length ? 'SIGTERM' : 'SIGKILL'); })));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One line per figure: the measured value beside its baseline and the ratio (the result), with a target when there is one. */
function report(name, value, unit, baseline, baselineName, target) {
  const ratio = baseline ? ` = ${((value / baseline) * 100).toFixed(0)}% of baseline` : '';
  const base = baseline !== undefined ? `   baseline (${baselineName}): ${fmt(baseline)} ${unit}${ratio}` : '';
  const t = target ? `   target: ${target}` : '';
  console.log(`${name.padEnd(44)} ${fmt(value).padStart(10)} ${unit}${base}${t}`);
}

function fmt(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

module.exports = { ROOT, freePort, waitFor, startRedis, spawnNode, stopAll, percentile, report };
