/**
 * Kibana 9.5's wait-step contract through the real executor on a real redis-server: the answer at
 * `output.response` (and 9.4's `output.<field>`), an `on-timeout` outcome instead of a failure, the
 * step's timeout failing the step, and no step timer when settings.timeout ends the wait first.
 * Timeouts are short overrides (`timeout: 1s`); the 72 h / 24 h defaults are tested in workflow-format.
 */
import type IORedis from 'ioredis';
import { jobIds } from '@flowgate/queue';
import { resumeExecution } from '../src';
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
beforeEach(() => {
  h = new ExecutorHarness(redis, {});
});
afterEach(async () => h.close());

const header = 'name: T\ntriggers: [{ type: manual }]\n';

describe("a wait's answer", () => {
  it("runs Kibana 9.5's example (output.response.approved) and 9.4's (output.approved) unchanged", async () => {
    const yaml = `${header}steps:
  - name: review
    type: waitForApproval
    with: { message: "Isolate?" }
  - name: isolate95
    type: data.set
    if: "steps.review.output.response.approved : true"
    with: { by: "{{ steps.review.output.respondedBy }}", notes: "{{ steps.review.output.response.notes }}" }
  - name: isolate94
    type: data.set
    if: "steps.review.output.approved : true"
    with: { ok: true }
`;
    const id = await h.start('k95', yaml);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(await resumeExecution(h.rt, id, { approved: true, notes: 'go' }, 'alice')).toMatchObject({ ok: true });
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(step('review')!.output).toEqual({ approved: true, notes: 'go' }); // the record keeps the answer exactly as sent
    expect(step('isolate95')).toMatchObject({ status: 'COMPLETED', output: { by: 'alice', notes: 'go' } });
    expect(step('isolate94')!.status).toBe('COMPLETED');
  });
});

describe('timeouts', () => {
  it('take the on-timeout outcome, marked timedOut, and go on', async () => {
    const yaml = `${header}steps:
  - name: ask
    type: waitForInput
    timeout: 1s
    on-timeout:
      outcome: { action: monitor }
    with:
      schema: { type: object, properties: { action: { type: string, enum: [block, monitor] } }, required: [action] }
  - name: after
    type: data.set
    with: { action: "{{ steps.ask.output.response.action }}", timedOut: "\${{ steps.ask.output.timedOut }}" }
`;
    const id = await h.start('outcome', yaml);
    const waiting = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(waiting.exec.waitingFor).toMatchObject({ onDeadline: 'fail', deadline: waiting.exec.waitingFor!.since + 1000 });
    const { exec, step } = await h.done(id, 15_000);
    expect(exec.status).toBe('COMPLETED');
    expect(step('ask')).toMatchObject({ status: 'COMPLETED', output: { action: 'monitor', timedOut: true } });
    expect(step('after')!.output).toEqual({ action: 'monitor', timedOut: true });
    // A late answer finds the wait over.
    expect(await resumeExecution(h.rt, id, { action: 'block' }, 'bob')).toMatchObject({ ok: false, code: 'not_waiting' });
  });

  it("fail the step without on-timeout (error type timeout), so its on-failure applies", async () => {
    const yaml = `${header}steps:
  - name: ask
    type: waitForApproval
    timeout: 1s
    on-failure: { continue: true }
  - name: after
    type: data.set
    with: { error: "{{ steps.ask.error.type }}" }
`;
    const id = await h.start('fails', yaml);
    const { exec, step } = await h.done(id, 15_000);
    expect(exec.status).toBe('COMPLETED');
    expect(step('ask')).toMatchObject({ status: 'FAILED', error: { type: 'timeout' } });
    expect(step('after')!.output).toEqual({ error: 'timeout' });
  });

  it('time a waitForInput without timeout out after 72 h: its timer is 72 h away, and fires it (promoted: no real waiting)', async () => {
    const id = await h.start('default-72h', `${header}steps:\n  - name: ask\n    type: waitForInput\n    with: { message: "?" }\n`);
    const waiting = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(waiting.exec.waitingFor).toMatchObject({ onDeadline: 'fail', deadline: waiting.exec.waitingFor!.since + 72 * 3_600_000 });
    const job = await h.rt.queues.timers.getJob(jobIds.stepTimeout(id, 'ask', 1));
    expect(job!.opts.delay).toBe(72 * 3_600_000);
    await job!.promote(); // what 72 hours later looks like to the queue
    const { exec, step } = await h.done(id, 15_000);
    expect(exec.status).toBe('FAILED');
    expect(step('ask')).toMatchObject({ status: 'FAILED', error: { type: 'timeout' } });
  });

  it('add no step timer when settings.timeout ends the wait first (the default 24 h vs 1 h)', async () => {
    const id = await h.start('settings-first', `${header}settings: { timeout: 1h }\nsteps:\n  - name: ask\n    type: waitForApproval\n`);
    const waiting = await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(waiting.exec.waitingFor!.onDeadline).toBeUndefined(); // stored only when the step's own timeout is earlier
    expect(await h.rt.queues.hasTimer(jobIds.stepTimeout(id, 'ask', 1))).toBe(false);
    const own = await h.start('step-first', `${header}settings: { timeout: 30h }\nsteps:\n  - name: ask\n    type: waitForApproval\n`);
    await h.until(own, (s) => s === 'WAITING_FOR_INPUT');
    expect(await h.rt.queues.hasTimer(jobIds.stepTimeout(own, 'ask', 1))).toBe(true);
  });
});
