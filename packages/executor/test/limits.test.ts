/**
 * What bounds the CPU one step can take, on a real redis-server: one render time budget per step
 * (not per string), the item cap of data.map/data.filter, and a job that keeps stalling failing its
 * step with `stalled` instead of being run again forever.
 */
import type IORedis from 'ioredis';
import { builtinRegistry } from '@flowgate/steps';
import { MAX_STALLS, processStepJob } from '../src';
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
afterEach(async () => h.close(true));

const header = 'name: T\ntriggers: [{ type: manual }]\n';

it('the strings of one step share one render time budget: six that each stay under the limit fail the step together', async () => {
  h = new ExecutorHarness(redis);
  // About 0.2 s each on this machine: under the 1 s limit alone, over it together.
  const slow = '"{% for i in (1..600000) %}{% endfor %}x"';
  const fields = Array.from({ length: 6 }, (_, i) => `f${i}: ${slow}`).join(', ');
  const id = await h.start('budget', `${header}steps:\n  - name: heavy\n    type: data.set\n    with: { ${fields} }\n`);
  const { exec, step } = await h.done(id, 20_000);
  expect(exec.status).toBe('FAILED');
  expect(step('heavy')!.error).toMatchObject({ type: 'template_limit', message: expect.stringContaining("the step's templates used up their render time (1000 ms in all)") });
});

it('data.map and data.filter take at most 10,000 items', async () => {
  h = new ExecutorHarness(redis);
  const steps = (type: string, extra: string) => `${header}steps:\n  - name: many\n    type: ${type}\n    items: '\${{ inputs.items }}'\n    with: ${extra}\n`;
  const items = Array.from({ length: 10_001 }, (_, i) => i);
  for (const [type, extra] of [['data.map', '{ fields: { n: "{{ item }}" } }'], ['data.filter', '{ condition: "item > 5" }']]) {
    const id = await h.start(type.replace('.', '-'), steps(type, extra), { inputs: { items } });
    const { exec, step } = await h.done(id);
    expect(exec.status).toBe('FAILED');
    expect(step('many')!.error).toEqual({ type: 'validation_error', message: `${type}: 10001 items, at most 10000` });
    const ok = await h.start(`${type.replace('.', '-')}-ok`, steps(type, extra), { inputs: { items: items.slice(0, 10_000) } });
    expect((await h.done(ok)).exec.status).toBe('COMPLETED');
  }
});

it(`a job delivered again after more than ${MAX_STALLS} stalls fails its step with "stalled" (its on-failure applies) instead of running it again`, async () => {
  // A step whose run never returns, as a worker that dies on a poison alert never would.
  let runs = 0;
  const registry = builtinRegistry().register({
    type: 'console',
    instant: true,
    async run(ctx) {
      if (ctx.input.message === 'poison') {
        runs++;
        return new Promise(() => undefined);
      }
      return { kind: 'output', output: ctx.input.message };
    },
  });
  h = new ExecutorHarness(redis, { registry, chainSteps: 0 });
  await h.pause();
  const yaml = (onFailure: string) => `${header}steps:\n  - name: bad\n    type: console\n    with: { message: poison }${onFailure}\n  - name: next\n    type: console\n    with: { message: after }\n`;
  const failing = await h.start('poison', yaml(''));
  const going = await h.start('poison-continue', yaml('\n    on-failure: { continue: true }'));

  // The delivery after the MAX_STALLS-th stall still runs the step (the worker may have died for another reason).
  void processStepJob(h.rt, { executionId: failing, path: 'bad', attempt: 1 }, h.aborts, { stalls: MAX_STALLS });
  await new Promise((r) => setTimeout(r, 100));
  expect(runs).toBe(1);

  for (const id of [failing, going]) await processStepJob(h.rt, { executionId: id, path: 'bad', attempt: 1 }, h.aborts, { stalls: MAX_STALLS + 1 });
  expect(runs).toBe(1);
  const failed = await h.done(failing);
  expect(failed.exec.status).toBe('FAILED');
  expect(failed.exec.error).toMatchObject({ type: 'stalled', step: 'bad' });
  expect(failed.step('bad')).toMatchObject({ status: 'FAILED', error: { type: 'stalled', message: expect.stringContaining('stalled 4 times') } });
  h.resume();
  const continued = await h.done(going);
  expect(continued.exec.status).toBe('COMPLETED');
  expect(continued.records.map((r) => [r.path, r.status])).toEqual([['bad', 'FAILED'], ['next', 'COMPLETED']]);
});
