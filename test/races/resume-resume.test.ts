/**
 * docs/semantics.md "Waiting for a human" and "Guarantees": of concurrent answers to one wait,
 * exactly one wins; the losers get `not_waiting` (409) naming the winner; every attempt is kept on
 * the wait's record; the next step runs once, with the winner's answer.
 *
 * In process: 50 resumeExecution calls from two API runtimes (two connections) at once, per trial,
 * FLOWGATE_RACE_TRIALS trials (200; 1,000 by hand). Then a few trials through the HTTP API.
 */
import type IORedis from 'ioredis';
import { processStepJob, resumeExecution, type ResumeResult } from '@flowgate/executor';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { KEY_NAMES, System } from '../helpers/system';
import { expectIndexes, invariantProblems, jitter, Problems, RaceBench, report, responseCodes, shuffled, stepStatuses, TRIALS } from './race-kit';

const RESUMERS = 50;

const WORKFLOW = `name: Race review
triggers: [{ type: manual }]
steps:
  - name: prep
    type: console
    with: { message: prep }
  - name: review
    type: waitForInput
    with:
      message: decide
      schema: { type: object, properties: { decision: { type: string } }, required: [decision] }
  - name: after
    type: data.set
    with: { decided: "\${{ steps.review.output.decision }}", by: "{{ steps.review.respondedBy }}" }
`;

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server?.stop());

describe('resume × resume, in process', () => {
  let bench: RaceBench;
  beforeAll(async () => {
    bench = await RaceBench.open(server);
    await bench.save('race', WORKFLOW);
  });
  afterAll(async () => bench?.close());

  it(`${RESUMERS} concurrent answers to one wait: one wins, ${RESUMERS - 1} get not_waiting, ${TRIALS} trials`, async () => {
    const problems = new Problems();
    const winners = new Map<string, number>();
    let withStep = 0;
    const winnerIndexes = new Set<number>();
    const t0 = Date.now();
    for (let trial = 0; trial < TRIALS; trial++) {
      const id = await bench.start('race');
      await bench.drive(id);
      expect((await bench.rt('api').executions.load(id))!.status).toBe('WAITING_FOR_INPUT');

      // Half the answers name the step (?step=review, as the UI does), half do not.
      // Launched in a random order, each after a random jitter.
      const results: ResumeResult[] = new Array(RESUMERS);
      await Promise.all(
        shuffled(RESUMERS).map(async (i) => {
          await jitter();
          const step = i % 2 === 0 ? 'review' : undefined;
          if (step) withStep++;
          results[i] = await resumeExecution(bench.rt(i % 2 === 0 ? 'api' : 'api2'), id, { decision: `d${i}` }, `r${i}`, step);
        }),
      );
      const won = results.flatMap((r, i) => (r.ok ? [i] : []));
      if (won.length !== 1) {
        problems.add(trial, id, [`${won.length} winners: ${won.join(', ')}`]);
        continue;
      }
      const w = won[0];
      winnerIndexes.add(w);
      winners.set(w % 2 === 0 ? 'api' : 'api2', (winners.get(w % 2 === 0 ? 'api' : 'api2') ?? 0) + 1);
      const before = await bench.settled(id);
      const respondedAt = before.step('review')?.respondedAt ?? null;
      const out: string[] = [];
      results.forEach((r, i) => {
        if (i === w) {
          if (JSON.stringify(r) !== JSON.stringify({ ok: true, executionId: id, status: 'RUNNING', step: 'review' })) out.push(`winner answered ${JSON.stringify(r)}`);
          return;
        }
        // The loser reloaded and names the winner: what the API answers as 409 not_waiting.
        const want = { ok: false, code: 'not_waiting', status: 'RUNNING', step: 'review', respondedBy: `r${w}`, respondedAt };
        if (JSON.stringify(r) !== JSON.stringify(want)) out.push(`loser r${i} got ${JSON.stringify(r)}, want ${JSON.stringify(want)}`);
      });
      // The winner queued the next step's job, once.
      if (!(await bench.rt('api').queues.hasStepJob({ executionId: id, path: 'after', attempt: 1 }))) out.push('the next step’s job was not queued');
      out.push(...invariantProblems(before));

      await bench.drive(id);
      // The job queued by the winner delivered again (at least once) changes nothing.
      const rev = (await bench.rt('api').executions.load(id))!.rev;
      await processStepJob(bench.rt('worker'), { executionId: id, path: 'after', attempt: 1 }, bench.aborts);
      const s = await bench.settled(id);
      if (s.exec.rev !== rev) out.push(`a repeated delivery of the next step moved rev ${rev} → ${s.exec.rev}`);
      const steps = JSON.stringify(stepStatuses(s));
      if (s.exec.status !== 'COMPLETED' || steps !== JSON.stringify([['prep', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'COMPLETED']])) out.push(`ended ${s.exec.status} with ${steps}`);
      const review = s.step('review');
      if (review?.respondedBy !== `r${w}` || JSON.stringify(review?.output) !== JSON.stringify({ decision: `d${w}` }) || review?.attempts !== 1) {
        out.push(`review record ${JSON.stringify(review)}`);
      }
      if (JSON.stringify(s.step('after')?.output) !== JSON.stringify({ decided: `d${w}`, by: `r${w}` })) out.push(`after ran with ${JSON.stringify(s.step('after')?.output)}`);
      // Every attempt is on the wait's record: the winner's 200 and 49 refusals with 409.
      const want = Array.from({ length: RESUMERS }, (_, i) => `r${i}:${i === w ? '200' : '409-'}`).sort();
      if (JSON.stringify(responseCodes(s, 'review')) !== JSON.stringify(want)) out.push(`responses ${JSON.stringify(responseCodes(s, 'review'))}`);
      out.push(...invariantProblems(s));
      problems.add(trial, id, out);
    }
    report('resume × resume', { trials: TRIALS, 'index entries the reconciler put right': bench.indexRepairs, resumers: RESUMERS, 'won by api': winners.get('api') ?? 0, 'won by api2': winners.get('api2') ?? 0, 'with ?step': withStep, 'distinct winners': winnerIndexes.size, ms: Date.now() - t0 });
    expect(problems.first).toEqual([]);
    expect(bench.log.errors).toEqual([]);
  }, 60_000);
});

