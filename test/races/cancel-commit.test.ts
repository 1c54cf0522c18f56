/**
 * docs/semantics.md "Cancelling", "Running" (step 4, Commit) and "Guarantees": a cancel racing the
 * commit of a running step has one winner. Either the commit lands first (the step is COMPLETED and
 * what follows it runs, or the execution completes and the cancel gets `already_finished`), or the
 * cancel does (the step in flight and everything not yet ended become CANCELLED, the late commit is
 * discarded, and no later step runs). Never a step COMPLETED after the step the cancel stopped, never
 * a record left RUNNING or PENDING.
 *
 * In process, FLOWGATE_RACE_TRIALS trials each:
 * - instant steps: a worker runs `a` and `b` (data.set; chained in one job, or one job per step)
 *   while an API cancels;
 * - an I/O step: a worker's `http` step waits on a local server; its answer is released while an API
 *   cancels (the cancel also aborts the call through the cancel channel, as in a worker).
 * Then a few trials through the HTTP API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cancelExecution, processStepJob, type CancelResult } from '@flowgate/executor';
import { listen } from '../fixtures/http-util';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { KEY_NAMES, System } from '../helpers/system';
import { expectIndexes, invariantProblems, jitter, Problems, RaceBench, report, TRIALS, type Snapshot } from './race-kit';

/** A local server that holds every request until the test releases it, and records its Idempotency-Key. */
async function heldServer() {
  const held = new Map<string, { arrived: Promise<void>; arrive: () => void; release?: () => void }>();
  const keys: string[] = [];
  const slot = (key: string) => {
    let s = held.get(key);
    if (!s) {
      let arrive!: () => void;
      const arrived = new Promise<void>((r) => (arrive = r));
      s = { arrived, arrive };
      held.set(key, s);
    }
    return s;
  };
  let n = 0;
  const server = await listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _ of req) void _;
    const key = String(req.headers['idempotency-key'] ?? '');
    keys.push(key);
    const s = slot(key);
    const call = ++n;
    await new Promise<void>((r) => {
      s.release = r;
      s.arrive();
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, call }));
  });
  return {
    port: server.port,
    keys,
    /** resolves once the request carrying `key` is being held */
    arrived: (key: string) => slot(key).arrived,
    release: (key: string) => slot(key).release?.(),
    close: server.close,
  };
}

type Held = Awaited<ReturnType<typeof heldServer>>;

/**
 * Whoever won: a cancel that succeeded stopped the steps at one point (those before it COMPLETED, the
 * one it caught CANCELLED, none after it); a cancel that lost found the execution COMPLETED with every
 * step. Answers the outcome's name ("cancel caught <step>" or "commit won").
 */
