/** docs/api.md "Executions": list filters, paging and order; the Execution shape; resume and cancel (docs/semantics.md). */
import { System, KEY_NAMES, consoleWorkflow, expectError, gateWorkflow, ISO_MS, isWaiting, run, uid, waitingExecution } from './util';

let sys: System;
const GATE = uid('gate');
const PLAIN = uid('plain');
beforeAll(async () => {
  sys = await System.start({ workers: 2 });
  await sys.putWorkflow(GATE, gateWorkflow('Gate'));
  await sys.putWorkflow(PLAIN, consoleWorkflow('Plain'));
}, 60_000);
afterAll(async () => sys?.stop());

const list = (query: string, key: 'viewer' | 'admin' = 'viewer') => sys.request('GET', `/api/workflowExecutions${query}`, { key });
const resume = (id: string, body: unknown, opts: { key?: 'reviewer' | 'reviewer2' | 'viewer' | 'editor'; query?: string; raw?: string } = {}) =>
  sys.request('POST', `/api/workflowExecutions/${id}/resume${opts.query ?? ''}`, {
    key: opts.key ?? 'reviewer',
    ...(opts.raw !== undefined ? { raw: opts.raw, headers: { 'content-type': 'application/json' } } : { body }),
  });

describe('GET /api/workflowExecutions', () => {
  const ids: string[] = [];
  const wf = uid('paged');
  beforeAll(async () => {
    await sys.putWorkflow(wf, consoleWorkflow('Paged'));
    for (let i = 0; i < 5; i++) ids.push(await run(sys, wf));
    for (const id of ids) await sys.waitForExecution(id);
  });

  it('lists newest first by default, rows with exactly the row fields', async () => {
    const r = await list(`?workflowId=${wf}`);
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.results.map((x: any) => x.id)).toEqual([...ids].reverse());
    expect(r.body.results[0]).toEqual({
      id: ids[4],
      workflowId: wf,
      workflowName: 'Paged',
      status: 'COMPLETED',
      createdAt: expect.stringMatching(ISO_MS),
      startedAt: expect.stringMatching(ISO_MS),
      finishedAt: expect.stringMatching(ISO_MS),
      waitingFor: null,
      summary: { host: null, user: null, rule: null, severity: null, riskScore: null, alertId: null },
      group: ids[4],
      rerunOf: null,
      parent: null,
      answeredBy: null,
      cancellation: null,
      error: null,
    });
    expect(r.body).toMatchObject({ total: 5, truncated: false });
  });

  it('pages with limit and nextCursor, in both orders', async () => {
    for (const order of ['desc', 'asc', 'ASC']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: any = await list(`?workflowId=${wf}&limit=2&order=${order}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        expect(r.body.results.length).toBeLessThanOrEqual(2);
        seen.push(...r.body.results.map((x: any) => x.id));
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(order === 'desc' ? [...ids].reverse() : ids);
      expect(pages).toBe(3);
    }
  });

  it('filters by status (any case, comma-separated) and shows what a row waits for', async () => {
    const g = uid('statuses');
    await sys.putWorkflow(g, gateWorkflow('Statuses', { message: '\\n\\n> ## Isolate **`web-01`** [now](https://x.example)?  \\nsecond line' }));
    const w1 = await waitingExecution(sys, g);
    const w2 = await waitingExecution(sys, g);
    const c = await waitingExecution(sys, g);
    expect((await sys.request('POST', `/api/workflowExecutions/${c}/cancel`, { key: 'reviewer' })).status).toBe(200);

    const waiting = await list(`?workflowId=${g}&status=waiting_for_input`);
    expect(waiting.body.results.map((x: any) => x.id)).toEqual([w2, w1]);
    expect(waiting.body.results[0].waitingFor).toEqual({
      step: 'review',
      since: expect.stringMatching(ISO_MS),
      title: 'Isolate web-01 now?',
      deadline: expect.stringMatching(ISO_MS), // waitForInput's default timeout, 72 h
      onDeadline: 'fail',
      context: { host: 'web-01', user: null, rule: null, severity: null, riskScore: null, alertId: null, group: w2, ai: null },
    });
    expect(waiting.body.results[0].finishedAt).toBeNull();

    const both = await list(`?workflowId=${g}&status=Cancelled,WAITING_FOR_INPUT`);
    expect(both.body.results.map((x: any) => x.id)).toEqual([c, w2, w1]);
    expect(both.body.results[0]).toMatchObject({ status: 'CANCELLED', waitingFor: null, finishedAt: expect.stringMatching(ISO_MS) });

    const all = await list(`?status=completed&limit=500`);
    expect(all.body.results.every((x: any) => x.status === 'COMPLETED')).toBe(true);
    expect(all.body.results.map((x: any) => x.id)).toEqual(expect.arrayContaining(ids));
  });

  it('cuts a wait title to 200 characters', async () => {
    const g = uid('longtitle');
    await sys.putWorkflow(g, gateWorkflow('Long', { message: `# ${'a'.repeat(300)}\\nmore` }));
    await waitingExecution(sys, g);
    const r = await list(`?workflowId=${g}`);
    expect(r.body.results[0].waitingFor.title).toBe('a'.repeat(200));
  });

  it.each([
    ['limit', '?limit=0'],
    ['limit', '?limit=501'],
    ['limit', '?limit=abc'],
    ['limit', '?limit=1.5'],
    ['limit', '?limit=1&limit=2'],
    ['status', '?status=bogus'],
    ['status', '?status=RUNNING,nope'],
    ['order', '?order=sideways'],
    ['cursor', '?cursor=not-a-cursor'],
    ['workflowId', '?workflowId=Bad!'],
    ['archived', '?archived=maybe'],
    ['archived', '?archived=true'], // no archive configured (FLOWGATE_ARCHIVE)
    ['respondedBy', '?respondedBy=alice'], // the archive's filters need archived=true
    ['from', '?from=yesterday'],
    ['from', '?from=2026-01-02&to=2026-01-01'],
    ['severity', '?severity=urgent'],
    ['q', `?q=${'x'.repeat(201)}`],
  ])('answers 400 bad_request naming "%s" for %s', async (param, query) => {
    const r = await list(query);
    expectError(r, 400, 'bad_request');
    expect(r.body.error.message).toContain(`"${param}"`);
  });

  it('accepts the extremes of limit', async () => {
    expect((await list('?limit=1')).body.results.length).toBe(1);
    expect((await list('?limit=500')).status).toBe(200);
  });
});

describe('GET /api/workflowExecutions/{id}', () => {
  it('shows the full Execution shape while waiting, with null for absent values and ISO times', async () => {
    const id = await waitingExecution(sys, GATE);
    const e = (await sys.request('GET', `/api/workflowExecutions/${id}`, { key: 'viewer' })).body;
    expect(Object.keys(e).sort()).toEqual(
      [
        'id',
        'workflowId',
        'workflowName',
        'workflowVersion',
        'trigger',
        'triggeredBy',
        'status',
        'event',
        'inputs',
        'createdAt',
        'startedAt',
        'finishedAt',
        'error',
        'cancellation',
        'waitingFor',
        'steps',
        'archived',
        'summary',
        'group',
        'rerunOf',
        'reruns',
        'parent',
        'output',
        'answeredBy',
      ].sort(),
    );
    expect(e).toMatchObject({
      id,
      workflowId: GATE,
      workflowName: 'Gate',
      workflowVersion: expect.any(String),
      trigger: 'manual',
      triggeredBy: KEY_NAMES.editor,
      status: 'WAITING_FOR_INPUT',
      event: {},
      inputs: { host: 'web-01' },
      createdAt: expect.stringMatching(ISO_MS),
      startedAt: expect.stringMatching(ISO_MS),
      finishedAt: null,
      error: null,
      cancellation: null,
    });
    expect(e.waitingFor).toEqual({
      step: 'review',
      name: 'review',
      type: 'waitForInput',
      message: '## Isolate `web-01`?\nCheck the **evidence** first.',
      schema: { type: 'object', properties: { approved: { type: 'boolean' }, notes: { type: 'string' } }, required: ['approved'] },
      since: expect.stringMatching(ISO_MS),
      title: 'Isolate web-01?',
      deadline: expect.stringMatching(ISO_MS),
      onDeadline: 'fail',
      context: { host: 'web-01', user: null, rule: null, severity: null, riskScore: null, alertId: null, group: id, ai: null },
    });
    expect(e.steps).toEqual([
      {
        name: 'review',
        path: 'review',
        type: 'waitForInput',
        status: 'WAITING_FOR_INPUT',
        iteration: null,
        input: expect.anything(),
        output: null,
        error: null,
        attempts: 1,
        startedAt: expect.stringMatching(ISO_MS),
        finishedAt: null,
        respondedBy: null,
        respondedVia: null,
        notifications: [],
        respondedAt: null,
        responses: [],
        responseCount: 0,
      },
    ]);
  });

  it.each([
    ['a Markdown message', '\\n\\n> ## Isolate **`web-01`** [now](https://x.example)?  \\nsecond line', 'Isolate web-01 now?'],
    ['a message without text (the step name)', '  \\n', 'review'],
    ['a long message (200 characters)', `# ${'é'.repeat(250)}`, 'é'.repeat(200)],
  ])('gives the wait the same title as its list row, for %s', async (_what, message, title) => {
    const g = uid('title');
    await sys.putWorkflow(g, gateWorkflow('Title', { message }));
    const id = await waitingExecution(sys, g);
    const row = (await list(`?workflowId=${g}`)).body.results.find((x: any) => x.id === id);
    const e = (await sys.request('GET', `/api/workflowExecutions/${id}`, { key: 'viewer' })).body;
    expect(row.waitingFor.title).toBe(title);
    expect(e.waitingFor.title).toBe(row.waitingFor.title);
  });

  it('shows answered waits, later steps without wait fields, and labels of waitForApproval', async () => {
    const wf = uid('approval');
    await sys.putWorkflow(
      wf,
      `name: Approval
triggers:
  - type: manual
steps:
  - name: ok
    type: waitForApproval
    with:
      message: "Go?"
      approveLabel: Isolate
  - name: after
    type: console
    with:
      message: "{{ steps.ok.output.approved }}"
`,
    );
    const id = await run(sys, wf);
    const waiting = await sys.waitForExecution(id, isWaiting);
    expect(waiting.waitingFor).toMatchObject({ type: 'waitForApproval', approveLabel: 'Isolate', rejectLabel: 'Decline', title: 'Go?' });
    expect((await resume(id, { approved: true, notes: 'fine' }, { key: 'reviewer2' })).status).toBe(200);
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps[0]).toMatchObject({
      status: 'COMPLETED',
      output: { approved: true, notes: 'fine' },
      respondedBy: KEY_NAMES.reviewer2,
      respondedAt: expect.stringMatching(ISO_MS),
      responses: [{ by: KEY_NAMES.reviewer2, at: expect.stringMatching(ISO_MS), accepted: true, code: 200 }],
    });
    expect(done.steps[1]).toEqual(expect.objectContaining({ name: 'after', output: 'true', finishedAt: expect.stringMatching(ISO_MS) }));
    expect(done.steps[1]).not.toHaveProperty('responses');
    expect(done.finishedAt).toMatch(ISO_MS);
    expect(done.waitingFor).toBeNull();
  });

  it('shows a failed execution\'s error and a step error', async () => {
    const wf = uid('fails');
    await sys.putWorkflow(
      wf,
      `name: Fails
triggers:
  - type: manual
steps:
  - name: stop
    type: workflow.fail
    with:
      message: "nope"
`,
    );
    const e = await sys.waitForExecution(await run(sys, wf));
    expect(e.status).toBe('FAILED');
    expect(e.error).toEqual({ type: expect.any(String), message: expect.stringContaining('nope'), step: 'stop' });
    expect(e.steps[0].error).toMatchObject({ type: expect.any(String), message: expect.stringContaining('nope') });
  });

  it('answers 404 for an unknown id', async () => {
    expectError(await sys.request('GET', '/api/workflowExecutions/01ARZ3NDEKTSV4RRFFQ69G5FAV'), 404, 'not_found');
  });
});

