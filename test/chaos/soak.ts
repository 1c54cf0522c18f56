/**
 * The chaos soak (docs/reliability.md): alerts through a 6-step workflow with an `http` step and a
 * `waitForInput` answered by a scripted reviewer, on a real redis-server (AOF on), one API and three
 * workers, while a supervisor `kill -9`s a random worker every 2 s (and starts a replacement), Redis
 * is restarted once (SIGTERM, then started on the same data) and stopped for 10 s once.
 *
 * The clients behave as real ones must (docs/operations.md "Redis outages"): the alert sender sends
 * every alert with its own `Idempotency-Key` and retries it with backoff on 503 (not accepted), 409
 * (the same key still in progress) and network errors, until it is answered 202; the reviewer lists
 * the executions waiting for input, answers each (`?step=review`), retries on 503, 429 and network
 * errors, and takes a 409 `not_waiting` naming itself after an attempt whose answer it never got as
 * "that earlier attempt was applied".
 *
 * Then, with the chaos stopped and a settle period, it checks everything it can see: executions,
 * step records, answers, the deliveries the receiving HTTP server saw, the status indexes.
 */
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type IORedis from 'ioredis';
import { listen } from '../fixtures/http-util';
import { startRedis } from '../helpers/redis-server';
import { KEY_NAMES, KEYS, System } from '../helpers/system';

export interface SoakOptions {
  alerts: number;
  /** how long the alerts are spread over (ms); the restart and the outage fall inside it */
  windowMs: number;
  workers: number;
  killEveryMs: number;
  outageMs: number;
  /** after the chaos: how long executions may take to end before the stragglers count as stuck */
  settleMs: number;
  log?: (line: string) => void;
}

export function soakOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SoakOptions {
  const alerts = Math.max(10, Number(env.FLOWGATE_CHAOS_ALERTS ?? 300));
  return {
    alerts,
    // At most 25 alerts a second (the machine runs the API, the workers, Redis and the clients), and
    // long enough for a restart, a 10 s outage and kills in between.
    windowMs: Math.max(36_000, Math.ceil(alerts / 25) * 1000),
    workers: 3,
    killEveryMs: 2000,
    outageMs: 10_000,
    settleMs: Number(env.FLOWGATE_CHAOS_SETTLE_MS ?? 60_000),
  };
}

/** The main workflow's steps in order; `isolate` is the http step, `review` the wait. */
export const MAIN_STEPS = ['triage', 'enrich', 'review', 'isolate', 'note', 'close'];
export const AUDIT_STEPS = ['log', 'mark'];

const mainWorkflow = (port: number) => `name: Chaos isolate
description: the chaos soak's main workflow (test/chaos)
triggers:
  - type: alert
steps:
  - name: triage
    type: console
    with: { message: "alert {{ event.alerts[0].n }} on {{ event.alerts[0].host.name }}" }
  - name: enrich
    type: data.set
    with: { host: "{{ event.alerts[0].host.name }}", n: "\${{ event.alerts[0].n }}" }
  - name: review
    type: waitForInput
    with:
      message: "Isolate {{ variables.host }}?"
      schema:
        type: object
        properties: { decision: { type: string, enum: [isolate, monitor] } }
        required: [decision]
        additionalProperties: false
  - name: isolate
    type: http
    on-failure: { retry: { max-attempts: 5, delay: 500ms } }
    with:
      method: POST
      url: "http://127.0.0.1:${port}/isolate"
      body: { execution: "{{ execution.id }}", host: "{{ variables.host }}", decision: "{{ steps.review.output.decision }}" }
  - name: note
    type: data.set
    with: { delivery: "\${{ steps.isolate.output.body.delivery }}", decided: "{{ steps.review.output.decision }}" }
  - name: close
    type: console
    with: { message: "done {{ execution.id }}, answered by {{ steps.review.respondedBy }}" }
`;

