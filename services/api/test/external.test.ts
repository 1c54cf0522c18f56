/**
 * docs/api.md "Answer links": reading and answering a wait through a single-use link, without an API
 * key, over real HTTP against the real API, worker and Redis. Links are minted here with the store's
 * own LinkStore (what a notification does, see packages/executor/test/notify.test.ts for the sending),
 * so these tests cover the endpoints: GET changes nothing, the answer goes through once, and a used,
 * expired, foreign or cancelled link is 410 naming who answered.
 */
import { Keys, LinkStore, linkTokenHash, type LinkAction } from '@flowgate/store';
import { System, expectError, gateWorkflow, isWaiting, uid, waitingExecution } from './util';

let sys: System;
let links: LinkStore;
let linkRedis: ReturnType<System['redis']['client']>;
const GATE = uid('gate');
const APPROVAL = uid('approval');

beforeAll(async () => {
  sys = await System.start({ workers: 1 });
  linkRedis = sys.redis.client();
  links = new LinkStore(linkRedis, new Keys());
  await sys.putWorkflow(GATE, gateWorkflow('Gate'));
  await sys.putWorkflow(
    APPROVAL,
    `name: Approval
triggers: [{ type: manual }]
steps:
  - name: review
    type: waitForApproval
    with: { message: "## Isolate {{ inputs.host }}?", approveLabel: Isolate }
`,
  );
}, 60_000);
afterAll(async () => {
  linkRedis?.disconnect();
  await sys?.stop();
});

