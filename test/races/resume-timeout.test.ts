/**
 * docs/semantics.md "Timeouts" and "Guarantees": an answer racing a timeout has one winner, for both
 * timeouts a wait can meet:
 * - its own `timeout` (the delayed job `st#<id>#review#1`, run here by calling processTimerJob with a
 *   `step-timeout` job): the answer wins (the next step runs, the timer is removed) or the step fails
 *   with `timeout` (the answer gets `not_waiting`);
 * - `settings.timeout` (the job `t#<id>`, an `execution-timeout`): the answer wins or the execution is
 *   cancelled with reason `timeout`; when a step follows the wait, an answer that won may still see
 *   that step cancelled, since the execution's deadline covers it too.
 *
 * In process: resumeExecution (an API) against processTimerJob (a worker), while another worker polls
 * the execution and runs whatever is queued; FLOWGATE_RACE_TRIALS trials of each. Then a few trials
 * through the HTTP API with real timers: answers sent around the deadline, losers get 409.
 */
import { jobIds } from '@flowgate/queue';
import { processTimerJob, resumeExecution, type CancelResult, type ResumeResult } from '@flowgate/executor';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { System, type KEYS } from '../helpers/system';
import { expectIndexes, invariantProblems, jitter, judgeResumeCancel, Problems, RaceBench, report, responseCodes, stepStatuses, TRIALS } from './race-kit';

const wait = (timeout: string) => `  - name: prep
    type: console
    with: { message: prep }
  - name: review
    type: waitForInput${timeout ? `\n    timeout: ${timeout}` : ''}
    with:
      message: decide
      schema: { type: object, properties: { decision: { type: string } }, required: [decision] }
`;
const AFTER = `  - name: after\n    type: data.set\n    with: { decided: "\${{ steps.review.output.decision }}" }\n`;
const header = (name: string, settings = '') => `name: ${name}\ntriggers: [{ type: manual }]\n${settings}steps:\n`;

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server?.stop());

describe('resume × timeout, in process', () => {
  let bench: RaceBench;
  beforeAll(async () => {
    bench = await RaceBench.open(server);
    // Timers far in the future: the test fires them itself, at the moment it chooses.
    await bench.save('own', header('Own timeout') + wait('1h') + AFTER);
    await bench.save('deadline-last', header('Deadline, wait last', 'settings: { timeout: 1h }\n') + wait(''));
    await bench.save('deadline-next', header('Deadline, step after', 'settings: { timeout: 1h }\n') + wait('') + AFTER);
  });
  afterAll(async () => bench?.close());

  /** Races an answer against a timer job on a fresh waiting execution; answers what they left. */
  async function race(workflowId: string, timer: (id: string) => Parameters<typeof processTimerJob>[1], trial: number) {
    const id = await bench.start(workflowId);
    await bench.drive(id);
    let settled = false;
    const polling = bench.driveWhile(id, () => settled);
    const [resume] = await Promise.all([
      (async (): Promise<ResumeResult> => {
        await jitter();
        return resumeExecution(bench.rt('api'), id, { decision: 'yes' }, 'alice', trial % 2 ? 'review' : undefined);
      })(),
      (async () => {
        await jitter();
        await processTimerJob(bench.rt('worker'), timer(id));
      })(),
    ]);
    settled = true;
    await polling;
    return { id, resume, s: await bench.settled(id) };
  }

  it(`an answer and the wait's own timeout (step-timeout job), ${TRIALS} trials`, async () => {
    const problems = new Problems();
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    for (let trial = 0; trial < TRIALS; trial++) {
      const { id, resume, s } = await race('own', (executionId) => ({ kind: 'step-timeout', executionId, path: 'review', attempt: 1 }), trial);
      const out = invariantProblems(s);
      const review = s.step('review');
      if (resume.ok) {
        outcomes.set('answer won', (outcomes.get('answer won') ?? 0) + 1);
        if (s.exec.status !== 'COMPLETED' || JSON.stringify(stepStatuses(s)) !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'COMPLETED']])) out.push(`${s.exec.status} ${JSON.stringify(stepStatuses(s))}`);
        if (review?.respondedBy !== 'alice' || review.error) out.push(`review ${JSON.stringify(review)}`);
        if (JSON.stringify(s.step('after')?.output) !== '{"decided":"yes"}') out.push(`after ${JSON.stringify(s.step('after'))}`);
        if (JSON.stringify(responseCodes(s, 'review')) !== '["alice:200"]') out.push(`responses ${JSON.stringify(responseCodes(s, 'review'))}`);
        // The accepted answer removed the wait's timer.
        if (await bench.rt('api').queues.hasTimer(jobIds.stepTimeout(id, 'review', 1))) out.push('the wait’s timeout timer is still queued');
      } else {
        outcomes.set('timeout won', (outcomes.get('timeout won') ?? 0) + 1);
        const want = { ok: false, code: 'not_waiting', status: 'FAILED', step: 'review', respondedBy: null, respondedAt: null };
        if (JSON.stringify(resume) !== JSON.stringify(want)) out.push(`the answer lost with ${JSON.stringify(resume)}`);
        if (s.exec.status !== 'FAILED' || s.exec.error?.type !== 'timeout' || s.exec.error?.step !== 'review') out.push(`${s.exec.status} ${JSON.stringify(s.exec.error)}`);
        if (JSON.stringify(stepStatuses(s)) !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'FAILED']])) out.push(`steps ${JSON.stringify(stepStatuses(s))}`);
        if (review?.error?.type !== 'timeout' || review.respondedBy || review.output !== null) out.push(`review ${JSON.stringify(review)}`);
        if (JSON.stringify(responseCodes(s, 'review')) !== '["alice:409-"]') out.push(`responses ${JSON.stringify(responseCodes(s, 'review'))}`);
      }
      problems.add(trial, id, out);
    }
    report('resume × step timeout', { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, ...Object.fromEntries(outcomes), 'late commits discarded (so far)': bench.log.counts.get('late commit discarded') ?? 0, ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
  }, 60_000);

  it.each([['last' as const], ['next' as const]])(`an answer and settings.timeout (execution-timeout job), wait %s, ${TRIALS} trials`, async (shape) => {
    const problems = new Problems();
    const outcomes = new Map<string, number>();
    const t0 = Date.now();
    for (let trial = 0; trial < TRIALS; trial++) {
      const { id, resume, s } = await race(`deadline-${shape}`, (executionId) => ({ kind: 'execution-timeout', executionId }), trial);
      // processTimerJob answers nothing: what its cancel answered is read from the state it left.
      const cancel: CancelResult = s.exec.status === 'CANCELLED' ? { ok: true, status: 'CANCELLED' } : { ok: false, code: 'already_finished', status: s.exec.status };
      const out: string[] = [];
      const outcome = judgeResumeCancel(s, resume, cancel, shape, { reason: 'timeout', by: 'system' }, out);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      // Whoever won, the execution ended and its settings.timeout timer went with it.
      if (await bench.rt('api').queues.hasTimer(jobIds.executionTimeout(id))) out.push('the execution’s timeout timer is still queued');
      problems.add(trial, id, out);
    }
    report(`resume × settings.timeout (${shape})`, { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, ...Object.fromEntries(outcomes), ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
  }, 60_000);
});