function judge(s: Snapshot, cancel: CancelResult, steps: string[], out: string[]): string {
  out.push(...invariantProblems(s));
  const got = s.records.map((r) => [r.path, r.status]);
  if (!cancel.ok) {
    if (JSON.stringify(cancel) !== JSON.stringify({ ok: false, code: 'already_finished', status: 'COMPLETED' })) out.push(`the cancel lost with ${JSON.stringify(cancel)}`);
    if (s.exec.status !== 'COMPLETED' || JSON.stringify(got) !== JSON.stringify(steps.map((p) => [p, 'COMPLETED']))) out.push(`${s.exec.status} with ${JSON.stringify(got)}`);
    return 'commit won';
  }
  if (s.exec.status !== 'CANCELLED' || s.exec.cancellation?.reason !== 'user' || s.exec.cancellation?.by !== 'carol') out.push(`cancelled, but ${s.exec.status} ${JSON.stringify(s.exec.cancellation)}`);
  const caught = got.findIndex(([, status]) => status !== 'COMPLETED');
  if (caught < 0) {
    out.push(`the cancel won but every step is COMPLETED: ${JSON.stringify(got)}`);
    return 'invalid';
  }
  const want = [...steps.slice(0, caught).map((p) => [p, 'COMPLETED']), [steps[caught], 'CANCELLED']];
  if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`steps ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  const stopped = s.records[caught];
  if (stopped && stopped.output !== null) out.push(`the cancelled step ${stopped.path} kept an output ${JSON.stringify(stopped.output)}`);
  return `cancel caught ${steps[caught]}`;
}

let server: RedisServer;
let edr: Held;
beforeAll(async () => {
  server = await startRedis();
  edr = await heldServer();
});
afterAll(async () => {
  await edr?.close();
  await server?.stop();
});

describe('cancel × step commit, in process', () => {
  let bench: RaceBench;
  beforeAll(async () => {
    bench = await RaceBench.open(server, { httpAllowedHosts: [`127.0.0.1:${edr.port}`] });
    await bench.save('instant', 'name: Instant\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: data.set\n    with: { x: 1 }\n  - name: b\n    type: data.set\n    with: { y: "${{ steps.a.output.x }}" }\n');
    const call = `  - name: prep\n    type: console\n    with: { message: prep }\n  - name: call\n    type: http\n    with: { method: POST, url: "http://127.0.0.1:${edr.port}/isolate", body: { host: h1 } }\n`;
    await bench.save('io-last', `name: IO last\ntriggers: [{ type: manual }]\nsteps:\n${call}`);
    await bench.save('io-next', `name: IO next\ntriggers: [{ type: manual }]\nsteps:\n${call}  - name: after\n    type: data.set\n    with: { got: "\${{ steps.call.output.body.call }}" }\n`);
  });
  afterAll(async () => bench?.close());

  it(`a cancel against the commits of instant steps (chained, and one job per step), ${TRIALS} trials`, async () => {
    const problems = new Problems();
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    const worker = bench.rt('worker');
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        worker.chainSteps = trial % 2 ? 0 : 100;
        const id = await bench.start('instant');
        let settled = false;
        const [, cancel] = await Promise.all([
          (async () => {
            await jitter();
            return bench.driveWhile(id, () => settled);
          })(),
          (async () => {
            await jitter();
            const result = await cancelExecution(bench.rt('api'), id, { reason: 'user', by: 'carol' });
            settled = true;
            return result;
          })(),
        ]);
        // The jobs a worker could still receive (its first, the next one) change nothing now.
        const rev = (await bench.rt('api').executions.load(id))!.rev;
        for (const path of ['a', 'b']) await processStepJob(worker, { executionId: id, path, attempt: 1 }, bench.aborts);
        const s = await bench.settled(id);
        const out: string[] = [];
        if (s.exec.rev !== rev) out.push(`a late delivery moved rev ${rev} → ${s.exec.rev}`);
        const outcome = `${judge(s, cancel, ['a', 'b'], out)} (${worker.chainSteps ? 'chained' : 'one job per step'})`;
        if (s.exec.status === 'COMPLETED' && JSON.stringify(s.step('b')?.output) !== '{"y":1}') out.push(`b ${JSON.stringify(s.step('b'))}`);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        problems.add(trial, id, out);
      }
    } finally {
      worker.chainSteps = 100;
    }
    report('cancel × instant step commit', { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, ...Object.fromEntries([...outcomes].sort()), ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
  }, 60_000);

  it(`a cancel against the commit of an http step whose answer arrives at that moment, ${TRIALS} trials`, async () => {
    const problems = new Problems();
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    const worker = bench.rt('worker');
    for (let trial = 0; trial < TRIALS; trial++) {
      const shape = trial % 2 ? 'io-next' : 'io-last';
      const steps = shape === 'io-next' ? ['prep', 'call', 'after'] : ['prep', 'call'];
      const id = await bench.start(shape);
      expect(await bench.runNext(id)).toBe('prep#1'); // the http step after it is queued as its own job
      const key = `${id}:call`;
      // The worker runs the http step: it is marked RUNNING, then its request is held by the server.
      let settled = false;
      const running = (async () => {
        await processStepJob(worker, { executionId: id, path: 'call', attempt: 1 }, bench.aborts);
        await bench.driveWhile(id, () => settled);
      })();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        edr.arrived(key),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the http step's request never arrived (${bench.log.errors.join(' ')})`)), 5000);
        }),
      ]).finally(() => clearTimeout(timer));
      const before = await bench.settled(id);
      const out: string[] = [];
      if (before.step('call')?.status !== 'RUNNING' || before.exec.status !== 'RUNNING') out.push(`while the call is held: ${before.exec.status}, call ${before.step('call')?.status}`);
      const [, cancel] = await Promise.all([
        (async () => {
          await jitter();
          edr.release(key);
        })(),
        (async () => {
          await jitter();
          const result = await cancelExecution(bench.rt('api'), id, { reason: 'user', by: 'carol' });
          settled = true;
          return result;
        })(),
      ]);
      await running;
      const s = await bench.settled(id);
      const outcome = judge(s, cancel, steps, out);
      if (s.step('call')?.status === 'COMPLETED' && (s.step('call')?.output as any)?.body?.ok !== true) out.push(`call ${JSON.stringify(s.step('call'))}`);
      // One delivery, with the step's key (the worker was not killed: no repeat).
      const sent = edr.keys.filter((k) => k.startsWith(`${id}:`));
      if (JSON.stringify(sent) !== JSON.stringify([key])) out.push(`the server saw ${JSON.stringify(sent)}`);
      outcomes.set(`${outcome} (${shape})`, (outcomes.get(`${outcome} (${shape})`) ?? 0) + 1);
      problems.add(trial, id, out);
    }
    report('cancel × http step commit', { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, ...Object.fromEntries([...outcomes].sort()), 'late commits discarded (so far)': bench.log.counts.get('late commit discarded') ?? 0, ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
    expect(bench.aborts.size).toBe(0);
  }, 60_000);
});