/** A second workflow for the alerts of severity high: one alert, two executions (a shared event). */
const AUDIT_WORKFLOW = `name: Chaos audit
triggers:
  - type: alert
    on: { condition: "alerts.severity : high" }
steps:
  - name: log
    type: console
    with: { message: "high {{ event.alerts[0].n }}" }
  - name: mark
    type: data.set
    with: { n: "\${{ event.alerts[0].n }}" }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (attempt: number) => Math.min(3200, 200 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random() / 2);
const isHigh = (n: number) => n % 3 === 0;
const decisionFor = (id: string) => (id.charCodeAt(id.length - 1) % 2 ? 'isolate' : 'monitor');
/** Two reviewers share the work (each key has its own budget of refusals a minute): who answers which. */
const reviewerFor = (id: string) => (id.charCodeAt(id.length - 3) % 2 ? ('reviewer' as const) : ('reviewer2' as const));

interface Delivery {
  key: string;
  execution: string;
  delivery: number;
}

/** The receiving side of the http step: records every request's Idempotency-Key, answers after 0-40 ms. */
async function startRecorder() {
  const deliveries: Delivery[] = [];
  const server = await listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: any = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      /* recorded with an empty execution */
    }
    const d: Delivery = { key: String(req.headers['idempotency-key'] ?? ''), execution: String(body?.execution ?? ''), delivery: deliveries.length + 1 };
    deliveries.push(d);
    // A delay, so that a worker killed now dies in the middle of the call.
    await sleep(Math.random() * 40);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, delivery: d.delivery, key: d.key }));
  });
  return { port: server.port, deliveries, close: server.close };
}

/**
 * One HTTP call to the API as a client makes it; a network error is status 0. `giveUpAfterMs`: the
 * client stops waiting for the answer after that long (a client-side timeout, a connection cut on the
 * way back): the request may or may not have been applied, and the client cannot tell.
 */
async function call(
  sys: System,
  method: string,
  path: string,
  options: { key?: keyof typeof KEYS | null; body?: unknown; headers?: Record<string, string>; giveUpAfterMs?: number } = {},
): Promise<{ status: number; body: any; headers: Headers | null }> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? 'admin' : options.key;
  if (key) headers.authorization = `ApiKey ${KEYS[key]}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${sys.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.giveUpAfterMs === undefined ? undefined : AbortSignal.timeout(options.giveUpAfterMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  } catch (err) {
    return { status: 0, body: { error: { code: 'network', message: (err as Error).message } }, headers: null };
  }
}