describe('resume × resume, through the HTTP API', () => {
  let sys: System;
  let redis: IORedis;
  beforeAll(async () => {
    sys = await System.start({ redis: await startRedis(), workers: 1 });
    redis = sys.redis.client();
    await sys.putWorkflow('race', WORKFLOW);
  }, 60_000);
  afterAll(async () => {
    await sys?.stop();
    await sys?.redis.stop();
  });

  it(`${RESUMERS} concurrent POST .../resume: one 200, the others 409 not_waiting naming the winner`, async () => {
    // Four keys that may review: each is refused about 12 times per trial, under the 30 refusals a
    // minute after which the API answers a key 429 (docs/semantics.md "Waiting for a human").
    const reviewers = ['reviewer', 'reviewer2', 'editor', 'admin'] as const;
    const trials = 2;
    for (let trial = 0; trial < trials; trial++) {
      const id = (await sys.request('POST', '/api/workflows/race/run', { body: { inputs: {} } })).body.executionId;
      await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
      const answers = await Promise.all(
        Array.from({ length: RESUMERS }, (_, i) =>
          sys.request('POST', `/api/workflowExecutions/${id}/resume${i % 2 ? '?step=review' : ''}`, { key: reviewers[i % reviewers.length], body: { decision: `d${i}` } }),
        ),
      );
      const won = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
      expect(won).toHaveLength(1);
      const winner = KEY_NAMES[reviewers[won[0] % reviewers.length]];
      expect(answers[won[0]].body).toEqual({ executionId: id, status: 'RUNNING', step: 'review' });
      for (const [i, a] of answers.entries()) {
        if (i === won[0]) continue;
        expect({ status: a.status, code: a.body?.error?.code, respondedBy: a.body?.error?.details?.[0]?.respondedBy, step: a.body?.error?.details?.[0]?.step }).toEqual({
          status: 409,
          code: 'not_waiting',
          respondedBy: winner,
          step: 'review',
        });
      }
      const done = await sys.waitForExecution(id);
      expect(done.status).toBe('COMPLETED');
      expect(done.steps.map((s: any) => [s.path, s.status])).toEqual([['prep', 'COMPLETED'], ['review', 'COMPLETED'], ['after', 'COMPLETED']]);
      expect(done.steps[2].output).toEqual({ decided: `d${won[0]}`, by: winner });
      const review = done.steps[1];
      expect(review.respondedBy).toBe(winner);
      expect(review.responses.filter((r: any) => r.accepted)).toHaveLength(1);
      expect(review.responses.map((r: any) => r.code).sort()).toEqual([200, ...Array(RESUMERS - 1).fill(409)]);
    }
    // The status indexes agree: every execution listed once, as COMPLETED. The API's index update of
    // the resume and the worker's of the next commit may land in the other order (a stale RUNNING
    // entry): the reconciler puts it right within two passes (FLOWGATE_RECONCILE_MS is 1 s here).
    await expectIndexes(redis, { COMPLETED: trials });
  }, 60_000);
});