describe('cancel × step commit, through the HTTP API', () => {
  let sys: System;
  let held: Held;
  beforeAll(async () => {
    held = await heldServer();
    sys = await System.start({ redis: await startRedis(), workers: 1, env: { FLOWGATE_HTTP_ALLOWED_HOSTS: `127.0.0.1:${held.port}` } });
    await sys.putWorkflow('io', `name: IO\ntriggers: [{ type: manual }]\nsteps:\n  - name: call\n    type: http\n    with: { method: POST, url: "http://127.0.0.1:${held.port}/isolate" }\n`);
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await sys?.redis.stop();
    await held?.close();
  });

  it('POST .../cancel as the http step’s answer arrives: 200 and CANCELLED, or 409 already_finished and COMPLETED', async () => {
    const seen = new Map<string, number>();
    for (let trial = 0; trial < 8; trial++) {
      const id = (await sys.request('POST', '/api/workflows/io/run', { body: { inputs: {} } })).body.executionId;
      await held.arrived(`${id}:call`);
      const [, cancel] = await Promise.all([
        new Promise<void>((r) =>
          setTimeout(() => {
            held.release(`${id}:call`);
            r();
          }, trial % 4),
        ),
        new Promise<{ status: number; body: any }>((r) => setTimeout(() => r(sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' })), 2 - (trial % 3))),
      ]);
      const e = await sys.waitForExecution(id);
      if (cancel.status === 200) {
        expect({ status: e.status, call: e.steps[0].status, by: e.cancellation?.by }).toEqual({ status: 'CANCELLED', call: 'CANCELLED', by: KEY_NAMES.reviewer });
      } else {
        expect({ cancel: cancel.status, code: cancel.body?.error?.code, status: e.status, call: e.steps[0].status }).toEqual({ cancel: 409, code: 'already_finished', status: 'COMPLETED', call: 'COMPLETED' });
      }
      const outcome = cancel.status === 200 ? 'cancel won' : 'commit won';
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
    report('cancel × http step commit (HTTP)', Object.fromEntries(seen));
    await expectIndexes(sys.redis.client(), { CANCELLED: seen.get('cancel won') ?? 0, COMPLETED: seen.get('commit won') ?? 0 });
  }, 60_000);
});
