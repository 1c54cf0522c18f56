/** Cases (docs/api.md "Cases"): created by workflow steps, listed, shown with comments, commented, status changed. */
import { System, KEY_NAMES, expectError, ISO_MS, run, uid } from './util';

let sys: System;
const WF = uid('cases');
const created: any[] = [];

beforeAll(async () => {
  sys = await System.start({ workers: 1 });
  await sys.putWorkflow(
    WF,
    `name: Case maker
inputs:
  - name: title
    type: string
    required: true
triggers:
  - type: manual
steps:
  - name: open
    type: cases.createCase
    with:
      title: "{{ inputs.title }}"
      description: "made by a test"
      severity: high
      tags: [test, api]
  - name: note
    type: cases.addComment
    with:
      case_id: "{{ steps.open.output.case.id }}"
      comment: "first comment, by the workflow"
`,
  );
  for (let i = 0; i < 5; i++) {
    const e = await sys.waitForExecution(await run(sys, WF, { title: `case ${i}` }));
    created.push({ ...e.steps[0].output.case, executionId: e.id });
  }
}, 60_000);
afterAll(async () => sys?.stop());

const CASE = {
  id: expect.any(String),
  title: expect.any(String),
  description: 'made by a test',
  severity: 'high',
  status: 'open',
  tags: ['test', 'api'],
  executionId: expect.any(String),
  createdAt: expect.stringMatching(ISO_MS),
  updatedAt: expect.stringMatching(ISO_MS),
};