describe('resume × timeout, through the HTTP API (real timers)', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await System.start({ redis: await startRedis(), workers: 1 });
    await sys.putWorkflow('own', header('Own timeout') + wait('1s'));
    await sys.putWorkflow('deadline', header('Deadline', 'settings: { timeout: 1s }\n') + wait(''));
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await sys?.redis.stop();
  });

  const reviewers: (keyof typeof KEYS)[] = ['reviewer', 'reviewer2', 'editor', 'admin'];
  /** how the executions of this System ended, by status: what its status indexes must list */
  const endings: Record<string, number> = {};

  it.each([['own'], ['deadline']])('answers sent around the %s timeout: at most one 200, every other answer 409 not_waiting', async (workflowId) => {
    const seen = new Map<string, number>();
    const firstAt = [-30, -10, 10, 30, 60];
    for (let trial = 0; trial < firstAt.length; trial++) {
      const id = (await sys.request('POST', `/api/workflows/${workflowId}/run`, { body: { inputs: {} } })).body.executionId;
      const waiting = await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
      const due = (workflowId === 'own' ? Date.parse(waiting.waitingFor.since) : Date.parse(waiting.createdAt)) + 1000;
      // One answer per key, 15 ms apart, the first from 30 ms before the deadline to 60 ms after it
      // (the timer job also takes a few ms to run once due): sometimes an answer wins, sometimes the timeout.
      const answers = await Promise.all(
        reviewers.map(async (key, i) => {
          await new Promise((r) => setTimeout(r, Math.max(0, due + firstAt[trial] + i * 15 - Date.now())));
          return sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key, body: { decision: `d${i}` } });
        }),
      );
      const e = await sys.waitForExecution(id);
      const won = answers.filter((a) => a.status === 200);
      expect(won.length).toBeLessThanOrEqual(1);
      for (const a of answers) if (a.status !== 200) expect({ status: a.status, code: a.body?.error?.code }).toEqual({ status: 409, code: 'not_waiting' });
      const review = e.steps.find((s: any) => s.path === 'review');
      if (won.length === 1) {
        expect({ status: e.status, review: review.status }).toEqual({ status: 'COMPLETED', review: 'COMPLETED' });
      } else if (workflowId === 'own') {
        expect({ status: e.status, error: e.error?.type, review: review.status }).toEqual({ status: 'FAILED', error: 'timeout', review: 'FAILED' });
      } else {
        expect({ status: e.status, reason: e.cancellation?.reason, review: review.status }).toEqual({ status: 'CANCELLED', reason: 'timeout', review: 'CANCELLED' });
      }
      expect(review.responses.map((r: any) => r.code).sort()).toEqual(answers.map((a) => a.status).sort());
      endings[e.status] = (endings[e.status] ?? 0) + 1;
      const outcome = won.length ? 'answer won' : 'timeout won';
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
    report(`resume × ${workflowId} timeout (HTTP)`, Object.fromEntries(seen));
    await expectIndexes(sys.redis.client(), endings);
  }, 60_000);
});
