/**
 * docs/api.md "Authentication and roles": every endpoint × every role, without a key and with a wrong key, against the real
 * system. Allowed roles get the endpoint's success status; other roles 403; no key / a wrong key 401.
 */
import { System, KEYS, KEY_NAMES, consoleWorkflow, expectError, gateWorkflow, run, uid, waitingExecution } from './util';

let sys: System;
const GATE = uid('gate');
const MANUAL = uid('manual');
let caseId = '';

beforeAll(async () => {
  sys = await System.start({ workers: 1 });
  await sys.putWorkflow(GATE, gateWorkflow('Auth gate'));
  await sys.putWorkflow(MANUAL, consoleWorkflow('Auth manual'));
  const caseWf = uid('case');
  await sys.putWorkflow(
    caseWf,
    `name: case maker
triggers:
  - type: manual
steps:
  - name: open
    type: cases.createCase
    with:
      title: "auth test case"
      severity: low
`,
  );
  const id = await run(sys, caseWf);
  const done = await sys.waitForExecution(id);
  caseId = done.steps[0].output.case.id;
}, 60_000);
afterAll(async () => sys?.stop());

type Perm = 'read' | 'review' | 'edit' | 'ingest';
type Who = keyof typeof KEYS | 'none' | 'wrong';
const ALLOWED: Record<Perm, (keyof typeof KEYS)[]> = {
  read: ['viewer', 'reviewer', 'editor', 'admin'],
  review: ['reviewer', 'editor', 'admin'],
  edit: ['editor', 'admin'],
  ingest: ['ingest', 'admin'],
};
const ROLES: (keyof typeof KEYS)[] = ['admin', 'editor', 'reviewer', 'viewer', 'ingest'];

interface Call {
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}
interface Endpoint {
  name: string;
  perm: Perm;
  ok: number;
  /** builds the request; `forAllowed` is true when the caller may do it (so it gets fresh resources) */
  call(forAllowed: boolean): Promise<Call>;
}

const yaml = (name: string) => ({ raw: consoleWorkflow(name), headers: { 'content-type': 'application/yaml' } });

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /api/workflows', perm: 'read', ok: 200, call: async () => ({ method: 'GET', path: '/api/workflows' }) },
  { name: 'GET /api/workflows/{id}', perm: 'read', ok: 200, call: async () => ({ method: 'GET', path: `/api/workflows/${MANUAL}` }) },
  { name: 'PUT /api/workflows/{id}', perm: 'edit', ok: 201, call: async () => ({ method: 'PUT', path: `/api/workflows/${uid('put')}`, ...yaml('put one') }) },
  { name: 'POST /api/workflows', perm: 'edit', ok: 201, call: async () => ({ method: 'POST', path: '/api/workflows', ...yaml(uid('Posted')) }) },
  {
    name: 'DELETE /api/workflows/{id}',
    perm: 'edit',
    ok: 204,
    call: async (allowed) => {
      const id = uid('del');
      if (allowed) await sys.putWorkflow(id, consoleWorkflow('to delete'));
      return { method: 'DELETE', path: `/api/workflows/${allowed ? id : MANUAL}` };
    },
  },
  { name: 'POST /api/workflows/{id}/run', perm: 'edit', ok: 202, call: async () => ({ method: 'POST', path: `/api/workflows/${MANUAL}/run`, body: { inputs: {} } }) },
  { name: 'POST /api/workflows/validate', perm: 'edit', ok: 200, call: async () => ({ method: 'POST', path: '/api/workflows/validate', ...yaml('v') }) },
  { name: 'POST /api/alerts', perm: 'ingest', ok: 202, call: async () => ({ method: 'POST', path: `/api/alerts?workflowId=${MANUAL}`, body: { alerts: [{ host: { name: 'h' } }] } }) },
  { name: 'POST /api/alerts/_bulk', perm: 'ingest', ok: 202, call: async () => ({ method: 'POST', path: `/api/alerts/_bulk?workflowId=${MANUAL}`, raw: '{"a":1}\n{"b":2}\n', headers: { 'content-type': 'application/x-ndjson' } }) },
  { name: 'GET /api/workflowExecutions', perm: 'read', ok: 200, call: async () => ({ method: 'GET', path: '/api/workflowExecutions?limit=5' }) },
  {
    name: 'GET /api/workflowExecutions/{id}',
    perm: 'read',
    ok: 200,
    call: async () => ({ method: 'GET', path: `/api/workflowExecutions/${await anyExecution()}` }),
  },
  {
    name: 'POST /api/workflowExecutions/{id}/resume',
    perm: 'review',
    ok: 200,
    call: async (allowed) => ({ method: 'POST', path: `/api/workflowExecutions/${allowed ? await waitingExecution(sys, GATE) : await sharedWaiting()}/resume`, body: { approved: true } }),
  },
  {
    name: 'POST /api/workflows/executions/{id}/resume',
    perm: 'review',
    ok: 200,
    call: async (allowed) => ({ method: 'POST', path: `/api/workflows/executions/${allowed ? await waitingExecution(sys, GATE) : await sharedWaiting()}/resume`, body: { input: { approved: false } } }),
  },
  {
    name: 'POST /api/workflowExecutions/{id}/cancel',
    perm: 'review',
    ok: 200,
    call: async (allowed) => ({ method: 'POST', path: `/api/workflowExecutions/${allowed ? await waitingExecution(sys, GATE) : await sharedWaiting()}/cancel` }),
  },
  { name: 'GET /api/cases', perm: 'read', ok: 200, call: async () => ({ method: 'GET', path: '/api/cases' }) },
  { name: 'GET /api/cases/{id}', perm: 'read', ok: 200, call: async () => ({ method: 'GET', path: `/api/cases/${caseId}` }) },
  { name: 'POST /api/cases/{id}/comments', perm: 'review', ok: 201, call: async () => ({ method: 'POST', path: `/api/cases/${caseId}/comments`, body: { comment: 'looked at it' } }) },
  { name: 'PATCH /api/cases/{id}', perm: 'review', ok: 200, call: async () => ({ method: 'PATCH', path: `/api/cases/${caseId}`, body: { status: 'in-progress' } }) },
];