describe('POST /api/workflowExecutions/{id}/resume', () => {
  it('refuses a body that is not a JSON object with 400 and keeps waiting', async () => {
    const id = await waitingExecution(sys, GATE);
    for (const raw of ['[true]', '"yes"', '1', 'null', '{"approved": tru']) expectError(await resume(id, undefined, { raw }), 400, 'bad_request');
    expectError(await resume(id, undefined), 400, 'bad_request');
    const e = await sys.execution(id);
    expect(e.status).toBe('WAITING_FOR_INPUT');
    expect(e.steps[0].responses.map((r: any) => r.code)).toEqual([400, 400, 400, 400, 400, 400]);
  });

  it('validates the answer (400 validation_failed with every error), never unwraps it, then accepts a valid one once', async () => {
    const id = await waitingExecution(sys, GATE);
    const bad = await resume(id, { approved: 'yes', notes: 3 });
    expectError(bad, 400, 'validation_failed');
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        { path: '/approved', keyword: 'type', message: expect.any(String) },
        { path: '/notes', keyword: 'type', message: expect.any(String) },
      ]),
    );
    const wrapped = await resume(id, { input: { approved: true } });
    expectError(wrapped, 400, 'validation_failed');
    expect(wrapped.body.error.details).toEqual([{ path: '/approved', keyword: 'required', message: expect.any(String) }]);

    expectError(await resume(id, { approved: true }, { key: 'viewer' }), 403, 'forbidden');

    const ok = await resume(id, { approved: false, notes: 'benign', respondedBy: 'someone-else' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ executionId: id, status: 'RUNNING', step: 'review' });

    const late = await resume(id, { approved: true }, { key: 'reviewer2' });
    expectError(late, 409, 'not_waiting');
    expect(late.body.error.message).toMatch(/^execution is (RUNNING|COMPLETED)$/);
    expect(late.body.error.details).toEqual([{ status: expect.any(String), step: 'review', respondedBy: KEY_NAMES.reviewer, respondedAt: expect.stringMatching(ISO_MS) }]);

    const done = await sys.waitForExecution(id);
    expect(done.steps[0].output).toEqual({ approved: false, notes: 'benign', respondedBy: 'someone-else' });
    expect(done.steps[0].respondedBy).toBe(KEY_NAMES.reviewer);
    expect(done.steps[0].responses.map((r: any) => [r.by, r.accepted, r.code])).toEqual([
      [KEY_NAMES.reviewer, false, 400],
      [KEY_NAMES.reviewer, false, 400],
      [KEY_NAMES.viewer, false, 403],
      [KEY_NAMES.reviewer, true, 200],
      [KEY_NAMES.reviewer2, false, 409],
    ]);
    const after = await resume(id, { approved: true });
    expect(after.body.error.message).toBe('execution is COMPLETED');
  });

  it('answers 409 step_not_waiting for a stale ?step= and accepts the right one', async () => {
    const id = await waitingExecution(sys, GATE);
    const stale = await resume(id, { approved: true }, { query: '?step=earlier' });
    expectError(stale, 409, 'step_not_waiting');
    expect(stale.body.error.details[0]).toMatchObject({ status: 'WAITING_FOR_INPUT', step: expect.any(String) });
    expect((await resume(id, { approved: true }, { query: '?step=review' })).status).toBe(200);
  });

  it('answers 404 for an unknown id', async () => {
    expectError(await resume('no-such-execution', { approved: true }), 404, 'not_found');
  });

  it('takes the answer from body.input on the Kibana path, which must be an object', async () => {
    const id = await waitingExecution(sys, GATE);
    const path = `/api/workflows/executions/${id}/resume`;
    expectError(await sys.request('POST', path, { key: 'reviewer', body: { approved: true } }), 400, 'bad_request');
    expectError(await sys.request('POST', path, { key: 'reviewer', body: { input: 'yes' } }), 400, 'bad_request');
    expectError(await sys.request('POST', path, { key: 'reviewer', body: { input: [true] } }), 400, 'bad_request');
    expectError(await sys.request('POST', path, { key: 'reviewer', body: [1] }), 400, 'bad_request');
    expectError(await sys.request('POST', path, { key: 'reviewer', body: { input: { approved: 1 } } }), 400, 'validation_failed');
    const ok = await sys.request('POST', path, { key: 'editor', body: { input: { approved: true, notes: 'via kibana' } } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ executionId: id, status: 'RUNNING', step: 'review' });
    const done = await sys.waitForExecution(id);
    expect(done.steps[0]).toMatchObject({ output: { approved: true, notes: 'via kibana' }, respondedBy: KEY_NAMES.editor });
    expectError(await sys.request('POST', path, { key: 'reviewer', body: { input: { approved: true } } }), 409, 'not_waiting');
  });
});

