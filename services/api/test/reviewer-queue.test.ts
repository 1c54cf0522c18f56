/**
 * docs/api.md "The reviewer's queue": what the inbox and the executions list read from the API —
 * each execution's summary (host, user, rule, severity, risk score, alert id) read once from its
 * event, the alert group, a wait's deadline and AI verdict, who answered through which channel,
 * search, time range and totals, cancel reasons, re-runs and the session. Real API, worker and Redis.
 */
import { System, KEY_NAMES, expectError, ISO_MS, isWaiting, uid } from './util';

let sys: System;
const TRIAGE = uid('triage');
const PAIRED = uid('paired');
const SHORT = uid('short');
const BROKEN = uid('broken');
const TAG = uid('tag'); // in every alert of this file: the workflows' conditions match only these

/** A workflow: an evidence step shaped like ai.classify's output, then a wait, for alerts of this file. */
function triageWorkflow(name: string, opts: { stepTimeout?: string; settingsTimeout?: string } = {}): string {
  return `name: ${name}
${opts.settingsTimeout ? `settings:\n  timeout: ${opts.settingsTimeout}\n` : ''}triggers:
  - type: manual
  - type: alert
    on:
      condition: "alerts.labels.tag : ${TAG}"
steps:
  - name: classify
    type: data.set
    with:
      category: likely_benign
      confidence: 0.82
      rationale: "Signed binary, {{ event.alerts[0].host.name }} is a build server."
  - name: review
    type: waitForInput
${opts.stepTimeout ? `    timeout: ${opts.stepTimeout}\n` : ''}    with:
      message: "## Isolate {{ event.alerts[0].host.name }}?"
      schema:
        type: object
        properties:
          approved: { type: boolean, title: Isolate the host }
        required: [approved]
  - name: after
    type: console
    with:
      message: "done"
`;
}

const BROKEN_YAML = `name: Broken
triggers:
  - type: alert
    on:
      condition: "alerts.labels.tag : ${TAG}"
steps:
  - name: fail
    type: http
    with:
      url: "http://127.0.0.1:1/nothing-listens-here"
      method: GET
`;

function alert(fields: Record<string, unknown>): Record<string, unknown> {
  return { labels: { tag: TAG }, ...fields };
}

async function post(body: unknown, workflows: string[]): Promise<string[]> {
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflows.join(',')}`, { key: 'ingest', body });
  if (r.status !== 202) throw new Error(`alert: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.executions.map((e: { executionId: string }) => e.executionId);
}

const list = async (query: string) => {
  const r = await sys.request('GET', `/api/workflowExecutions${query}`, { key: 'viewer' });
  expect(r.status).toBe(200);
  return r.body;
};

beforeAll(async () => {
  sys = await System.start({ workers: 2 });
  await sys.putWorkflow(TRIAGE, triageWorkflow('Triage', { settingsTimeout: '2h' }));
  await sys.putWorkflow(PAIRED, triageWorkflow('Paired', { stepTimeout: '30m', settingsTimeout: '10h' }));
  await sys.putWorkflow(SHORT, triageWorkflow('Short', { stepTimeout: '3h', settingsTimeout: '1h' }));
  await sys.putWorkflow(BROKEN, BROKEN_YAML);
}, 60_000);
afterAll(async () => sys?.stop());

describe('summary, group, deadline and AI verdict', () => {
  let ecs: string;
  let kibana: string;
  let pair: string[];
  beforeAll(async () => {
    [ecs] = await post({ alerts: [alert({ host: { name: 'web-01' }, user: { name: 'alice' }, rule: { name: 'Encoded PowerShell' }, kibana: { alert: { risk_score: 99, uuid: 'uuid-ecs' } } })] }, [TRIAGE]);
    // Kibana's alert documents use flattened field names.
    [kibana] = await post(alert({ 'host.name': 'db-02', 'kibana.alert.rule.name': 'Credential dumping', 'kibana.alert.severity': 'medium', 'kibana.alert.risk_score': 21, 'kibana.alert.uuid': 'uuid-kbn' }), [SHORT]);
    // One alert without an id that matches two workflows: its executions form one group.
    pair = await post(alert({ host: { name: 'mail-03' }, severity: 'low' }), [TRIAGE, PAIRED]);
    for (const id of [ecs, kibana, ...pair]) await sys.waitForExecution(id, isWaiting);
  }, 30_000);

  it('reads host, user, rule, severity (from the risk score when absent) and alert id from ECS or Kibana fields', async () => {
    const e = await sys.execution(ecs);
    expect(e.summary).toEqual({ host: 'web-01', user: 'alice', rule: 'Encoded PowerShell', severity: 'critical', riskScore: 99, alertId: 'uuid-ecs' });
    expect(e.group).toBe('uuid-ecs');
    const k = await sys.execution(kibana);
    expect(k.summary).toEqual({ host: 'db-02', user: null, rule: 'Credential dumping', severity: 'medium', riskScore: 21, alertId: 'uuid-kbn' });
  });

  it('groups the executions one alert started, and gives each wait its context in list rows', async () => {
    const rows = (await list(`?status=WAITING_FOR_INPUT&q=mail-03&limit=10`)).results;
    expect(rows.map((r: any) => r.id).sort()).toEqual([...pair].sort());
    const groups = new Set(rows.map((r: any) => r.waitingFor.context.group));
    expect(groups).toEqual(new Set([pair[0]]));
    expect(rows[0].waitingFor.context).toMatchObject({ host: 'mail-03', severity: 'low', ai: { step: 'classify', category: 'likely_benign', confidence: 0.82, rationale: 'Signed binary, mail-03 is a build server.' } });
  });

  it("gives each wait the earlier of its step's timeout (fails) and settings.timeout (cancels)", async () => {
    const at = async (id: string) => (await sys.execution(id)).waitingFor;
    const hours = (w: any) => Math.round((Date.parse(w.deadline) - Date.parse(w.since)) / 60_000);
    const triage = await at(ecs); // settings.timeout 2h only
    expect(triage).toMatchObject({ onDeadline: 'cancel', deadline: expect.stringMatching(ISO_MS) });
    expect(hours(triage)).toBeLessThanOrEqual(120);
    expect(hours(triage)).toBeGreaterThan(115);
    const triageRows = (await list(`?workflowId=${TRIAGE}&q=mail-03`)).results;
    expect(triageRows[0].waitingFor.onDeadline).toBe('cancel');
    const pairedRows = (await list(`?workflowId=${PAIRED}&status=WAITING_FOR_INPUT`)).results;
    expect(pairedRows[0].waitingFor.onDeadline).toBe('fail'); // step timeout 30m < settings 10h
    expect(hours(pairedRows[0].waitingFor)).toBe(30);
    const short = await at(kibana); // step 3h > settings 1h
    expect(short.onDeadline).toBe('cancel');
    expect(hours(short)).toBeLessThanOrEqual(60);
  });
});