describe('GET /api/cases', () => {
  it('lists cases newest first with {results, nextCursor}, paging with limit and cursor', async () => {
    const all = await sys.request('GET', '/api/cases', { key: 'viewer' });
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.results.map((c: any) => c.title)).toEqual(['case 4', 'case 3', 'case 2', 'case 1', 'case 0']);
    expect(all.body.results[0]).toEqual({ ...CASE, title: 'case 4', executionId: created[4].executionId });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await sys.request('GET', `/api/cases?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: 'viewer' });
      expect(r.status).toBe(200);
      seen.push(...r.body.results.map((c: any) => c.title));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['case 4', 'case 3', 'case 2', 'case 1', 'case 0']);
    expect(pages).toBe(3);
  });

  it('filters by status', async () => {
    const target = created[2];
    expect((await sys.request('PATCH', `/api/cases/${target.id}`, { key: 'reviewer', body: { status: 'closed' } })).status).toBe(200);
    const closed = await sys.request('GET', '/api/cases?status=closed', { key: 'viewer' });
    expect(closed.body.results.map((c: any) => c.id)).toEqual([target.id]);
    const open = await sys.request('GET', '/api/cases?status=open', { key: 'viewer' });
    expect(open.body.results.map((c: any) => c.id)).not.toContain(target.id);
    expect(open.body.results.every((c: any) => c.status === 'open')).toBe(true);
  });

  it('answers 400 for a bad status, limit or cursor', async () => {
    for (const q of ['?status=done', '?limit=0', '?limit=x', '?cursor=%7Bnope%7D']) expectError(await sys.request('GET', `/api/cases${q}`, { key: 'viewer' }), 400, 'bad_request');
  });
});

describe('GET /api/cases/{id}', () => {
  it('shows a case with its comments, oldest first', async () => {
    const c = created[0];
    await sys.request('POST', `/api/cases/${c.id}/comments`, { key: 'reviewer', body: { comment: 'second' } });
    const r = await sys.request('GET', `/api/cases/${c.id}`, { key: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ...CASE, id: c.id, title: 'case 0' });
    expect(r.body.comments.map((x: any) => x.comment)).toEqual(['first comment, by the workflow', 'second']);
    expect(r.body.comments[1]).toEqual({ id: expect.any(String), case_id: c.id, comment: 'second', author: KEY_NAMES.reviewer, createdAt: expect.stringMatching(ISO_MS) });
  });

  it('answers 404 for an unknown case', async () => {
    expectError(await sys.request('GET', '/api/cases/00000000-0000-0000-0000-000000000000', { key: 'viewer' }), 404, 'not_found');
  });
});

describe('POST /api/cases/{id}/comments', () => {
  it('adds a comment (201 Comment) authored by the key name, never by the body', async () => {
    const c = created[1];
    const r = await sys.request('POST', `/api/cases/${c.id}/comments`, { key: 'editor', body: { comment: '**Checked** the host.', author: 'mallory' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(String), case_id: c.id, comment: '**Checked** the host.', author: KEY_NAMES.editor, createdAt: expect.stringMatching(ISO_MS) });
    const after = await sys.request('GET', `/api/cases/${c.id}`);
    expect(after.body.comments.at(-1)).toEqual(r.body);
  });

  it('answers 400 without a comment, 404 for an unknown case', async () => {
    const c = created[1];
    for (const body of [{}, { comment: '' }, { comment: 5 }, ['x']]) expectError(await sys.request('POST', `/api/cases/${c.id}/comments`, { key: 'reviewer', body }), 400, 'bad_request');
    expectError(await sys.request('POST', `/api/cases/${c.id}/comments`, { key: 'reviewer' }), 400, 'bad_request');
    expectError(await sys.request('POST', '/api/cases/nope/comments', { key: 'reviewer', body: { comment: 'x' } }), 404, 'not_found');
  });
});

describe('PATCH /api/cases/{id}', () => {
  it('sets the status (200 Case) and moves updatedAt', async () => {
    const c = created[3];
    const r = await sys.request('PATCH', `/api/cases/${c.id}`, { key: 'reviewer', body: { status: 'in-progress' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ...CASE, id: c.id, title: 'case 3', status: 'in-progress', executionId: c.executionId });
    expect(Date.parse(r.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.updatedAt));
    expect((await sys.request('GET', `/api/cases/${c.id}`)).body.status).toBe('in-progress');
  });

  it('answers 400 for an unknown status, 404 for an unknown case', async () => {
    const c = created[3];
    for (const body of [{ status: 'done' }, { status: 'OPEN' }, {}, { status: null }]) expectError(await sys.request('PATCH', `/api/cases/${c.id}`, { key: 'reviewer', body }), 400, 'bad_request');
    expectError(await sys.request('PATCH', '/api/cases/nope', { key: 'reviewer', body: { status: 'closed' } }), 404, 'not_found');
  });
});

describe("GET /api/cases/{id} with Kibana's catalog", () => {
  it('shows the observables, alerts, events, attachments, assignees, category and custom fields the steps wrote', async () => {
    const wf = uid('catalog');
    await sys.putWorkflow(
      wf,
      `name: Catalog
triggers:
  - type: manual
steps:
  - name: open
    type: cases.createCase
    with: { title: "catalog case", tags: [edr] }
  - name: iocs
    type: cases.addObservables
    with:
      case_id: "{{ steps.open.output.case.id }}"
      observables: [{ typeKey: observable-type-ipv4, value: 10.0.0.8, description: Source IP }]
  - name: alerts
    type: cases.addAlerts
    with:
      case_id: "{{ steps.open.output.case.id }}"
      alerts: [{ alertId: alert-1, index: .alerts-security.alerts-default, rule: { id: r1, name: Mimikatz } }]
  - name: more
    type: cases.addAttachments
    with:
      case_id: "{{ steps.open.output.case.id }}"
      attachments: [{ type: event, eventId: ev-1, index: logs }, { type: externalReference, externalReferenceId: T-1 }]
  - name: who
    type: cases.updateCase
    with:
      case_id: "{{ steps.open.output.case.id }}"
      updates: { assignees: [{ uid: u-1 }], category: Malware, customFields: [{ key: ticket, type: text, value: T-1 }] }
`,
    );
    const e = await sys.waitForExecution(await run(sys, wf, {}));
    expect(e.status).toBe('COMPLETED');
    const id = e.steps[0].output.case.id;
    const r = await sys.request('GET', `/api/cases/${id}`, { key: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id,
      tags: ['edr'],
      assignees: [{ uid: 'u-1' }],
      category: 'Malware',
      customFields: [{ key: 'ticket', type: 'text', value: 'T-1' }],
      observables: [{ id: expect.any(String), typeKey: 'observable-type-ipv4', value: '10.0.0.8', description: 'Source IP', createdAt: expect.stringMatching(ISO_MS), updatedAt: expect.stringMatching(ISO_MS) }],
      alerts: [{ alertId: 'alert-1', index: '.alerts-security.alerts-default', rule: { id: 'r1', name: 'Mimikatz' }, attachedAt: expect.stringMatching(ISO_MS) }],
      events: [{ eventId: 'ev-1', index: 'logs', attachedAt: expect.stringMatching(ISO_MS) }],
      attachments: [{ id: expect.any(String), type: 'externalReference', data: { externalReferenceId: 'T-1' }, attachedAt: expect.stringMatching(ISO_MS) }],
      totalAlerts: 1,
      totalEvents: 1,
      comments: [],
    });
  });
});
