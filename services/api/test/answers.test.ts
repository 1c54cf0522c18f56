/**
 * Answer attempts stay bounded (docs/api.md "Executions"): refused attempts are rate-limited per key
 * (429 with Retry-After, not recorded), and an execution keeps its latest 100 attempts while each
 * wait counts them all. Real API process, real redis-server.
 */
import { RefusalLimiter, REFUSALS_PER_MINUTE } from '../src/refusals';
import { System, gateWorkflow, uid, waitingExecution } from './util';

let sys: System;
beforeAll(async () => {
  sys = await System.start({ workers: 1 });
}, 60_000);
afterAll(async () => sys?.stop());

const review = (id: string, key: 'reviewer' | 'reviewer2', body: unknown) => sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key, body });

it(`after ${REFUSALS_PER_MINUTE} refused answers to one execution in a minute a key gets 429 there with Retry-After, unrecorded; another key still answers`, async () => {
  const wf = uid('refusals');
  await sys.putWorkflow(wf, gateWorkflow('Refusals'));
  const id = await waitingExecution(sys, wf);
  for (let i = 0; i < REFUSALS_PER_MINUTE; i++) {
    const r = await review(id, 'reviewer', i % 2 ? { approved: 'yes' } : { notes: 'missing approved' });
    expect(r.status).toBe(400);
  }
  const throttled = await review(id, 'reviewer', { approved: true });
  expect(throttled.status).toBe(429);
  expect(throttled.body.error.code).toBe('rate_limited');
  expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);

  const wait = (await sys.request('GET', `/api/workflowExecutions/${id}`, { key: 'viewer' })).body.steps.find((s: any) => s.name === 'review');
  expect(wait.responseCount).toBe(REFUSALS_PER_MINUTE);
  expect(wait.responses).toHaveLength(REFUSALS_PER_MINUTE);
  expect(wait.status).toBe('WAITING_FOR_INPUT');

  const ok = await review(id, 'reviewer2', { approved: true });
  expect(ok.status).toBe(200);
  const done = await sys.waitForExecution(id);
  expect(done.steps.find((s: any) => s.name === 'review')).toMatchObject({ status: 'COMPLETED', responseCount: REFUSALS_PER_MINUTE + 1 });
});

it('RefusalLimiter: a sliding minute per key and execution, at most maxKeys pairs tracked', () => {
  let now = 0;
  const limiter = new RefusalLimiter(3, () => now, 2);
  for (let i = 0; i < 3; i++) {
    expect(limiter.retryAfter('a', 'e1')).toBe(0);
    limiter.note('a', 'e1');
    now += 10_000;
  }
  expect(limiter.retryAfter('a', 'e1')).toBe(30); // the first refusal (t=0) leaves the window at t=60 s
  expect(limiter.retryAfter('a', 'e2')).toBe(0); // another execution: not throttled
  expect(limiter.retryAfter('b', 'e1')).toBe(0); // another key: not throttled
  now = 60_001;
  expect(limiter.retryAfter('a', 'e1')).toBe(0);
  limiter.note('b', 'e1');
  limiter.note('c', 'e1'); // ('a', 'e1') is the least recently used of three: forgotten
  limiter.note('a', 'e1');
  expect(limiter.retryAfter('a', 'e1')).toBe(0);
});