export interface SoakResult {
  options: SoakOptions;
  elapsedMs: number;
  alertsAccepted: number;
  executions: number;
  kills: number;
  workerExits: string[];
  /** the API process exiting during the run, with its last output */
  apiExits: string[];
  restarts: number;
  outages: number;
  outageApiAnswers: Record<string, number>;
  sender: { attempts: number; status503: number; status409: number; network: number; replayed: number; other: string[] };
  reviewer: { answered200: number; lostButApplied: number; status503: number; status429: number; network: number; anomalies: string[] };
  lost: string[];
  stuck: string[];
  doubleStarted: string[];
  stepProblems: string[];
  deliveryProblems: string[];
  indexProblems: string[];
  /** for what went wrong: the records and the chaos around them */
  evidence: string[];
  deliveries: number;
  repeatedKeys: number;
  repeats: number;
  stepAttempts: Record<string, number>;
  statuses: Record<string, number>;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const recorder = await startRecorder();
  // AOF on (appendfsync everysec, Redis's default): the restart by SIGTERM flushes it.
  const redis = await startRedis({ appendonly: true });
  const sys = await System.start({
    redis,
    workers: o.workers,
    env: {
      FLOWGATE_RECONCILE_MS: '500',
      FLOWGATE_LOCK_MS: '2000',
      FLOWGATE_HTTP_ALLOWED_HOSTS: `127.0.0.1:${recorder.port}`,
      FLOWGATE_LOG_LEVEL: 'error',
    },
  });
  const killed = new Set<ChildProcess>();
  let finished = false;
  /** what the chaos did when (s since the start), to set against the times of a record that went wrong */
  const timeline: string[] = [];
  const at = () => `${((Date.now() - t0) / 1000).toFixed(2)}s`;
  try {
    await sys.putWorkflow('chaos-isolate', mainWorkflow(recorder.port));
    await sys.putWorkflow('chaos-audit', AUDIT_WORKFLOW);
    const runId = Date.now().toString(36);
    const result: SoakResult = {
      options: o,
      elapsedMs: 0,
      alertsAccepted: 0,
      executions: 0,
      kills: 0,
      workerExits: [],
      apiExits: [],
      restarts: 0,
      outages: 0,
      outageApiAnswers: {},
      sender: { attempts: 0, status503: 0, status409: 0, network: 0, replayed: 0, other: [] },
      reviewer: { answered200: 0, lostButApplied: 0, status503: 0, status429: 0, network: 0, anomalies: [] },
      lost: [],
      stuck: [],
      doubleStarted: [],
      stepProblems: [],
      deliveryProblems: [],
      indexProblems: [],
      evidence: [],
      deliveries: 0,
      repeatedKeys: 0,
      repeats: 0,
      stepAttempts: {},
      statuses: {},
    };

    // ---------- the alert sender ----------
    /** alert n → the executions its 202 named */
    const accepted = new Map<number, { executionId: string; workflowId: string }[]>();
    /** alert n → what each attempt got, with when (s since the start): the evidence when something is wrong */
    const history = new Map<number, string[]>();
    const sendStart = Date.now();
    const sendOne = async (n: number) => {
      await sleep(Math.max(0, sendStart + (n * o.windowMs) / o.alerts - Date.now()));
      const alert = { n, host: { name: `host-${n}` }, severity: isHigh(n) ? 'high' : 'low', rule: { name: 'chaos' } };
      const deadline = Date.now() + 180_000;
      for (let attempt = 0; ; attempt++) {
        result.sender.attempts++;
        // One alert in ten: the first answer is lost on the way back (the client gives up after a few ms).
        const giveUpAfterMs = attempt === 0 && n % 10 === 7 ? 2 + Math.floor(Math.random() * 8) : undefined;
        const r = await call(sys, 'POST', '/api/alerts', { key: 'ingest', body: alert, headers: { 'idempotency-key': `chaos-${runId}-${n}` }, giveUpAfterMs });
        const seen = history.get(n) ?? [];
        seen.push(`${((Date.now() - t0) / 1000).toFixed(2)}s ${r.status}${r.status === 202 ? ` ${JSON.stringify(r.body.executions.map((e: any) => e.executionId))}` : ` ${r.body?.error?.code ?? ''}`}`);
        history.set(n, seen);
        if (r.status === 202) {
          if (r.headers?.get('idempotent-replayed') === 'true') result.sender.replayed++;
          accepted.set(n, r.body.executions);
          return;
        }
        if (r.status === 503) result.sender.status503++;
        else if (r.status === 409) result.sender.status409++;
        else if (r.status === 0) result.sender.network++;
        else {
          result.sender.other.push(`alert ${n}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          return;
        }
        if (Date.now() > deadline) {
          result.sender.other.push(`alert ${n}: still refused after 180 s (last ${r.status} ${JSON.stringify(r.body).slice(0, 200)})`);
          return;
        }
        await sleep(backoff(attempt));
      }
    };
    const sender = Promise.all(Array.from({ length: o.alerts }, (_, n) => sendOne(n)));

    // ---------- the reviewer ----------
    /** execution id → 'done', or the number of attempts whose answer never came back (503, network) */
    const reviewed = new Map<string, 'done' | number>();
    const lostAnswers = new Map<string, number>();
    const resumeOne = async (id: string) => {
      let uncertain = typeof reviewed.get(id) === 'number' ? (reviewed.get(id) as number) : 0;
      for (let attempt = 0; attempt < 60; attempt++) {
        // One answer in ten: the first attempt's answer is lost on the way back (the client gives up after a few ms).
        const giveUpAfterMs = attempt === 0 && id.charCodeAt(id.length - 2) % 10 === 3 ? 2 + Math.floor(Math.random() * 8) : undefined;
        const r = await call(sys, 'POST', `/api/workflowExecutions/${id}/resume?step=review`, { key: reviewerFor(id), body: { decision: decisionFor(id) }, giveUpAfterMs });
        if (r.status === 200) {
          result.reviewer.answered200++;
          reviewed.set(id, 'done');
          return;
        }
        if (r.status === 409 && r.body?.error?.code === 'not_waiting') {
          const d = r.body.error.details?.[0] ?? {};
          if (uncertain > 0 && d.respondedBy === KEY_NAMES[reviewerFor(id)] && d.step === 'review') {
            // An earlier attempt was applied, its answer lost on the way back: done.
            result.reviewer.lostButApplied++;
            lostAnswers.set(id, (lostAnswers.get(id) ?? 0) + 1);
            reviewed.set(id, 'done');
            return;
          }
          result.reviewer.anomalies.push(`${id}: 409 not_waiting after ${uncertain} uncertain attempts: ${JSON.stringify(r.body.error)}`);
          reviewed.set(id, 'done');
          return;
        }
        if (r.status === 503 || r.status === 0) {
          // Not known whether it was applied: the 503 of a command in flight when Redis went away, or no answer at all.
          if (r.status === 503) result.reviewer.status503++;
          else result.reviewer.network++;
          uncertain++;
          reviewed.set(id, uncertain);
        } else if (r.status === 429) {
          result.reviewer.status429++;
          await sleep(1000 * Number(r.headers?.get('retry-after') ?? 1));
          continue;
        } else {
          result.reviewer.anomalies.push(`${id}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
          reviewed.set(id, 'done');
          return;
        }
        await sleep(backoff(attempt));
      }
      result.reviewer.anomalies.push(`${id}: no answer accepted after 60 attempts`);
    };
    let reviewing = true;
    const inFlight = new Set<string>();
    const reviewer = (async () => {
      let failures = 0;
      while (reviewing) {
        let cursor: string | null = null;
        let ok = true;
        // By status only (the audit workflow never waits): with ?workflowId= as well, the API walks the
        // workflow's index, every execution it ever ran, and filters it by status.
        do {
          const page: { status: number; body: any } = await call(sys, 'GET', `/api/workflowExecutions?status=WAITING_FOR_INPUT&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { key: 'reviewer' });
          if (page.status !== 200) {
            ok = false;
            break;
          }
          for (const row of page.body.results) {
            if (row.workflowId !== 'chaos-isolate' || reviewed.get(row.id) === 'done' || inFlight.has(row.id) || inFlight.size >= 16) continue;
            inFlight.add(row.id);
            void resumeOne(row.id).finally(() => inFlight.delete(row.id));
          }
          cursor = page.body.nextCursor;
        } while (cursor);
        failures = ok ? 0 : failures + 1;
        await sleep(ok ? 250 : backoff(failures));
      }
      while (inFlight.size > 0) await sleep(50);
    })();

    // ---------- the supervisor: kill -9 a worker every 2 s; Redis restarted once, stopped 10 s once ----------
    let chaos = true;
    const alive = () => sys.workers.filter((w) => w.exitCode === null && w.signalCode === null);
    const watch = (w: ChildProcess) =>
      w.once('exit', (code, signal) => {
        if (!killed.has(w) && !finished) result.workerExits.push(`worker ${w.pid} exited by itself: code ${code} signal ${signal}`);
      });
    sys.workers.forEach(watch);
    // The API must live through it all.
    sys.api.once('exit', (code, signal) => {
      if (finished) return;
      const lines = sys.output.filter((l) => l.startsWith(`[api ${sys.api.pid}]`)).slice(-30);
      result.apiExits.push(`the API exited at ${at()}: code ${code} signal ${signal}; its last output:\n${lines.join('')}`);
      log(result.apiExits.at(-1)!);
    });
    const killer = (async () => {
      let i = 0;
      while (chaos) {
        await sleep(o.killEveryMs);
        if (!chaos) break;
        const candidates = alive();
        const victim = candidates[Math.floor(Math.random() * candidates.length)];
        if (victim) {
          killed.add(victim);
          victim.kill('SIGKILL');
          result.kills++;
          timeline.push(`${at()} kill -9 worker ${victim.pid}`);
        }
        // Every other replacement runs one job per step: both modes crash and take over each other's work.
        watch(sys.startWorker(i++ % 2 ? { FLOWGATE_CHAIN_STEPS: '0' } : {}));
      }
    })();
    const redisChaos = (async () => {
      await sleep(Math.max(0, sendStart + o.windowMs * 0.3 - Date.now()));
      log(`soak: restarting Redis (SIGTERM, then start on the same data) at ${Math.round((Date.now() - t0) / 1000)} s`);
      timeline.push(`${at()} Redis SIGTERM (restart)`);
      await redis.restart();
      timeline.push(`${at()} Redis answers again`);
      result.restarts++;
      await sleep(Math.max(0, sendStart + o.windowMs * 0.6 - Date.now()));
      log(`soak: stopping Redis for ${o.outageMs / 1000} s at ${Math.round((Date.now() - t0) / 1000)} s`);
      timeline.push(`${at()} Redis SIGTERM (outage)`);
      await redis.halt();
      timeline.push(`${at()} Redis stopped`);
      const downAt = Date.now();
      result.outages++;
      // What the API answers meanwhile: 503 (redis_unavailable), at once.
      while (Date.now() - downAt < o.outageMs - 500) {
        const r = await call(sys, 'GET', '/api/health', { key: null });
        const k = `${r.status} ${r.body?.error?.code ?? r.body?.redis ?? ''}`.trim();
        result.outageApiAnswers[k] = (result.outageApiAnswers[k] ?? 0) + 1;
        await sleep(500);
      }
      await sleep(Math.max(0, o.outageMs - (Date.now() - downAt)));
      await redis.start();
      timeline.push(`${at()} Redis answers again`);
      log(`soak: Redis back at ${Math.round((Date.now() - t0) / 1000)} s`);
    })();

    const progress = setInterval(() => {
      const answered = [...reviewed.values()].filter((v) => v === 'done').length;
      log(`soak: ${Math.round((Date.now() - t0) / 1000)} s: ${accepted.size} alerts accepted, ${answered} answered, ${result.kills} kills, ${recorder.deliveries.length} http deliveries`);
    }, 30_000);
    await sender;
    await redisChaos;
    log(`soak: ${accepted.size} alerts accepted at ${Math.round((Date.now() - t0) / 1000)} s`);
    // Answer every waiting execution of the accepted alerts, then stop the chaos.
    const mainIds = () => [...accepted.values()].flat().filter((e) => e.workflowId === 'chaos-isolate').map((e) => e.executionId);
    const reviewDeadline = Date.now() + Math.max(120_000, o.windowMs);
    while ([...mainIds()].some((id) => reviewed.get(id) !== 'done') && Date.now() < reviewDeadline) await sleep(250);
    chaos = false;
    clearInterval(progress);
    await killer;
    log(`soak: chaos stopped at ${Math.round((Date.now() - t0) / 1000)} s (${result.kills} kills); settling`);

    // ---------- settle: every accepted execution ends ----------
    const allIds = [...accepted.values()].flat().map((e) => e.executionId);
    const settleDeadline = Date.now() + o.settleMs;
    let views = new Map<string, any>();
    const fetchViews = async (ids: string[]) => {
      const out = new Map<string, any>();
      for (let i = 0; i < ids.length; i += 32) {
        const batch = await Promise.all(ids.slice(i, i + 32).map(async (id) => [id, await call(sys, 'GET', `/api/workflowExecutions/${id}`)] as const));
        for (const [id, r] of batch) out.set(id, r.status === 200 ? r.body : { status: `HTTP ${r.status}` });
      }
      return out;
    };
    for (;;) {
      views = await fetchViews(allIds);
      const moving = [...views.values()].filter((e) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(e.status));
      if (moving.length === 0 || Date.now() > settleDeadline) break;
      await sleep(1000);
    }
    // The reviewer stops (its answers in flight finish), then the state is read once more, still.
    reviewing = false;
    await reviewer;
    await sleep(1500);
    views = await fetchViews(allIds);
    log(`soak: settled at ${Math.round((Date.now() - t0) / 1000)} s`);

    // ---------- checks ----------
    result.alertsAccepted = accepted.size;
    result.executions = allIds.length;
    for (const e of views.values()) result.statuses[e.status] = (result.statuses[e.status] ?? 0) + 1;
    for (const [n, executions] of accepted) {
      const want = isHigh(n) ? ['chaos-audit', 'chaos-isolate'] : ['chaos-isolate'];
      const got = executions.map((e) => e.workflowId).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) result.lost.push(`alert ${n}: the 202 named ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
    for (let n = 0; n < o.alerts; n++) if (!accepted.has(n)) result.lost.push(`alert ${n}: never accepted`);
    const byKey = new Map<string, Delivery[]>();
    for (const d of recorder.deliveries) {
      const list = byKey.get(d.key) ?? [];
      list.push(d);
      byKey.set(d.key, list);
    }
    for (const [id, e] of views) {
      if (['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT'].includes(e.status)) {
        result.stuck.push(`${id}: ${e.status} at ${JSON.stringify((e.steps ?? []).filter((s: any) => s.status !== 'COMPLETED').map((s: any) => [s.path, s.status, s.attempts]))}`);
        continue;
      }
      if (e.status !== 'COMPLETED') {
        result.lost.push(`${id} (${e.workflowId}): ${e.status} ${JSON.stringify(e.error ?? e.cancellation ?? '')}`);
        continue;
      }
      // Each step recorded once, in order, COMPLETED, with sensible attempts.
      const steps: any[] = e.steps;
      const want = e.workflowId === 'chaos-isolate' ? MAIN_STEPS : AUDIT_STEPS;
      const paths = steps.map((s) => s.path);
      if (JSON.stringify(paths) !== JSON.stringify(want)) result.stepProblems.push(`${id}: steps ${JSON.stringify(paths)}`);
      for (const s of steps) {
        const maxAttempts = s.path === 'isolate' ? 5 : 1;
        result.stepAttempts[`${s.path} × ${s.attempts}`] = (result.stepAttempts[`${s.path} × ${s.attempts}`] ?? 0) + 1;
        if (s.status !== 'COMPLETED' || !(s.attempts >= 1 && s.attempts <= maxAttempts) || !s.startedAt || !s.finishedAt) {
          result.stepProblems.push(`${id}: ${s.path} ${s.status} attempts ${s.attempts} ${s.startedAt} ${s.finishedAt}`);
        }
      }
      if (e.workflowId !== 'chaos-isolate') continue;
      const review = steps.find((s) => s.path === 'review');
      const accepts = (review?.responses ?? []).filter((r: any) => r.accepted);
      const refusals = (review?.responses ?? []).filter((r: any) => !r.accepted);
      const by = KEY_NAMES[reviewerFor(id)];
      if (review?.respondedBy !== by || review?.output?.decision !== decisionFor(id) || accepts.length !== 1 || accepts[0].by !== by) {
        result.stepProblems.push(`${id}: review ${JSON.stringify(review)}`);
      }
      // The only refusals: the 409s of retries whose earlier attempt had been applied.
      if (refusals.length !== (lostAnswers.get(id) ?? 0) || refusals.some((r: any) => r.code !== 409)) result.stepProblems.push(`${id}: review refusals ${JSON.stringify(refusals)}, lost answers ${lostAnswers.get(id) ?? 0}`);
      // The http step: delivered at least once, always with this step's one key, the committed output from one of them.
      const key = `${id}:isolate`;
      const mine = recorder.deliveries.filter((d) => d.execution === id);
      const keys = [...new Set(mine.map((d) => d.key))];
      if (JSON.stringify(keys) !== JSON.stringify([key])) result.deliveryProblems.push(`${id}: delivered with keys ${JSON.stringify(keys)}`);
      const note = steps.find((s) => s.path === 'note');
      if (!mine.some((d) => d.delivery === note?.output?.delivery)) result.deliveryProblems.push(`${id}: committed delivery ${note?.output?.delivery} is none of ${JSON.stringify(mine.map((d) => d.delivery))}`);
    }
    result.deliveries = recorder.deliveries.length;
    for (const [key, list] of byKey) {
      if (list.length > 1) {
        result.repeatedKeys++;
        result.repeats += list.length - 1;
      }
      const id = key.split(':')[0];
      if (!views.has(id)) result.deliveryProblems.push(`a delivery for an execution no alert was answered 202 for: ${key} × ${list.length}`);
    }

    // Nothing started twice: every execution in Redis was named by a 202, one per alert and workflow.
    const client = redis.client();
    const known = new Set(allIds);
    const everything = new Map(views);
    for (const wf of ['chaos-isolate', 'chaos-audit']) {
      const orphans = (await client.zrange(`fg:x:wf:${wf}`, 0, -1)).filter((id) => !known.has(id));
      for (const [id, e] of await fetchViews(orphans)) {
        everything.set(id, e);
        const n = e.event?.alerts?.[0]?.n;
        result.doubleStarted.push(`${wf} ${id}: not named by any 202 (alert ${n}, ${e.status}, created ${((Date.parse(e.createdAt) - t0) / 1000).toFixed(2)}s; the alert's sends: ${(history.get(n) ?? []).join(' | ')})`);
      }
    }
    // The status indexes agree with the executions: each listed once, under its status. An entry a
    // crash (or two processes' index updates landing in the other order) left wrong is put right by
    // the reconciler within two passes: checked for up to 5 s, statuses read again each time.
    const ids = [...everything.keys()];
    for (let round = 0; ; round++) {
      await sleep(1000);
      for (let i = 0; i < ids.length; i += 500) {
        const statuses = await Promise.all(ids.slice(i, i + 500).map((id) => client.hget(`fg:{${id}}:e`, 'status')));
        statuses.forEach((status, j) => everything.set(ids[i + j], { ...everything.get(ids[i + j]), status }));
      }
      const problems: string[] = [];
      for (const status of ['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT', 'COMPLETED', 'FAILED', 'CANCELLED']) {
        const listed = new Set(await client.zrange(`fg:x:st:${status}`, 0, -1));
        const are = [...everything].filter(([, e]) => e.status === status).map(([id]) => id);
        const missing = are.filter((id) => !listed.has(id));
        const extra = [...listed].filter((id) => everything.get(id)?.status !== status);
        if (missing.length || extra.length) problems.push(`${status}: ${missing.length} not listed (${missing.slice(0, 3).join(', ')}), ${extra.length} listed but not ${status} (${extra.slice(0, 3).join(', ')})`);
      }
      if (problems.length === 0 || round === 4) {
        result.indexProblems = problems;
        if (problems.length > 0) result.evidence.push(...(await indexEvidence(client, everything, t0, timeline)));
        break;
      }
    }
    result.elapsedMs = Date.now() - t0;
    finished = true;
    return result;
  } finally {
    await sys.stop();
    await redis.stop();
    await recorder.close();
  }
}

/**
 * For each execution the status indexes do not list under its status: where Redis lists it, its
 * record's times, its steps' times, and what the chaos did in the 3 s around its transitions.
 */
async function indexEvidence(client: IORedis, everything: Map<string, any>, t0: number, timeline: string[]): Promise<string[]> {
  const out: string[] = [];
  const statuses = ['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT', 'COMPLETED', 'FAILED', 'CANCELLED'];
  for (const [id, e] of everything) {
    const where: string[] = [];
    for (const st of statuses) if ((await client.zscore(`fg:x:st:${st}`, id)) !== null) where.push(st);
    if (where.length === 1 && where[0] === e.status) continue;
    const fin = await client.zscore('fg:x:fin', id);
    const rel = (t: string | number | null | undefined) => (t ? `${((Number(typeof t === 'string' ? Date.parse(t) : t) - t0) / 1000).toFixed(2)}s` : '-');
    const steps = (e.steps ?? []).map((s: any) => `${s.path} ${rel(s.startedAt)}..${rel(s.finishedAt)}${s.respondedAt ? ` answered ${rel(s.respondedAt)}` : ''}`);
    const times = [e.createdAt, ...(e.steps ?? []).flatMap((s: any) => [s.startedAt, s.finishedAt, s.respondedAt])].filter(Boolean).map((t: string) => (Date.parse(t) - t0) / 1000);
    const near = timeline.filter((line) => times.some((t) => Math.abs(parseFloat(line) - t) < 3));
    out.push(`${id}: ${e.status} (rev ${await client.hget(`fg:{${id}}:e`, 'rev')}), listed under [${where.join(', ')}], finish-time index ${fin === null ? 'NO' : 'yes'}; created ${rel(e.createdAt)}; ${steps.join('; ')}; chaos around: ${near.join('; ') || 'none'}`);
  }
  return out;
}

/** The figures as a Markdown table (docs/reliability.md shows the long run's). */
export function soakTable(r: SoakResult): string {
  const rows: [string, string | number][] = [
    ['alerts sent / accepted (202)', `${r.options.alerts} / ${r.alertsAccepted}`],
    ['executions (accepted)', r.executions],
    ['worker kills (kill -9)', r.kills],
    ['Redis restarts (SIGTERM + start, AOF)', r.restarts],
    [`Redis outages (${r.options.outageMs / 1000} s)`, r.outages],
    ['lost', r.lost.length],
    ['duplicated (an Idempotency-Key delivered more than once)', `${r.repeatedKeys} keys, ${r.repeats} repeats`],
    ['stuck', r.stuck.length],
    ['started twice (an execution no 202 named)', r.doubleStarted.length],
    ['step records wrong', r.stepProblems.length],
    ['deliveries with another key, or none', r.deliveryProblems.length],
    ['http deliveries', r.deliveries],
    ['alert sends: 503 / 409 / network / replayed 202', `${r.sender.status503} / ${r.sender.status409} / ${r.sender.network} / ${r.sender.replayed}`],
    ['answers: 200 / 409 naming the reviewer after a lost answer / 503 / 429', `${r.reviewer.answered200} / ${r.reviewer.lostButApplied} / ${r.reviewer.status503} / ${r.reviewer.status429}`],
    ['elapsed', `${Math.round(r.elapsedMs / 1000)} s`],
  ];
  return ['| | |', '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