let shared: string | null = null;
async function sharedWaiting(): Promise<string> {
  shared ??= await waitingExecution(sys, GATE);
  return shared;
}
let some: string | null = null;
async function anyExecution(): Promise<string> {
  some ??= await run(sys, MANUAL);
  return some;
}

async function send(who: Who, c: Call) {
  if (who === 'none') return sys.request(c.method, c.path, { key: null, body: c.body, raw: c.raw, headers: c.headers });
  if (who === 'wrong') return sys.request(c.method, c.path, { key: null, body: c.body, raw: c.raw, headers: { ...c.headers, authorization: 'ApiKey not-a-key-0123456789' } });
  return sys.request(c.method, c.path, { key: who, body: c.body, raw: c.raw, headers: c.headers });
}

describe.each(ENDPOINTS)('$name', (ep) => {
  it.each(ROLES)('role %s', async (role) => {
    const allowed = ALLOWED[ep.perm].includes(role);
    const r = await send(role, await ep.call(allowed));
    if (allowed) expect({ status: r.status, body: r.body }).toEqual({ status: ep.ok, body: r.body }); // the body shows on failure
    else expectError(r, 403, 'forbidden');
  });

  it('without a key → 401', async () => {
    const r = await send('none', await ep.call(false));
    expectError(r, 401, 'unauthorized');
    expect(r.headers.get('www-authenticate')).toContain('ApiKey');
  });

  it('with a wrong key → 401', async () => {
    expectError(await send('wrong', await ep.call(false)), 401, 'unauthorized');
  });
});

describe('keys', () => {
  it('accepts "Bearer <secret>" as well as "ApiKey <secret>", any case of the scheme', async () => {
    for (const scheme of ['Bearer', 'bearer', 'APIKEY', 'ApiKey']) {
      const r = await sys.request('GET', '/api/workflows', { key: null, headers: { authorization: `${scheme} ${KEYS.viewer}` } });
      expect(r.status).toBe(200);
    }
  });

  it('refuses other schemes and a key with a suffix or prefix', async () => {
    for (const header of [`Basic ${KEYS.viewer}`, `ApiKey ${KEYS.viewer}x`, `ApiKey x${KEYS.viewer}`, KEYS.viewer]) {
      expectError(await sys.request('GET', '/api/workflows', { key: null, headers: { authorization: header } }), 401, 'unauthorized');
    }
  });

  it('records who did what with the key name: triggeredBy, cancellation.by, respondedBy', async () => {
    const manual = await run(sys, MANUAL);
    expect((await sys.waitForExecution(manual)).triggeredBy).toBe(KEY_NAMES.editor);

    const alert = await sys.request('POST', `/api/alerts?workflowId=${GATE}`, { key: 'ingest', body: { alerts: [{ host: { name: 'x' } }] } });
    expect(alert.status).toBe(202);
    const alertExec = await sys.waitForExecution(alert.body.executions[0].executionId, (e) => e.status === 'WAITING_FOR_INPUT');
    expect(alertExec.triggeredBy).toBe(KEY_NAMES.ingest);

    const resumed = await sys.request('POST', `/api/workflowExecutions/${alertExec.id}/resume`, { key: 'reviewer2', body: { approved: true, respondedBy: 'mallory' } });
    expect(resumed.status).toBe(200);
    const done = await sys.waitForExecution(alertExec.id);
    expect(done.steps[0].respondedBy).toBe(KEY_NAMES.reviewer2);
    expect(done.steps[0].output).toEqual({ approved: true, respondedBy: 'mallory' });

    const toCancel = await waitingExecution(sys, GATE);
    expect((await sys.request('POST', `/api/workflowExecutions/${toCancel}/cancel`, { key: 'reviewer' })).status).toBe(200);
    const cancelled = await sys.execution(toCancel);
    expect(cancelled.cancellation).toMatchObject({ reason: 'user', by: KEY_NAMES.reviewer });
  });

  it('keeps a viewer\'s resume attempt in the wait\'s responses (403), and the execution waiting', async () => {
    const id = await waitingExecution(sys, GATE);
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'viewer', body: { approved: true } });
    expectError(r, 403, 'forbidden');
    const e = await sys.execution(id);
    expect(e.status).toBe('WAITING_FOR_INPUT');
    expect(e.steps[0].responses).toEqual([{ by: KEY_NAMES.viewer, at: expect.any(String), accepted: false, code: 403 }]);
  });

  it('serves /api/health and /metrics without a key', async () => {
    const health = await sys.request('GET', '/api/health', { key: null });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', redis: 'ok' } });
    const metrics = await fetch(`${sys.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('flowgate_waiting_for_input');
  });
});