describe('search, filters, time range and total', () => {
  const hosts = ['srv-a1', 'srv-a2', 'srv-b1'];
  let ids: string[] = [];
  let before: string;
  beforeAll(async () => {
    before = new Date(Date.now() - 1).toISOString();
    ids = [];
    for (const [i, host] of hosts.entries()) {
      const [id] = await post(alert({ host: { name: host }, user: { name: `user-${i}` }, rule: { name: i < 2 ? 'Rule A' : 'Rule B' }, 'kibana.alert.severity': i === 0 ? 'critical' : 'high', 'kibana.alert.uuid': `search-${i}` }), [TRIAGE]);
      ids.push(id);
    }
    for (const id of ids) await sys.waitForExecution(id, isWaiting);
  }, 30_000);

  it('finds by part of a host, user, rule or alert id, any case, and counts the matches', async () => {
    const byHost = await list(`?q=SRV-A&workflowId=${TRIAGE}`);
    expect(byHost.results.map((r: any) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(byHost).toMatchObject({ total: 2, truncated: false });
    expect((await list(`?q=user-2`)).results.map((r: any) => r.id)).toEqual([ids[2]]);
    expect((await list(`?q=search-1`)).results.map((r: any) => r.id)).toEqual([ids[1]]);
    expect((await list(`?q=${ids[2].toLowerCase()}`)).results.map((r: any) => r.id)).toEqual([ids[2]]);
    expect((await list(`?q=no-such-thing`)).total).toBe(0);
  });

  it('filters by severity, exact host and exact rule', async () => {
    expect((await list(`?severity=critical&q=srv-`)).results.map((r: any) => r.id)).toEqual([ids[0]]);
    expect((await list(`?severity=HIGH,critical&q=srv-`)).total).toBe(3);
    expect((await list(`?host=srv-a2`)).results.map((r: any) => r.id)).toEqual([ids[1]]);
    expect((await list(`?host=srv-a`)).total).toBe(0); // exact, not a part
    expect((await list(`?rule=rule b`)).results.map((r: any) => r.id)).toEqual([ids[2]]);
  });

  it('pages a search with the same total on every page', async () => {
    const first = await list(`?q=srv-&limit=2`);
    expect(first.results).toHaveLength(2);
    expect(first.total).toBe(3);
    const second = await list(`?q=srv-&limit=2&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ total: 3, nextCursor: null });
    expect([...first.results, ...second.results].map((r: any) => r.id)).toEqual([...ids].reverse());
  });

  it('limits to a time range of creation, with or without a search', async () => {
    const after = new Date(Date.now() + 60_000).toISOString();
    expect((await list(`?workflowId=${TRIAGE}&from=${after}`)).results).toEqual([]);
    const since = await list(`?workflowId=${TRIAGE}&from=${before}`);
    expect(since.results.map((r: any) => r.id)).toEqual([...ids].reverse());
    expect(since.total).toBe(3);
    expect((await list(`?q=srv-&to=${before}`)).total).toBe(0);
  });
});

describe('answers: who, when and through which channel', () => {
  it('records the web app (X-Flowgate-Client: ui) or the API as the channel, on the step and the row', async () => {
    const [viaUi, viaApi] = await Promise.all([post(alert({ host: { name: 'chan-ui' } }), [TRIAGE]), post(alert({ host: { name: 'chan-api' } }), [TRIAGE])]).then((r) => r.flat());
    for (const id of [viaUi, viaApi]) await sys.waitForExecution(id, isWaiting);
    expect((await sys.request('POST', `/api/workflowExecutions/${viaUi}/resume`, { key: 'reviewer', body: { approved: true }, headers: { 'x-flowgate-client': 'ui' } })).status).toBe(200);
    expect((await sys.request('POST', `/api/workflowExecutions/${viaApi}/resume`, { key: 'reviewer2', body: { approved: false } })).status).toBe(200);
    const ui = await sys.waitForExecution(viaUi);
    expect(ui.steps.find((s: any) => s.name === 'review')).toMatchObject({ respondedBy: KEY_NAMES.reviewer, respondedVia: 'ui' });
    expect(ui.answeredBy).toEqual({ by: KEY_NAMES.reviewer, at: expect.stringMatching(ISO_MS), step: 'review', channel: 'ui' });
    const row = (await list(`?q=chan-api`)).results[0];
    expect(row.answeredBy).toMatchObject({ by: KEY_NAMES.reviewer2, channel: 'api', step: 'review' });
  });
});

describe('POST /api/workflowExecutions/{id}/cancel with a reason', () => {
  it('stores the reason as cancellation.comment', async () => {
    const [id] = await post(alert({ host: { name: 'cancel-me' } }), [TRIAGE]);
    await sys.waitForExecution(id, isWaiting);
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer', body: { reason: '  Duplicate of INC-42  ' } });
    expect(r.status).toBe(200);
    expect((await sys.execution(id)).cancellation).toEqual({ reason: 'user', by: KEY_NAMES.reviewer, at: expect.stringMatching(ISO_MS), comment: 'Duplicate of INC-42' });
    expect((await list(`?q=cancel-me`)).results[0].cancellation.comment).toBe('Duplicate of INC-42');
  });

  it.each([
    ['a reason that is not text', { reason: 42 }, '"reason" must be a string'],
    ['a reason over 1,000 characters', { reason: 'x'.repeat(1001) }, 'longer than 1000'],
    ['an unknown field', { why: 'x' }, 'unknown field "why"'],
    ['a body that is not an object', ['x'], 'must be a JSON object'],
  ])('refuses %s with 400 and cancels nothing', async (_what, body, message) => {
    const [id] = await post(alert({ host: { name: 'keep-me' } }), [TRIAGE]);
    await sys.waitForExecution(id, isWaiting);
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer', body });
    expectError(r, 400, 'bad_request');
    expect(r.body.error.message).toContain(message);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
  });
});

describe('POST /api/workflowExecutions/{id}/rerun', () => {
  it('re-runs a failed execution with the same event, linked both ways', async () => {
    const event = alert({ host: { name: 'rerun-host' }, 'kibana.alert.uuid': 'rerun-1' });
    const [failed] = await post(event, [BROKEN]);
    expect((await sys.waitForExecution(failed)).status).toBe('FAILED');
    const r = await sys.request('POST', `/api/workflowExecutions/${failed}/rerun`, { key: 'reviewer' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ executionId: expect.any(String), rerunOf: failed, status: 'PENDING' });
    const again = await sys.waitForExecution(r.body.executionId);
    const old = await sys.execution(failed);
    expect(again).toMatchObject({ rerunOf: failed, triggeredBy: KEY_NAMES.reviewer, trigger: 'alert', workflowId: BROKEN });
    expect(again.event).toEqual(old.event);
    expect(again.summary).toEqual(old.summary);
    expect(old.reruns).toEqual([r.body.executionId]);
  });

  it('re-runs a cancelled one; refuses one that is waiting or completed (409), unknown ids (404) and viewers (403)', async () => {
    const [id] = await post(alert({ host: { name: 'rerun-cancelled' } }), [TRIAGE]);
    await sys.waitForExecution(id, isWaiting);
    const waiting = await sys.request('POST', `/api/workflowExecutions/${id}/rerun`, { key: 'reviewer' });
    expectError(waiting, 409, 'not_rerunnable');
    expect(waiting.body.error.details).toEqual([{ status: 'WAITING_FOR_INPUT' }]);
    expectError(await sys.request('POST', `/api/workflowExecutions/${id}/rerun`, { key: 'viewer' }), 403, 'forbidden');
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/rerun`, { key: 'reviewer2' });
    expect(r.status).toBe(201);
    expect((await sys.execution(r.body.executionId)).rerunOf).toBe(id);
    expectError(await sys.request('POST', '/api/workflowExecutions/01ARZ3NDEKTSV4RRFFQ69G5FAV/rerun', { key: 'reviewer' }), 404, 'not_found');
  });
});

describe('GET /api/session', () => {
  it.each([['reviewer'], ['viewer'], ['ingest'], ['admin']] as const)('names the %s key and its role', async (key) => {
    const r = await sys.request('GET', '/api/session', { key });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: KEY_NAMES[key], role: key });
  });

  it('answers 401 without a valid key', async () => {
    expectError(await sys.request('GET', '/api/session', { key: null }), 401, 'unauthorized');
  });
});
