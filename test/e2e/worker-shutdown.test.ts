/**
 * A worker's graceful shutdown, end to end: SIGTERM while a step is in flight (an http step to a
 * slow local server) → the worker stops taking jobs, finishes that step, and exits 0; the step is
 * committed once and the next step runs on another worker.
 */
import { createServer, type Server } from 'node:http';
import { System } from '../helpers/system';

let sys: System;
let slow: Server;
let port = 0;
let calls = 0;

beforeAll(async () => {
  slow = createServer((req, res) => {
    calls++;
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, call: calls }));
    }, 1500);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  port = (slow.address() as { port: number }).port;
  // The workers may call the slow server directly: its literal loopback address is allowed.
  sys = await System.start({ workers: 0, env: { FLOWGATE_HTTP_ALLOWED_HOSTS: `127.0.0.1:${port}` } });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  slow?.close();
});

it('finishes the step in flight on SIGTERM, exits 0, and another worker carries on', async () => {
  await sys.putWorkflow(
    'slow-call',
    `name: Slow call\ntriggers: [{ type: manual }]\nsteps:\n  - name: call\n    type: http\n    with: { url: "http://127.0.0.1:${port}/slow" }\n  - name: after\n    type: console\n    with: { message: "got {{ steps.call.output.body.call }}" }\n`,
  );
  const first = sys.startWorker();
  const id = (await sys.request('POST', '/api/workflows/slow-call/run', { body: { inputs: {} } })).body.executionId;
  await sys.waitForExecution(id, (e) => e?.steps?.find((s: any) => s.path === 'call')?.status === 'RUNNING');
  const exited = new Promise<number | null>((r) => first.once('exit', (code) => r(code)));
  first.kill('SIGTERM');
  expect(await exited).toBe(0);

  const e = await sys.execution(id);
  expect(e.steps.find((s: any) => s.path === 'call')).toMatchObject({ status: 'COMPLETED', attempts: 1, output: { status: 200, body: { ok: true, call: 1 } } });
  expect(e.status).toBe('RUNNING'); // the next step waits for a worker

  sys.startWorker();
  const done = await sys.waitForExecution(id);
  expect(done.status).toBe('COMPLETED');
  expect(done.steps.find((s: any) => s.path === 'after').output).toBe('got 1');
  expect(calls).toBe(1);
}, 60_000);

it('refuses a bad setting with one line naming it, and exits 1', async () => {
  for (const [name, value, says] of [
    ['FLOWGATE_CHAIN_STEPS', '-1', 'is not a whole number ≥ 0'],
    ['FLOWGATE_CONCURRENCY', 'lots', 'is not a positive integer'],
    ['FLOWGATE_LOCK_MS', '10', 'is not a whole number of milliseconds ≥ 1000'],
  ]) {
    const w = sys.startWorker({ [name]: value });
    let stderr = '';
    w.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => w.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`flowgate worker: ${name}: "${value}" ${says}`);
  }
}, 30_000);
