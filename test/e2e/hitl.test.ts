/**
 * The human gate end to end (issue: durable execution): a real redis-server on a free port, the
 * API process and worker processes started from their built entry points.
 */
import { Queue } from 'bullmq';
import { System, KEY_NAMES } from '../helpers/system';

let sys: System;
beforeAll(async () => {
  sys = await System.start({ workers: 2 });
}, 60_000);
afterAll(async () => sys?.stop());

const GATE = `
name: Gate
triggers:
  - type: manual
  - type: alert
steps:
  - name: open_case
    type: cases.createCase
    with:
      title: "Check {{ event.alerts[0].host.name | default: inputs.host }}"
      severity: high
  - name: hello
    type: console
    with:
      message: "host {{ event.alerts[0].host.name | default: inputs.host }}"
  - name: review
    type: waitForInput
    with:
      message: |
        ## Isolate \`{{ event.alerts[0].host.name | default: inputs.host }}\`?
        Evidence: {{ steps.hello.output }}
      schema:
        type: object
        properties:
          approved: { type: boolean, title: Isolate }
          notes: { type: string }
        required: [approved]
  - name: decide
    type: if
    condition: "steps.review.output.approved : true"
    steps:
      - name: note
        type: cases.addComment
        with:
          case_id: "{{ steps.open_case.output.case.id }}"
          comment: "approved by {{ steps.review.respondedBy }} at {{ steps.review.respondedAt }}: {{ steps.review.output.notes }}"
    else:
      - name: declined
        type: console
        with:
          message: declined
`;

async function startGate(workflowId: string, host = 'web-01'): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${workflowId}/run`, { key: 'editor', body: { inputs: { host } } });
  expect(r.status).toBe(202);
  return r.body.executionId;
}

async function stepsQueueCounts(): Promise<Record<string, number>> {
  const q = new Queue('steps', { connection: sys.redis.client(), prefix: 'fgq' });
  const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  await q.close();
  return counts;
}

const waitingForInput = (e: any) => e?.status === 'WAITING_FOR_INPUT';

describe('waitForInput and resume', () => {
  beforeAll(async () => {
    await sys.putWorkflow('gate', GATE);
  });

  it('waits with the rendered message and schema, holds no job, rejects a bad answer, resumes with a good one', async () => {
    const id = await startGate('gate');
    const waiting = await sys.waitForExecution(id, waitingForInput);
    expect(waiting.waitingFor).toMatchObject({
      step: 'review',
      name: 'review',
      type: 'waitForInput',
      message: '## Isolate `web-01`?\nEvidence: host web-01\n',
      schema: { type: 'object', required: ['approved'] },
    });
    expect(await stepsQueueCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });

    const bad = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: '/approved', keyword: 'type' })]);
    const missing = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { notes: 'x' } });
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: '/approved', keyword: 'required' })]);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    const ok = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true, notes: 'confirmed' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ executionId: id, status: 'RUNNING', step: 'review' });

    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    const review = done.steps.find((s: any) => s.path === 'review');
    expect(review).toMatchObject({ status: 'COMPLETED', output: { approved: true, notes: 'confirmed' }, respondedBy: KEY_NAMES.reviewer });
    expect(review.respondedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(review.responses.map((r: any) => [r.by, r.accepted, r.code])).toEqual([
      [KEY_NAMES.reviewer, false, 400],
      [KEY_NAMES.reviewer, false, 400],
      [KEY_NAMES.reviewer, true, 200],
    ]);
    const note = done.steps.find((s: any) => s.path === 'decide/note');
    expect(note.status).toBe('COMPLETED');
    expect(note.output.comment.comment).toBe(`approved by ${KEY_NAMES.reviewer} at ${review.respondedAt}: confirmed`);
    expect(done.steps.find((s: any) => s.path === 'decide')).toMatchObject({ status: 'COMPLETED', output: { branch: 'then' } });
    expect(done.steps.map((s: any) => s.path)).toEqual(['open_case', 'hello', 'review', 'decide', 'decide/note']);
    expect(done.waitingFor).toBeNull();
  });

  it('of 50 concurrent resumes exactly one is accepted; the others get 409 naming who answered', async () => {
    const id = await startGate('gate', 'race-host');
    await sys.waitForExecution(id, waitingForInput);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: i % 2 ? 'reviewer' : 'reviewer2', body: { approved: false, notes: `n${i}` } })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winner = answers.findIndex((a) => a.status === 200);
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.body.error.code).toBe('not_waiting');
    const done = await sys.waitForExecution(id);
    expect(done.steps.find((s: any) => s.path === 'review').output).toEqual({ approved: false, notes: `n${winner}` });
    expect(done.steps.find((s: any) => s.path === 'decide/declined').status).toBe('COMPLETED');
    const late = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('COMPLETED');
    expect(late.body.error.details[0]).toMatchObject({ status: 'COMPLETED', step: 'review', respondedBy: winner % 2 ? KEY_NAMES.reviewer : KEY_NAMES.reviewer2 });
  });

  it('refuses a resume after cancel with 409 naming CANCELLED, and a second cancel with already_finished', async () => {
    const id = await startGate('gate', 'cancel-host');
    await sys.waitForExecution(id, waitingForInput);
    const cancel = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ executionId: id, status: 'CANCELLED' });
    const e = await sys.execution(id);
    expect(e.cancellation).toMatchObject({ reason: 'user', by: KEY_NAMES.reviewer });
    expect(e.steps.find((s: any) => s.path === 'review').status).toBe('CANCELLED');
    const resume = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } });
    expect(resume.status).toBe(409);
    expect(resume.body.error.message).toBe('execution is CANCELLED');
    expect((await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' })).body.error.code).toBe('already_finished');
  });

  it('answers a stale ?step= with step_not_waiting and an unknown id with 404', async () => {
    const id = await startGate('gate', 'step-host');
    await sys.waitForExecution(id, waitingForInput);
    const stale = await sys.request('POST', `/api/workflowExecutions/${id}/resume?step=other`, { key: 'reviewer', body: { approved: true } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('step_not_waiting');
    expect((await sys.request('POST', `/api/workflowExecutions/nope/resume`, { key: 'reviewer', body: { approved: true } })).status).toBe(404);
    const ok = await sys.request('POST', `/api/workflowExecutions/${id}/resume?step=review`, { key: 'reviewer', body: { approved: true } });
    expect(ok.status).toBe(200);
  });
});

describe('settings.timeout', () => {
  const TIMED = (timeout: string) => `
