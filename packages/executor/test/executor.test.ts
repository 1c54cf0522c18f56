/** The executor (start, step jobs, containers, failures, waits, resume, cancel) on a real redis-server. */
import type IORedis from 'ioredis';
import { builtinRegistry } from '@flowgate/steps';
import { rrulePattern } from '@flowgate/queue';
import { cancelExecution, processStepJob, processTimerJob, resumeExecution, runScheduled, startExecutions, syncSchedules } from '../src';
import { validateWorkflow } from '@flowgate/workflow-format';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());
afterEach(async () => h.close());

// Every behaviour holds both when a job runs the instant steps that follow it (the default) and
// when each step is its own job (FLOWGATE_CHAIN_STEPS=0).
describe.each([
  ['instant steps chained in one job', 100],
  ['one job per step', 0],
])('%s', (_mode, chainSteps) => {
  beforeEach(() => {
    h = new ExecutorHarness(redis, { chainSteps });
  });

  const header = 'name: T\ntriggers: [{ type: manual }]\n';

  it('runs steps in order and exposes outputs, variables and consts to later templates', async () => {
    const id = await h.start(
      'basic',
      `${header}consts: { greeting: hi }\nsteps:\n  - name: a\n    type: data.set\n    with: { who: "{{ inputs.who }}", n: "\${{ inputs.n }}" }\n  - name: b\n    type: console\n    with: { message: "{{ consts.greeting }} {{ variables.who }} {{ steps.a.output.n | plus: 1 }}" }\n`,
      { inputs: { who: 'ann', n: 41 } },
    );
    const { exec, step, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(step('a')!.output).toEqual({ who: 'ann', n: 41 });
    expect(step('b')!.output).toBe('hi ann 42');
    expect(exec.variables).toEqual({ who: 'ann', n: 41 });
    expect(records.map((r) => [r.path, r.status, r.attempts])).toEqual([['a', 'COMPLETED', 1], ['b', 'COMPLETED', 1]]);
  });

  it('skips a step whose if is false and runs the next', async () => {
    const id = await h.start('skip', `${header}steps:\n  - name: a\n    type: console\n    if: "inputs.go : yes"\n    with: { message: a }\n  - name: b\n    type: console\n    with: { message: "{{ steps.a.status }}" }\n`, { inputs: { go: 'no' } });
    const { step } = await h.done(id);
    expect(step('a')!.status).toBe('SKIPPED');
    expect(step('b')!.output).toBe('SKIPPED');
  });

  it('runs foreach iterations in order with foreach.item/index/total, then the steps after the loop', async () => {
    const id = await h.start(
      'loop',
      `${header}steps:\n  - name: hosts\n    type: foreach\n    foreach: '\${{ inputs.hosts }}'\n    steps:\n      - name: each\n        type: console\n        with: { message: "{{ foreach.index }}/{{ foreach.total }} {{ foreach.item }}" }\n  - name: after\n    type: console\n    with: { message: "last {{ steps.each.output }}" }\n`,
      { inputs: { hosts: ['a', 'b', 'c'] } },
    );
    const { step, records } = await h.done(id);
    expect(records.map((r) => r.path)).toEqual(['hosts', 'hosts[0]/each', 'hosts[1]/each', 'hosts[2]/each', 'after']);
    expect(step('hosts[1]/each')).toMatchObject({ output: '1/3 b', iteration: 1 });
    expect(step('hosts')).toMatchObject({ status: 'COMPLETED', output: { count: 3 } });
    expect(step('after')!.output).toBe('last 2/3 c');
  });

  it('fails a foreach whose items are not an array', async () => {
    const id = await h.start('badloop', `${header}steps:\n  - name: l\n    type: foreach\n    foreach: "not json"\n    steps:\n      - name: x\n        type: console\n        with: { message: x }\n`);
    const { exec } = await h.done(id);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toMatchObject({ step: 'l', message: expect.stringContaining('foreach: expected an array') });
  });

  it('routes a switch to the matching case, or the default', async () => {
    const yaml = `${header}steps:\n  - name: route\n    type: switch\n    expression: " {{ inputs.kind }} "\n    cases:\n      - match: a\n        steps:\n          - name: ca\n            type: console\n            with: { message: A }\n    default:\n      - name: other\n        type: console\n        with: { message: other }\n`;
    const a = await h.done(await h.start('sw', yaml, { inputs: { kind: 'a' } }));
    expect(a.records.map((r) => r.path)).toEqual(['route', 'route/ca']);
    expect(a.step('route')!.output).toEqual({ match: 'a' });
    const b = await h.done(await h.start('sw', yaml, { inputs: { kind: 'zzz' } }));
    expect(b.records.map((r) => r.path)).toEqual(['route', 'route/other']);
  });

  it('runs a fallback after the failure, keeps the step FAILED, and continues under continue: true', async () => {
    const id = await h.start(
      'fb',
      `${header}steps:\n  - name: boom\n    type: data.parseJson\n    source: "not json"\n    on-failure:\n      fallback:\n        - name: rescue\n          type: console\n          with: { message: "rescued: {{ steps.boom.error.message }}" }\n      continue: true\n  - name: after\n    type: console\n    with: { message: "after {{ steps.boom.status }}" }\n`,
    );
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(step('boom')).toMatchObject({ status: 'FAILED', output: null, error: { type: 'validation_error' } });
    expect(step('boom/fallback/rescue')!.output).toContain('rescued: data.parseJson: source is not JSON');
    expect(step('after')!.output).toBe('after FAILED');
  });

  it('fails the execution after the fallback when continue is not set', async () => {
    const id = await h.start('fb2', `${header}steps:\n  - name: boom\n    type: data.parseJson\n    source: "{"\n    on-failure:\n      fallback:\n        - name: rescue\n          type: console\n          with: { message: r }\n  - name: after\n    type: console\n    with: { message: never }\n`);
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toMatchObject({ type: 'validation_error', step: 'boom' });
    expect(step('boom/fallback/rescue')!.status).toBe('COMPLETED');
    expect(step('after')).toBeUndefined();
  });

  it('workflow.fail ends the execution FAILED with its message', async () => {
    const id = await h.start('wf', `${header}settings:\n  on-failure: { continue: true }\nsteps:\n  - name: stop\n    type: workflow.fail\n    with: { message: "bad {{ inputs.x }}" }\n  - name: never\n    type: console\n    with: { message: x }\n`, { inputs: { x: 1 } });
    const { exec } = await h.done(id);
    expect(exec).toMatchObject({ status: 'FAILED', error: { type: 'workflow_fail', message: 'bad 1', step: 'stop' } });
  });

  it('a wait step parks the execution as WAITING with a delayed job, then completes', async () => {
    const id = await h.start('wait', `${header}steps:\n  - name: nap\n    type: wait\n    with: { duration: 300ms }\n  - name: after\n    type: console\n    with: { message: awake }\n`);
    const waiting = await h.until(id, (s) => s === 'WAITING');
    expect(waiting.step('nap')!.status).toBe('WAITING');
    expect(await h.rt.queues.steps.getJobCounts('waiting', 'active')).toMatchObject({ waiting: 0, active: 0 });
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(step('nap')!.output).toEqual({});
  });

  it('fails a step whose output is over max-step-size (not retryable)', async () => {
    const id = await h.start('size', `${header}settings:\n  max-step-size: 1kb\n  on-failure: { retry: { max-attempts: 3, delay: 10ms } }\nsteps:\n  - name: big\n    type: data.set\n    with: { blob: "{% for i in (1..200) %}xxxxxxxxxx{% endfor %}" }\n`);
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('FAILED');
    expect(step('big')).toMatchObject({ attempts: 1, error: { type: 'size_exceeded' } });
  });

  it('waits for input, validates, resumes exactly once, and records who answered', async () => {
    const id = await h.start('hitl', `${header}steps:\n  - name: review\n    type: waitForApproval\n    with: { message: "## Approve {{ inputs.host }}?" }\n  - name: after\n    type: console\n    with: { message: "{{ steps.review.output.approved }} by {{ steps.review.respondedBy }}" }\n`, { inputs: { host: 'h1' } });
    const waiting = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(waiting.exec.waitingFor).toMatchObject({ step: 'review', message: '## Approve h1?', approveLabel: 'Approve', rejectLabel: 'Decline' });
    expect(await resumeExecution(h.rt, id, { approved: 'yes' }, 'bob')).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await resumeExecution(h.rt, id, { approved: true, extra: 1 }, 'bob')).toMatchObject({ ok: false, code: 'validation_failed', errors: [{ path: '/extra', keyword: 'additionalProperties' }] });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => resumeExecution(h.rt, id, { approved: true }, `r${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = (results.findIndex((r) => r.ok) + 1).toString();
    const { exec, step, responses } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(step('after')!.output).toBe(`true by r${winner}`);
    const codes = responses.get('review')!.map((r) => Number(r.code));
    expect(codes.slice(0, 2)).toEqual([400, 400]);
    expect(codes.slice(2).sort()).toEqual([200, 409, 409, 409, 409]);
  });

  it('cancel aborts a waiting execution; a timed-out wait step fails the execution', async () => {
    const id = await h.start('cx', `${header}steps:\n  - name: review\n    type: waitForInput\n    with: { message: m }\n`);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(await cancelExecution(h.rt, id, { reason: 'user', by: 'carol' })).toEqual({ ok: true, status: 'CANCELLED' });
    expect(await cancelExecution(h.rt, id, { reason: 'user', by: 'carol' })).toEqual({ ok: false, code: 'already_finished', status: 'CANCELLED' });
    const c = await h.done(id);
    expect(c.exec.cancellation).toMatchObject({ reason: 'user', by: 'carol' });
    expect(c.step('review')!.status).toBe('CANCELLED');

    const t = await h.start('to', `${header}steps:\n  - name: review\n    type: waitForInput\n    timeout: 200ms\n    with: { message: m }\n`);
    const timedOut = await h.done(t);
    expect(timedOut.exec).toMatchObject({ status: 'FAILED', error: { type: 'timeout', step: 'review' } });
  });

  it('settings.timeout cancels the execution with reason timeout', async () => {
    const id = await h.start('st', `${header}settings: { timeout: 300ms }\nsteps:\n  - name: review\n    type: waitForInput\n    with: { message: m }\n`);
    const { exec } = await h.done(id);
    expect(exec).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'timeout', by: 'system' } });
  });

  it('keeps one BullMQ job scheduler per scheduled trigger while the workflow is enabled, and runs it as "schedule"', async () => {
    const yaml = `name: Nightly\ntriggers:\n  - type: scheduled\n    with: { every: 5m }\n  - type: scheduled\n    with: { cron: "30 2 * * *", timezone: Europe/Paris }\n  - type: scheduled\n    with:\n      rrule: { freq: WEEKLY, interval: 1, tzid: UTC, byhour: [9], byminute: [15], byweekday: [MO, FR] }\nsteps:\n  - name: a\n    type: console\n    with: { message: "{{ execution.triggeredBy }}" }\n`;
    const version = await h.save('nightly', yaml);
    const { definition } = await h.rt.definitions.get(version);
    await syncSchedules(h.rt, 'nightly', definition);
    const schedulers = await h.rt.queues.timers.getJobSchedulers(0, -1, true);
    expect(schedulers.map((s) => [s.key, s.every ?? null, s.pattern ?? null, s.tz ?? null])).toEqual([
      ['sched#nightly#0', 300000, null, null],
      ['sched#nightly#1', null, '30 2 * * *', 'Europe/Paris'],
      ['sched#nightly#2', null, 'DTSTART:20240101T000000Z\nRRULE:FREQ=WEEKLY;INTERVAL=1;BYHOUR=9;BYMINUTE=15;BYDAY=MO,FR', 'UTC'],
    ]);
    await syncSchedules(h.rt, 'nightly', { ...definition, enabled: false });
    expect(await h.rt.queues.timers.getJobSchedulers(0, -1)).toEqual([]);

    const id = (await runScheduled(h.rt, 'nightly'))!;
    const { exec, step } = await h.done(id);
    expect(exec).toMatchObject({ status: 'COMPLETED', trigger: 'scheduled', triggeredBy: 'schedule' });
    expect(step('a')!.output).toBe('schedule');
    expect(rrulePattern({ freq: 'DAILY', interval: 2, byhour: 6 }, 'UTC')).toBe('DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY;INTERVAL=2;BYHOUR=6');
    expect(rrulePattern({ freq: 'MONTHLY', bymonthday: [1, 15], byhour: [8], byminute: [0] }, 'UTC')).toBe('DTSTART:20240101T000000Z\nRRULE:FREQ=MONTHLY;INTERVAL=1;BYHOUR=8;BYMINUTE=0;BYMONTHDAY=1,15');
  });

  it('a container’s timeout covers its subtree: the running child is cancelled and the execution fails', async () => {
    const id = await h.start(
      'ctimeout',
      `${header}steps:\n  - name: each\n    type: foreach\n    timeout: 300ms\n    foreach: '\${{ inputs.items }}'\n    steps:\n      - name: nap\n        type: wait\n        with: { duration: 5s }\n  - name: after\n    type: console\n    with: { message: never }\n`,
      { inputs: { items: [1, 2] } },
    );
    const { exec, step } = await h.done(id, 5000);
    expect(exec).toMatchObject({ status: 'FAILED', error: { type: 'timeout', step: 'each' } });
    expect(step('each')).toMatchObject({ status: 'FAILED', error: { type: 'timeout' } });
    expect(step('each[0]/nap')!.status).toBe('CANCELLED');
    expect(step('each[1]/nap')).toBeUndefined();
    expect(step('after')).toBeUndefined();
  });

  it('an execution whose first step fails at once still records when it started', async () => {
    const id = await h.start('firstfails', `${header}steps:\n  - name: parse\n    type: data.parseJson\n    source: "not json"\n`);
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('FAILED');
    expect(exec.startedAt).not.toBeNull();
    expect(step('parse')).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(step('parse')!.startedAt).not.toBeNull();
  });

  it('data.map and data.filter take an array or its JSON text, and name a bad items value', async () => {
    const id = await h.start(
      'lists',
      `${header}steps:\n  - name: hosts\n    type: data.map\n    items: "\${{ inputs.hosts }}"\n    with:\n      fields: { name: "{{ item.name }}", n: "{{ index }}" }\n  - name: bad\n    type: data.filter\n    items: "{{ inputs.hosts }}"\n    with: { condition: "item.sev : high" }\n  - name: broken\n    type: data.map\n    items: "{{ inputs.nope }} x"\n    with:\n      fields: { a: "1" }\n`,
      { inputs: { hosts: [{ name: 'a', sev: 'high' }, { name: 'b', sev: 'low' }] } },
    );
    const { exec, step } = await h.done(id);
    expect(step('hosts')!.output).toEqual([{ name: 'a', n: '0' }, { name: 'b', n: '1' }]);
    expect(step('bad')!.output).toEqual([{ name: 'a', sev: 'high' }]);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toMatchObject({ step: 'broken', message: 'data.map: items: expected an array or a JSON array, got the text " x"' });
  });

  it('runs instant steps in one job when chaining is on, one job per step when it is off, each step committed in order', async () => {
    // Each step shows the one before it: a chained step sees the outputs committed before it.
    const steps = ['a', 'b', 'c', 'd', 'e'].map((n, i) => `  - name: ${n}\n    type: console\n    with: { message: "${i === 0 ? 'a' : `{{ steps.${'abcde'[i - 1]}.output }}${n}`}" }`).join('\n');
    const id = await h.start('chain', `${header}steps:\n${steps}\n`);
    const { exec, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(records.map((r) => [r.path, r.status, r.output])).toEqual([['a', 'COMPLETED', 'a'], ['b', 'COMPLETED', 'ab'], ['c', 'COMPLETED', 'abc'], ['d', 'COMPLETED', 'abcd'], ['e', 'COMPLETED', 'abcde']]);
    expect(h.stepJobs).toBe(chainSteps > 0 ? 1 : 5);
  });
});

it('a worker that dies in the middle of a chain loses nothing: the job delivered again enqueues the committed continuation', async () => {
  // The worker running step b "dies" (its handler never returns, as a killed process never would).
  // BullMQ then delivers the job of step a again (stalled); that delivery finds b committed as next
  // with no job of its own, and enqueues it; another worker runs it.
  let calls = 0;
  const registry = builtinRegistry().register({
    type: 'console',
    instant: true,
    async run(ctx) {
      if (ctx.input.message === 'b' && calls++ === 0) return new Promise(() => undefined);
      return { kind: 'output', output: ctx.input.message };
    },
  });
  h = new ExecutorHarness(redis, { registry, chainSteps: 100 });
  const id = await h.start('dies', `${header0}steps:\n  - name: a\n    type: console\n    with: { message: a }\n  - name: b\n    type: console\n    with: { message: b }\n  - name: c\n    type: console\n    with: { message: c }\n`);
  await waitUntil(async () => calls === 1);
  const stuck = await h.rt.executions.loadWithRecords(id);
  expect(stuck.exec!.next).toBe('b#1');
  expect(await h.rt.queues.hasStepJob({ executionId: id, path: 'b', attempt: 1 })).toBe(false);

  await processStepJob(h.rt, { executionId: id, path: 'a', attempt: 1 }, h.aborts);
  const { exec, records } = await h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.map((r) => [r.path, r.status, r.output])).toEqual([['a', 'COMPLETED', 'a'], ['b', 'COMPLETED', 'b'], ['c', 'COMPLETED', 'c']]);
  await h.close(true);
  h = new ExecutorHarness(redis); // for afterEach
});

const header0 = 'name: T\ntriggers: [{ type: manual }]\n';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('starts many executions through one start batch on the timers queue; running it twice starts nothing twice', async () => {
  h = new ExecutorHarness(redis);
  const yaml = `${header0}settings: { timeout: 1h }\nsteps:\n  - name: a\n    type: cases.createCase\n    with: { title: "case {{ inputs.n }}" }\n  - name: b\n    type: console\n    with: { message: "{{ steps.a.output.id }}" }\n`;
  const version = await h.save('many', yaml);
  const definition = validateWorkflow(yaml).definition!;
  const requests = Array.from({ length: 25 }, (_, n) => ({ workflowId: 'many', version, definition, trigger: 'manual' as const, triggeredBy: 'tester', inputs: { n } }));
  await h.pause();
  const before = Date.now();
  const ids = await startExecutions(h.rt, requests);
  // One job on the timers queue, none per execution yet.
  const batch = await h.rt.queues.timers.getJob(`sb#${ids[0]}`);
  expect(batch?.data).toEqual({ kind: 'start', executions: ids.map((id) => [id, 'a', expect.any(Number)]) });
  expect(await h.rt.queues.steps.getJobCounts('waiting', 'delayed', 'paused')).toEqual({ waiting: 0, delayed: 0, paused: 0 });
  h.resume();
  for (const id of ids) {
    const { exec } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
  }
  // Each execution's timeout timer was removed when it completed; the deadline was set at creation.
  const first = (await h.rt.executions.load(ids[0]))!;
  expect(first.deadline! - before).toBeGreaterThanOrEqual(3_600_000);
  expect(first.deadline! - before).toBeLessThan(3_600_000 + 5000);

  // A start batch delivered again (a worker died after queueing part of it) changes nothing.
  await processTimerJob(h.rt, { kind: 'start', executions: ids.map((id) => [id, 'a', first.deadline!]) });
  await new Promise((r) => setTimeout(r, 500));
  const cases = await h.rt.cases.list({ limit: 100 });
  expect(cases.results.length).toBe(25);
  for (const id of ids) {
    const { records } = await h.rt.executions.loadRecords(id);
    expect(records.map((r) => [r.path, r.status, r.attempts])).toEqual([['a', 'COMPLETED', 1], ['b', 'COMPLETED', 1]]);
  }
});
