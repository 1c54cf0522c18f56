/**
 * docs/api.md "History": `GET /api/answers` lists how waits ended — answered (with who, what and the
 * channel), timed out, cancelled — newest first, filtered by channel, outcome, who, workflow and time.
 * Real API, worker and Redis; the timeout is a short `timeout: 1s`.
 */
import { System, KEY_NAMES, expectError, gateWorkflow, ISO_MS, isWaiting, uid, waitingExecution } from './util';

let sys: System;
const GATE = uid('gate');
const QUICK = uid('quick');
beforeAll(async () => {
  sys = await System.start({ workers: 1 });
  await sys.putWorkflow(GATE, gateWorkflow('Gate'));
  await sys.putWorkflow(QUICK, `name: Quick\ntriggers: [{ type: manual }]\nsteps:\n  - name: ok\n    type: waitForApproval\n    timeout: 1s\n    on-failure: { continue: true }\n    with: { message: "## Quick one?" }\n`);
}, 60_000);
afterAll(async () => sys?.stop());

const history = async (query = '') => {
  const r = await sys.request('GET', `/api/answers${query}`, { key: 'viewer' });
  expect(r.status).toBe(200);
  return r.body;
};

describe('GET /api/answers', () => {
  let viaUi: string;
  let viaApi: string;
  let cancelled: string;
  let timedOut: string;
  let since: string;
  beforeAll(async () => {
    since = new Date().toISOString();
    viaUi = await waitingExecution(sys, GATE);
    viaApi = await waitingExecution(sys, GATE);
    cancelled = await waitingExecution(sys, GATE);
    await sys.request('POST', `/api/workflowExecutions/${viaUi}/resume`, { key: 'reviewer', body: { approved: true, notes: 'ok' }, headers: { 'x-flowgate-client': 'ui' } });
    await sys.request('POST', `/api/workflowExecutions/${viaApi}/resume`, { key: 'reviewer2', body: { approved: false } });
    await sys.request('POST', `/api/workflowExecutions/${cancelled}/cancel`, { key: 'reviewer', body: { reason: 'duplicate' } });
    const r = await sys.request('POST', `/api/workflows/${QUICK}/run`, { key: 'editor', body: {} });
    timedOut = r.body.executionId;
    await sys.waitForExecution(timedOut);
    for (const id of [viaUi, viaApi]) await sys.waitForExecution(id);
  }, 30_000);

  it('lists answered, timed-out and cancelled waits, newest first, with who, what, channel and when', async () => {
    const { results, truncated } = await history(`?since=${since}`);
    expect(truncated).toBe(false);
    const byId = Object.fromEntries(results.map((r: any) => [r.executionId, r]));
    expect(byId[viaUi]).toMatchObject({ workflowId: GATE, step: 'review', title: 'Isolate web-01?', outcome: 'answered', by: KEY_NAMES.reviewer, channel: 'ui', answer: { approved: true, notes: 'ok' }, at: expect.stringMatching(ISO_MS) });
    expect(byId[viaApi]).toMatchObject({ outcome: 'answered', by: KEY_NAMES.reviewer2, channel: 'api', answer: { approved: false } });
    expect(byId[cancelled]).toMatchObject({ outcome: 'cancelled', by: KEY_NAMES.reviewer, channel: null, answer: null });
    expect(byId[timedOut]).toMatchObject({ workflowId: QUICK, title: 'Quick one?', outcome: 'timed_out', by: null });
    const times = results.map((r: any) => Date.parse(r.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by channel, outcome, who, workflow and time', async () => {
    expect((await history(`?since=${since}&channel=ui`)).results.map((r: any) => r.executionId)).toEqual([viaUi]);
    expect((await history(`?since=${since}&outcome=timed_out`)).results.map((r: any) => r.executionId)).toEqual([timedOut]);
    expect((await history(`?since=${since}&by=${KEY_NAMES.reviewer2}`)).results.map((r: any) => r.executionId)).toEqual([viaApi]);
    expect((await history(`?since=${since}&workflowId=${QUICK}`)).results.map((r: any) => r.executionId)).toEqual([timedOut]);
    expect((await history(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).results).toEqual([]);
    expect((await history(`?since=${since}&limit=1`)).results).toHaveLength(1);
  });

  it('keeps a waiting execution out, and refuses bad parameters naming them', async () => {
    const waiting = await waitingExecution(sys, GATE);
    expect((await history()).results.map((r: any) => r.executionId)).not.toContain(waiting);
    for (const [param, q] of [['channel', '?channel=pigeon'], ['outcome', '?outcome=lost'], ['since', '?since=yesterday'], ['limit', '?limit=201']]) {
      const r = await sys.request('GET', `/api/answers${q}`, { key: 'viewer' });
      expectError(r, 400, 'bad_request');
      expect(r.body.error.message).toContain(`"${param}"`);
    }
    expectError(await sys.request('GET', '/api/answers', { key: 'ingest' }), 403, 'forbidden');
    expect(isWaiting(await sys.execution(waiting))).toBe(true);
  });
});