name: Timed
triggers: [{ type: manual }]
settings: { timeout: ${timeout} }
steps:
  - name: review
    type: waitForApproval
    with: { message: "Approve?" }
  - name: after
    type: console
    with: { message: "{{ steps.review.output.approved }}" }
`;

  it('cancels a waiting execution at the deadline, within 1 s', async () => {
    await sys.putWorkflow('timed2s', TIMED('2s'));
    const id = (await sys.request('POST', '/api/workflows/timed2s/run', { body: { inputs: {} } })).body.executionId;
    const e = await sys.waitForExecution(id, (x) => x?.status === 'CANCELLED', 10_000);
    expect(e.cancellation).toMatchObject({ reason: 'timeout', by: 'system' });
    const late = Date.parse(e.cancellation.at) - (Date.parse(e.createdAt) + 2000);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    const resume = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } });
    expect(resume.status).toBe(409);
    expect(resume.body.error.message).toBe('execution is CANCELLED');
  });

  it('resume racing the timeout: every execution ends in exactly one consistent state', async () => {
    await sys.putWorkflow('timed1s', TIMED('1s'));
    const trials = Number(process.env.FLOWGATE_RACE_TRIALS ?? 200); // 1,000 by hand
    const ids: string[] = [];
    for (let i = 0; i < trials; i++) ids.push((await sys.request('POST', '/api/workflows/timed1s/run', { body: { inputs: {} } })).body.executionId);
    for (const id of ids) await sys.waitForExecution(id, (x) => x?.status !== 'PENDING' && x?.status !== 'RUNNING', 10_000);
    // Answer each one around its deadline, spread over ±150 ms, so that both sides win some races.
    const answers = await Promise.all(
      ids.map(async (id, i) => {
        const created = Date.parse((await sys.execution(id)).createdAt);
        const target = created + 1000 + ((i % 31) - 15) * 10;
        await new Promise((r) => setTimeout(r, Math.max(0, target - Date.now())));
        return (await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } })).status;
      }),
    );
    let resumed = 0;
    let timedOut = 0;
    for (let i = 0; i < ids.length; i++) {
      const e = await sys.waitForExecution(ids[i], undefined, 15_000);
      const review = e.steps.find((s: any) => s.path === 'review');
      if (answers[i] === 200) {
        resumed++;
        // The answer won: it is recorded. The deadline may still cancel the steps after it.
        expect(review).toMatchObject({ status: 'COMPLETED', output: { approved: true } });
        if (e.status === 'COMPLETED') {
          expect(e.cancellation).toBeNull();
          expect(e.steps.find((s: any) => s.path === 'after').output).toBe('true');
        } else {
          expect(e).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'timeout' } });
          expect(e.steps.find((s: any) => s.path === 'after').status).toBe('CANCELLED');
        }
      } else {
        timedOut++;
        expect(answers[i]).toBe(409);
        expect(e.status).toBe('CANCELLED');
        expect(e.cancellation.reason).toBe('timeout');
        expect(review.status).toBe('CANCELLED');
        expect(review.output).toBeNull();
        expect(e.steps.find((s: any) => s.path === 'after')).toBeUndefined();
      }
    }
    expect(resumed + timedOut).toBe(trials);
  }, 120_000);
});

describe('metrics', () => {
  it('/metrics shows the workers’ step counts and the waiting-for-input gauge, without a key', async () => {
    await new Promise((r) => setTimeout(r, 600)); // workers flush their counts every 200 ms here
    const res = await fetch(`${sys.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/flowgate_steps_total\{type="waitForInput",outcome="waitForInput"\} [1-9]/);
    expect(text).toMatch(/flowgate_steps_total\{type="console",outcome="output"\} [1-9]/);
    expect(text).toMatch(/flowgate_step_duration_seconds_count\{type="cases.createCase"\} [1-9]/);
    expect(text).toMatch(/flowgate_executions_finished_total\{status="COMPLETED"\} [1-9]/);
    expect(text).toMatch(/flowgate_queue_jobs\{queue="steps",state="waiting"\} \d/);
    expect(text).toMatch(/flowgate_waiting_for_input \d/);
  });
});