describe('POST /api/workflowExecutions/{id}/cancel', () => {
  it('cancels (200), records who, and answers 409 already_finished after; 404 for unknown ids', async () => {
    const id = await waitingExecution(sys, GATE);
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer2' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ executionId: id, status: 'CANCELLED' });
    const e = await sys.execution(id);
    expect(e).toMatchObject({ status: 'CANCELLED', finishedAt: expect.stringMatching(ISO_MS), waitingFor: null });
    expect(e.cancellation).toEqual({ reason: 'user', by: KEY_NAMES.reviewer2, at: expect.stringMatching(ISO_MS), comment: null });
    expect(e.steps[0].status).toBe('CANCELLED');

    const again = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    expectError(again, 409, 'already_finished');
    expect(again.body.error.message).toBe('execution is CANCELLED');
    expectError(await resume(id, { approved: true }), 409, 'not_waiting');

    const completed = await sys.waitForExecution(await run(sys, PLAIN));
    const late = await sys.request('POST', `/api/workflowExecutions/${completed.id}/cancel`, { key: 'reviewer' });
    expectError(late, 409, 'already_finished');
    expect(late.body.error.message).toBe('execution is COMPLETED');

    expectError(await sys.request('POST', '/api/workflowExecutions/nope/cancel', { key: 'reviewer' }), 404, 'not_found');
  });
});