async function approvalWaiting(): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${APPROVAL}/run`, { key: 'editor', body: { inputs: { host: 'web-07' } } });
  await sys.waitForExecution(r.body.executionId, isWaiting);
  return r.body.executionId;
}

const mint = (executionId: string, step: string, action: LinkAction, channel = 'email', expiresAt = Date.now() + 60_000) =>
  links.mint({ executionId, step, attempt: 1, action, channel, expiresAt });

const view = (token: string) => sys.request('GET', '/api/external/link', { key: null, headers: { 'x-flowgate-link': token } });
const answer = (id: string, step: string, token: string, body: unknown, opts: { query?: boolean; headers?: Record<string, string> } = {}) =>
  sys.request('POST', `/api/workflows/executions/${id}/steps/${encodeURIComponent(step)}/resume/external${opts.query ? `?token=${token}` : ''}`, {
    key: null,
    body,
    headers: { ...(opts.query ? {} : { 'x-flowgate-link': token }), ...opts.headers },
  });

describe('GET /api/external/link', () => {
  it('shows the wait a link answers, without a key, and changes nothing', async () => {
    const id = await approvalWaiting();
    const token = await mint(id, 'review', 'approve', 'slack');
    const before = await sys.execution(id);
    const r = await view(token);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({
      executionId: id,
      step: 'review',
      action: 'approve',
      channel: 'slack',
      workflowName: 'Approval',
      waitingFor: { type: 'waitForApproval', title: 'Isolate web-07?', message: '## Isolate web-07?', approveLabel: 'Isolate', rejectLabel: 'Decline' },
    });
    expect(JSON.stringify(r.body)).not.toContain(token);
    const after = await sys.execution(id);
    expect(after.status).toBe('WAITING_FOR_INPUT');
    expect(after.steps).toEqual(before.steps);
  });

  it('answers 410 link_gone for an unknown token and 400 without one', async () => {
    expectError(await view('A'.repeat(43)), 410, 'link_gone');
    expectError(await view('not a token'), 410, 'link_gone');
    expectError(await sys.request('GET', '/api/external/link', { key: null }), 400, 'bad_request');
  });
});

describe('POST /api/workflows/executions/{id}/steps/{step}/resume/external', () => {
  it('approves once as link:<channel>; the other links of the wait are then 410 naming who answered', async () => {
    const id = await approvalWaiting();
    const approve = await mint(id, 'review', 'approve', 'email');
    const reject = await mint(id, 'review', 'reject', 'slack');
    const r = await answer(id, 'review', approve, { notes: 'confirmed C2 beaconing' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ executionId: id, status: 'RUNNING', step: 'review', respondedBy: 'link:email' });
    const done = await sys.waitForExecution(id);
    expect(done.steps[0]).toMatchObject({ output: { approved: true, notes: 'confirmed C2 beaconing' }, respondedBy: 'link:email', respondedVia: 'email' });
    for (const token of [approve, reject]) {
      const again = await answer(id, 'review', token, {});
      expectError(again, 410, 'link_gone');
      expect(again.body.error.message).toContain('already answered by link:email');
      expect(again.body.error.details[0]).toMatchObject({ respondedBy: 'link:email', respondedAt: expect.any(String) });
    }
    expectError(await view(reject), 410, 'link_gone');
  });

  it("takes Kibana's ?token= and a form's answer, validated against the wait's schema", async () => {
    const id = await waitingExecution(sys, GATE);
    const form = await mint(id, 'review', 'form', 'webhook');
    const bad = await answer(id, 'review', form, { approved: 'yes' }, { query: true });
    expectError(bad, 400, 'validation_failed');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    const ok = await answer(id, 'review', form, { approved: false, notes: 'lab host' }, { query: true });
    expect(ok.status).toBe(200);
    expect((await sys.waitForExecution(id)).steps[0]).toMatchObject({ output: { approved: false, notes: 'lab host' }, respondedBy: 'link:webhook' });
  });

  it('answers a browser that posted a plain form with an HTML page, escaped', async () => {
    const id = await approvalWaiting();
    const reject = await mint(id, 'review', 'reject');
    const r = await sys.request('POST', `/api/workflows/executions/${id}/steps/review/resume/external?token=${reject}`, {
      key: null,
      raw: 'notes=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    const html = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    expect(html).toContain('Declined');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    const gone = await sys.request('POST', `/api/workflows/executions/${id}/steps/review/resume/external?token=${reject}`, { key: null, raw: '', headers: { accept: 'text/html' } });
    expect(gone.status).toBe(410);
    expect(String(gone.body)).toContain('Answered by link:email');
  });

  it('refuses a link for another request, an expired link, a cancelled execution, and stray fields — changing nothing', async () => {
    const id = await approvalWaiting();
    const other = await approvalWaiting();
    const approve = await mint(id, 'review', 'approve');
    expectError(await answer(other, 'review', approve, {}), 410, 'link_gone');
    expectError(await answer(id, 'review', approve, { approved: false }), 400, 'bad_request');
    const expired = await mint(id, 'review', 'approve', 'email', Date.now() + 50);
    await new Promise((r) => setTimeout(r, 120));
    expectError(await answer(id, 'review', expired, {}), 410, 'link_gone');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    const cancelled = await answer(id, 'review', approve, {});
    expectError(cancelled, 410, 'link_gone');
    expect(cancelled.body.error.message).toBe('the execution was cancelled');
  });

  it('answers 410 after the wait timed out (timeout: 1s), whether it failed or took its on-timeout outcome', async () => {
    const failing = uid('fails');
    const outcome = uid('outcome');
    await sys.putWorkflow(failing, `name: Fails\ntriggers: [{ type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    timeout: 1s\n`);
    await sys.putWorkflow(outcome, `name: Outcome\ntriggers: [{ type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    timeout: 1s\n    on-timeout: { outcome: { approved: false, notes: nobody answered } }\n`);
    for (const [wf, status] of [
      [failing, 'FAILED'],
      [outcome, 'COMPLETED'],
    ]) {
      const r = await sys.request('POST', `/api/workflows/${wf}/run`, { key: 'editor', body: {} });
      const id = r.body.executionId;
      await sys.waitForExecution(id, isWaiting);
      const approve = await mint(id, 'review', 'approve');
      const done = await sys.waitForExecution(id, (e) => e?.status === status, 15_000);
      if (status === 'COMPLETED') expect(done.steps[0].output).toEqual({ approved: false, notes: 'nobody answered', timedOut: true });
      const late = await answer(id, 'review', approve, {});
      expectError(late, 410, 'link_gone');
      expect(late.body.error.message).toContain('timed out');
    }
  }, 40_000);

  it('stores no token: only its hash names the link, expiring with the wait', async () => {
    const id = await approvalWaiting();
    const token = await mint(id, 'review', 'approve', 'email', Date.now() + 3_600_000);
    const redis = sys.redis.client();
    const key = new Keys().link(linkTokenHash(token));
    expect(await redis.hgetall(key)).toMatchObject({ e: id, s: 'review', a: 'approve', c: 'email' });
    expect(JSON.stringify(await redis.hgetall(key))).not.toContain(token);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    redis.disconnect();
  });
});

describe('FLOWGATE_EXTERNAL_RESUME=false', () => {
  it('turns the link endpoints off (404)', async () => {
    const off = await System.start({ workers: 0, env: { FLOWGATE_EXTERNAL_RESUME: 'false' } });
    try {
      expect((await off.request('GET', '/api/external/link', { key: null, headers: { 'x-flowgate-link': 'A'.repeat(43) } })).status).toBe(404);
      expect((await off.request('POST', '/api/workflows/executions/x/steps/y/resume/external?token=abc', { key: null, body: {} })).status).toBe(404);
    } finally {
      await off.stop();
    }
  }, 60_000);
});
