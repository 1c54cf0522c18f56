/**
 * docs/semantics.md "Waiting for a human", "Cancelling" and "Guarantees": an answer racing a cancel
 * has one winner. When the wait is the last step, exactly one of them succeeds: the answer completes
 * the execution (the cancel gets `already_finished`), or the cancel ends it (the answer gets
 * `not_waiting`). When a step follows the wait, an answer that won is followed by that step, which
 * the cancel may still stop; in every case the wait's record, the step after it and the status
 * agree, and no step runs after the cancel.
 *
 * In process: resumeExecution (an API) against cancelExecution (a second API), while a worker polls
 * the execution and runs whatever is queued; FLOWGATE_RACE_TRIALS trials of each shape. Then a few
 * trials through the HTTP API.
 */
import type IORedis from 'ioredis';
import { cancelExecution, processStepJob, resumeExecution } from '@flowgate/executor';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { KEY_NAMES, System } from '../helpers/system';
import { expectIndexes, jitter, judgeResumeCancel, Problems, RaceBench, report, TRIALS } from './race-kit';

const REVIEW = `  - name: prep
    type: console
    with: { message: prep }
  - name: review
    type: waitForInput
    with:
      message: decide
      schema: { type: object, properties: { decision: { type: string } }, required: [decision] }
`;
/** The wait is the last step: an accepted answer completes the execution. */
const LAST = `name: Review last\ntriggers: [{ type: manual }]\nsteps:\n${REVIEW}`;
/** A step follows the wait. */
const NEXT = `name: Review then act\ntriggers: [{ type: manual }]\nsteps:\n${REVIEW}  - name: after\n    type: data.set\n    with: { decided: "\${{ steps.review.output.decision }}" }\n`;

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server?.stop());

describe('resume × cancel, in process', () => {
  let bench: RaceBench;
  beforeAll(async () => {
    bench = await RaceBench.open(server);
    await bench.save('last', LAST);
    await bench.save('next', NEXT);
  });
  afterAll(async () => bench?.close());

  it.each([['last' as const], ['next' as const]])(`an answer and a cancel on one wait (%s step), ${TRIALS} trials`, async (shape) => {
    const problems = new Problems();
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = await bench.start(shape);
      await bench.drive(id);
      let settled = false;
      const polling = bench.driveWhile(id, () => settled);
      const [resume, cancel] = await Promise.all([
        (async () => {
          await jitter();
          return resumeExecution(bench.rt('api'), id, { decision: 'yes' }, 'alice', trial % 2 ? 'review' : undefined);
        })(),
        (async () => {
          await jitter();
          return cancelExecution(bench.rt('api2'), id, { reason: 'user', by: 'carol' });
        })(),
      ]);
      settled = true;
      await polling;
      // A late delivery of the job queued after the wait changes nothing once the execution ended.
      const rev = (await bench.rt('api').executions.load(id))!.rev;
      if (shape === 'next' && resume.ok) await processStepJob(bench.rt('worker'), { executionId: id, path: 'after', attempt: 1 }, bench.aborts);
      const s = await bench.settled(id);
      const out: string[] = [];
      if (s.exec.rev !== rev) out.push(`a late delivery moved rev ${rev} → ${s.exec.rev}`);
      const outcome = judgeResumeCancel(s, resume, cancel, shape, { reason: 'user', by: 'carol' }, out);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      problems.add(trial, id, out);
    }
    report(`resume × cancel (${shape})`, { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, ...Object.fromEntries(outcomes), ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
  }, 60_000);
});

describe('resume × cancel, through the HTTP API', () => {
  let sys: System;
  let redis: IORedis;
  beforeAll(async () => {
    sys = await System.start({ redis: await startRedis(), workers: 1 });
    redis = sys.redis.client();
    await sys.putWorkflow('last', LAST);
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await sys?.redis.stop();
  });

  it('POST .../resume and POST .../cancel at once: one 200, the other 409', async () => {
    const seen = new Map<string, number>();
    for (let trial = 0; trial < 6; trial++) {
      const id = (await sys.request('POST', '/api/workflows/last/run', { body: { inputs: {} } })).body.executionId;
      await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
      const [resume, cancel] = await Promise.all([
        sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { decision: 'yes' } }),
        sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer2' }),
      ]);
      const e = await sys.waitForExecution(id);
      if (resume.status === 200) {
        expect({ cancel: cancel.status, code: cancel.body?.error?.code, status: e.status, review: e.steps[1].status, by: e.steps[1].respondedBy }).toEqual({
          cancel: 409,
          code: 'already_finished',
          status: 'COMPLETED',
          review: 'COMPLETED',
          by: KEY_NAMES.reviewer,
        });
      } else {
        expect({ resume: resume.status, code: resume.body?.error?.code, cancel: cancel.status, status: e.status, review: e.steps[1].status, by: e.cancellation?.by }).toEqual({
          resume: 409,
          code: 'not_waiting',
          cancel: 200,
          status: 'CANCELLED',
          review: 'CANCELLED',
          by: KEY_NAMES.reviewer2,
        });
      }
      expect(e.steps[1].responses.map((r: any) => r.code)).toEqual([resume.status]);
      seen.set(resume.status === 200 ? 'answer won' : 'cancel won', (seen.get(resume.status === 200 ? 'answer won' : 'cancel won') ?? 0) + 1);
    }
    report('resume × cancel (HTTP)', Object.fromEntries(seen));
    await expectIndexes(redis, { COMPLETED: seen.get('answer won') ?? 0, CANCELLED: seen.get('cancel won') ?? 0 });
  }, 60_000);
});
