/**
 * The execution view and the executions list (issue 12, "The reviewer's queue") in headless Chromium
 * against the real system (redis-server, the API serving packages/ui/dist, a worker): the decision
 * card that stays after an answer, "Next request", evidence (alert fields, AI card, case, related
 * runs), the phone layout with ?resume=true, re-run and cancel with a reason, a/r on approvals, and
 * the list's columns, search, time range and total. Run `pnpm build` first.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KEY_NAMES, ROOT, System } from '../helpers/system';
import { expectClean, launch, openPage, signIn, type Watched } from './harness';

jest.setTimeout(90_000);

let sys: System;
let browser: Browser;
const pages: Watched[] = [];

// As in reviewer-ui.test.ts: FLOWGATE_SCREENSHOTS=1 refreshes docs/images/, a plain run writes to a temporary folder.
const IMAGES = process.env.FLOWGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : join(tmpdir(), 'flowgate-screenshots');

/** A triage request answered with a form: a select and a text field, titled; the wait has its own timeout (its deadline). */
const triage = (timeout: string) => `
name: Triage (${timeout} to answer)
triggers:
  - type: alert
steps:
  - name: open_case
    type: cases.createCase
    with:
      title: "Suspicious login on {{ event.alerts[0].host.name }}"
      severity: high
  - name: classify
    type: data.set
    with:
      category: "{{ event.alerts[0].labels.category | default: 'needs_review' }}"
      confidence: 0.87
      rationale: "Logon from a new country followed by a mailbox rule."
  - name: review
    type: waitForInput
    timeout: ${timeout}
    with:
      message: |
        ## Contain {{ event.alerts[0].host.name }}?
        **User:** {{ event.alerts[0].user.name }} · **AI:** {{ steps.classify.output.category }}

        Pick a containment level.
      schema:
        type: object
        properties:
          level:
            type: string
            title: Containment level
            enum: [monitor, reset-password, isolate]
          notes:
            type: string
            title: Analyst notes
        required: [level]
  - name: done
    type: console
    with:
      message: "{{ steps.review.output.level }}"
`;

/** Answered through the API: a boolean and an array, to see Yes/No and joined values. */
const CHECKLIST = `
name: Post-incident checklist
triggers:
  - type: alert
steps:
  - name: checklist
    type: waitForInput
    with:
      message: "## Checklist for {{ event.alerts[0].host.name }}"
      schema:
        type: object
        properties:
          contained: { type: boolean, title: Host contained }
          actions: { type: array, title: Actions taken, items: { type: string } }
          owner:
            type: object
            title: Owner
            properties:
              email: { type: string, title: Owner e-mail }
`;

const EXPIRES = `
name: Expiring request
triggers:
  - type: alert
steps:
  - name: ask
    type: waitForInput
    timeout: 1s
    with:
      message: "## Still relevant for {{ event.alerts[0].host.name }}?"
`;

const APPROVAL = `
name: Block sender domain
triggers:
  - type: alert
steps:
  - name: approve
    type: waitForApproval
    with:
      message: |
        ## Block the domain {{ event.alerts[0].domain }}?
      approveLabel: Block domain
      rejectLabel: Leave open
`;

/** A single required boolean with notes: the form answers it in one click (Yes / No), so a / r work on it too. */
const YESNO = `
name: Isolate with one click
triggers:
  - type: alert
steps:
  - name: review
    type: waitForInput
    with:
      message: "## Isolate {{ event.alerts[0].host.name }}?"
      schema:
        type: object
        properties:
          approved: { type: boolean, title: Isolate the host }
          notes: { type: string, title: Analyst notes }
        required: [approved]
`;

const FAILS = `
name: Enrich and fail
triggers:
  - type: alert
steps:
  - name: note
    type: console
    with:
      message: "enriching {{ event.alerts[0].host.name }}"
  - name: stop
    type: workflow.fail
    with:
      message: "enrichment source unavailable"
`;

const HOLD = `
name: Hold for review
triggers:
  - type: alert
steps:
  - name: hold
    type: waitForApproval
    with:
      message: "## Keep {{ event.alerts[0].host.name }} under watch?"
`;

/** A parent that runs HOLD as a child (workflow.execute) and waits for it. */
const VIA_CHILD = `
name: Hold through a child
triggers:
  - type: alert
steps:
  - name: ask_lead
    type: workflow.execute
    with:
      workflow-id: hold
`;

/** Kibana's case catalog on one alert: the case page shows what the steps attached. */
const CASE_CATALOG = `
name: Alert to case
triggers:
  - type: alert
steps:
  - name: open_case
    type: cases.createCase
    with:
      title: "Credential dumping on {{ event.alerts[0].host.name }}"
      severity: high
      category: Intrusion
  - name: attach
    type: cases.addAlerts
    with:
      case_id: "{{ steps.open_case.output.case.id }}"
      alerts:
        - { alertId: "{{ event.alerts[0]._id }}", index: .alerts-security.alerts-default, rule: { id: r-1, name: Credential Dumping } }
  - name: iocs
    type: cases.addObservables
    with:
      case_id: "{{ steps.open_case.output.case.id }}"
      observables:
        - { typeKey: observable-type-ipv4, value: "{{ event.alerts[0].source.ip }}", description: source address }
  - name: assign
    type: cases.assignCase
    with:
      case_id: "{{ steps.open_case.output.case.id }}"
      assignees: [{ uid: soc-oncall }]
  - name: ticket
    type: cases.setCustomField
    with:
      case_id: "{{ steps.open_case.output.case.id }}"
      field_name: ticket
      value: INC-5521
`;

async function postAlert(workflowId: string, alert: Record<string, unknown>, rule = 'Impossible travel'): Promise<string> {
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflowId}`, { key: 'ingest', body: { alerts: [alert], rule: { id: 'r-9', name: rule, severity: 'high', risk_score: 73 } } });
  expect(r.status).toBe(202);
  expect(r.body.executions).toHaveLength(1);
  return r.body.executions[0].executionId;
}

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

async function watched(key: Parameters<typeof signIn>[1], path = '/', viewport?: { width: number; height: number }): Promise<Watched> {
  const w = await openPage(browser, sys.baseUrl, viewport);
  pages.push(w);
  await signIn(w.page, key, path);
  return w;
}

/** Cancels every execution still waiting, so that each test starts with an empty inbox. */
async function clearInbox(): Promise<void> {
  const r = await sys.request('GET', '/api/workflowExecutions?status=WAITING_FOR_INPUT&limit=500');
  await Promise.all(r.body.results.map((x: any) => sys.request('POST', `/api/workflowExecutions/${x.id}/cancel`, { key: 'reviewer' })));
  await Promise.all(r.body.results.map((x: any) => sys.waitForExecution(x.id)));
}

const decision = (page: Page) => page.getByRole('region', { name: 'Decision needed' });
const record = (page: Page, name: string | RegExp = 'Decision recorded') => page.getByRole('region', { name });
/** The rows of the answer table as [label, value] pairs. */
const answerOf = (page: Page) => record(page).getByTestId('answer').locator('tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]));

beforeAll(async () => {
  [sys, browser] = await Promise.all([System.start({ workers: 1 }), launch()]);
  await sys.putWorkflow('triage-slow', triage('2h'));
  await sys.putWorkflow('triage-fast', triage('30m'));
  await sys.putWorkflow('checklist', CHECKLIST);
  await sys.putWorkflow('expires', EXPIRES);
  await sys.putWorkflow('block-domain', APPROVAL);
  await sys.putWorkflow('enrich-fail', FAILS);
  await sys.putWorkflow('hold', HOLD);
  await sys.putWorkflow('yes-no', YESNO);
  await sys.putWorkflow('via-child', VIA_CHILD);
  await sys.putWorkflow('alert-to-case', CASE_CATALOG);
  mkdirSync(IMAGES, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

afterEach(async () => {
  const open = pages.splice(0);
  await Promise.all(open.map((w) => w.context.close()));
  for (const w of open) expectClean(w);
});

describe('execution view', () => {
  it('answering keeps a decision card (schema titles, who, when, channel) after a reload; "Next request" opens the soonest deadline with focus on it', async () => {
    await clearInbox();
    // The current request and an older one due in 2 h, then a newer one due in 30 min: that one is next.
    const current = await postAlert('triage-slow', { host: { name: 'fin-ws-042' }, user: { name: 'jsmith' }, labels: { category: 'confirmed_compromise' } });
    const older = await postAlert('triage-slow', { host: { name: 'dc-02' }, user: { name: 'svc-backup' } });
    const soonest = await postAlert('triage-fast', { host: { name: 'mkt-laptop-17' }, user: { name: 'akhan' } });
    for (const id of [current, older, soonest]) await sys.waitForExecution(id, waiting);

    const { page } = await watched('reviewer', `/executions/${current}?resume=true&from=inbox`);
    const panel = decision(page);
    await panel.waitFor();
    // Opened from the inbox: the breadcrumb says so; the answer has the focus.
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').innerText()).toBe('Inbox');
    await page.waitForFunction(() => document.activeElement?.closest('.decision') != null);

    await panel.getByLabel('Containment level').selectOption('isolate');
    await panel.getByLabel('Analyst notes').fill('Token theft confirmed; isolating.');
    await panel.getByRole('button', { name: 'Submit answer' }).click();

    // The decision card replaces the form and takes the focus.
    const card = record(page);
    await card.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.activeElement?.closest('.decision-record') != null);
    const check = async () => {
      expect(await answerOf(page)).toEqual([
        ['Containment level', 'isolate'],
        ['Analyst notes', 'Token theft confirmed; isolating.'],
      ]);
      const meta = await card.getByTestId('record-meta').innerText();
      expect(meta).toMatch(new RegExp(`Answered by ${KEY_NAMES.reviewer} .*\\d{2}:\\d{2}:\\d{2}.*(UTC|GMT).* via web app`));
      // The message as it was shown, rendered as Markdown.
      await card.getByLabel('Message as shown').getByRole('heading', { name: 'Contain fin-ws-042?' }).waitFor();
      expect(await card.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    };
    await check();
    const done = await sys.waitForExecution(current);
    expect(done.steps.find((s: any) => s.path === 'review')).toMatchObject({ respondedBy: KEY_NAMES.reviewer, respondedVia: 'ui', output: { level: 'isolate', notes: 'Token theft confirmed; isolating.' } });

    // It stays after a reload.
    await page.reload();
    await card.waitFor();
    await check();
    await page.locator('.page-sub .badge', { hasText: 'Completed' }).waitFor();
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(IMAGES, 'decision-card.png') });

    // Next request (2): the one due soonest, not the oldest; its form gets the focus.
    const next = page.getByRole('button', { name: 'Next request (2)' });
    await next.waitFor({ timeout: 10_000 });
    await next.click();
    await page.waitForURL(`**/executions/${soonest}?resume=true&from=inbox`);
    await decision(page).getByLabel('Message').getByRole('heading', { name: 'Contain mkt-laptop-17?' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('.decision') != null);
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').innerText()).toBe('Inbox');
    await page.getByRole('button', { name: 'Next request (1)' }).waitFor({ timeout: 10_000 });
  });

  it('an answer given through the API shows Yes/No, joined lists and nested titles, "via API"; a timed-out wait says so', async () => {
    const id = await postAlert('checklist', { host: { name: 'web-prod-07' } });
    await sys.waitForExecution(id, waiting);
    const r = await sys.request('POST', `/api/workflowExecutions/${id}/resume?step=checklist`, { key: 'reviewer2', body: { contained: true, actions: ['reset password', 'revoked tokens'], owner: { email: 'sam@example.com' } } });
    expect(r.status).toBe(200);
    const expired = await postAlert('expires', { host: { name: 'old-box-3' } });
    await sys.waitForExecution(id);
    await sys.waitForExecution(expired, (e) => e.status === 'FAILED');

    const { page } = await watched('viewer', `/executions/${id}`);
    await record(page).waitFor();
    expect(await answerOf(page)).toEqual([
      ['Host contained', 'Yes'],
      ['Actions taken', 'reset password, revoked tokens'],
      ['Owner › Owner e-mail', 'sam@example.com'],
    ]);
    expect(await record(page).getByTestId('record-meta').innerText()).toMatch(new RegExp(`Answered by ${KEY_NAMES.reviewer2} .* via API`));
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').innerText()).toBe('Executions');

    await page.goto(`/executions/${expired}`);
    const timedOut = record(page, 'Timed out — no answer');
    await timedOut.waitFor();
    expect(await timedOut.innerText()).toMatch(/Nobody answered in time/);
    expect(await timedOut.getByLabel('Message as shown').innerText()).toContain('Still relevant for old-box-3?');
  });

  it('evidence: summary first, the alert as a field table with copy buttons, the AI card, the case link and related runs', async () => {
    await clearInbox();
    const long = `powershell.exe -NoProfile -EncodedCommand ${'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA'.repeat(4)}`;
    const alert = {
      '@timestamp': '2026-03-03T14:03:12.345Z',
      host: { name: 'fin-ws-042', ip: ['10.1.2.3', 'fe80::1'], os: { family: 'windows' } },
      user: { name: 'jsmith', domain: 'CORP' },
      process: { name: 'powershell.exe', command_line: long, parent: { name: 'winword.exe' } },
      kibana: { alert: { uuid: 'a1b2c3d4-alert', severity: 'critical', risk_score: 99 } },
      labels: { category: 'confirmed_compromise' },
    };
    const id = await postAlert('triage-slow', alert, 'Encoded PowerShell from Office');
    await sys.waitForExecution(id, waiting);

    const { page, context } = await watched('reviewer', `/executions/${id}`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await decision(page).waitFor();

    // The summary (from the API's `summary`) comes first, with the case the run opened.
    const summary = page.getByRole('region', { name: 'Summary' });
    const text = await summary.innerText();
    expect(text).toMatch(/Host\s+fin-ws-042[\s\S]*Rule\s+Encoded PowerShell from Office[\s\S]*Severity\s+Critical[\s\S]*User\s+jsmith[\s\S]*Risk score\s+99[\s\S]*Alert id\s+a1b2c3d4-alert[\s\S]*Case\s+Suspicious login on fin-ws-042/);
    const order = await page.evaluate(() => {
      const y = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().top;
      return { summary: y('.summary-bar'), decision: y('.decision'), steps: y('#timeline-h') };
    });
    expect(order.summary).toBeLessThan(order.decision);
    expect(order.decision).toBeLessThan(order.steps);

    // The alert, flattened, nothing cut off; a copy button per value.
    const fields = page.getByTestId('alert-fields');
    const value = (path: string) => fields.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}$`) }) }).locator('td.field-value');
    expect(await value('host.name').innerText()).toBe('fin-ws-042');
    expect(await value('host.ip').innerText()).toBe('10.1.2.3, fe80::1');
    expect(await value('process.parent.name').innerText()).toBe('winword.exe');
    expect(await value('kibana.alert.risk_score').innerText()).toBe('99');
    expect(await value('process.command_line').innerText()).toBe(long);
    const box = await value('process.command_line').boundingBox();
    expect(box!.height).toBeGreaterThan(40); // wrapped, not cut
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await fields.getByRole('button', { name: 'Copy user.name' }).click();
    await fields.getByRole('button', { name: 'Copy user.name' }).getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('jsmith');

    // The AI verdict as a card.
    const ai = page.getByRole('region', { name: 'AI classification' });
    expect(await ai.innerText()).toMatch(/Category\s+confirmed_compromise[\s\S]*Confidence\s+87%[\s\S]*Logon from a new country/);

    // Related: an earlier run for the same host, answered, with who and when.
    const earlier = await postAlert('hold', { host: { name: 'fin-ws-042' }, user: { name: 'other' } });
    await sys.waitForExecution(earlier, waiting);
    expect((await sys.request('POST', `/api/workflowExecutions/${earlier}/resume?step=hold`, { key: 'reviewer2', body: { approved: false } })).status).toBe(200);
    await sys.waitForExecution(earlier);
    await page.reload();
    const related = page.getByRole('region', { name: 'Related' });
    const item = related.locator('li', { has: page.getByRole('link', { name: 'Hold for review' }) });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.innerText()).toMatch(new RegExp(`Completed[\\s\\S]*answered by ${KEY_NAMES.reviewer2} .*\\d{2}:\\d{2}`));

    // An elasticsearch.search step's hits as a table (no Elasticsearch here: the step record is added to the API's answer).
    await page.route(`**/api/workflowExecutions/${id}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const hit = (i: number) => ({ _index: 'logs-auth', _id: `h${i}`, _source: { '@timestamp': `2026-03-03T14:0${i}:00.000Z`, event: { action: 'logon-failed' }, source: { ip: `203.0.113.${i}` }, user: { name: 'jsmith' } } });
      body.steps.splice(2, 0, { name: 'logons', path: 'logons', type: 'elasticsearch.search', status: 'COMPLETED', iteration: null, input: {}, output: { hits: { total: { value: 3 }, hits: [hit(1), hit(2), hit(3)] } }, error: null, attempts: 1, startedAt: body.createdAt, finishedAt: body.createdAt });
      await route.fulfill({ response: res, json: body });
    });
    await page.reload();
    const hits = page.getByTestId('search-hits');
    await hits.waitFor();
    expect(await hits.locator('thead th').allInnerTexts()).toEqual(['@timestamp', 'event.action', 'source.ip', 'user.name']);
    expect(await hits.locator('tbody tr').nth(1).locator('td').allInnerTexts()).toEqual(['2026-03-03T14:02:00.000Z', 'logon-failed', '203.0.113.2', 'jsmith']);
    await page.unroute(`**/api/workflowExecutions/${id}`);

    await page.mouse.move(0, 0);
    await page.evaluate(() => document.querySelector('[data-testid="alert-fields"]')!.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(IMAGES, 'evidence.png') });

    // The case link opens the case.
    await summary.getByRole('link', { name: 'Suspicious login on fin-ws-042' }).click();
    await page.waitForURL(/\/cases\/[^/]+$/);
    await page.getByRole('heading', { name: 'Suspicious login on fin-ws-042' }).waitFor();
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('at 390 px, ?resume=true keeps the host in view below the sticky header, summary before the steps', async () => {
    await clearInbox();
    const id = await postAlert('triage-slow', { host: { name: 'branch-pos-311' }, user: { name: 'cashier7' } }, 'Malware detected on point of sale');
    await postAlert('triage-fast', { host: { name: 'branch-pos-312' }, user: { name: 'cashier8' } });
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}?resume=true&from=inbox`, { width: 390, height: 844 });
    await decision(page).waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('.decision') != null);
    await page.waitForTimeout(300);
    const view = await page.evaluate(() => {
      const header = document.querySelector('.sidebar')!.getBoundingClientRect();
      const host = document.querySelector('.decision-host')!.getBoundingClientRect();
      const kicker = document.querySelector('.decision-kicker')!.getBoundingClientRect();
      const y = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().top + window.scrollY;
      return { headerBottom: header.bottom, host: { top: host.top, bottom: host.bottom }, kicker: kicker.top, innerHeight: window.innerHeight, scrollWidth: document.documentElement.scrollWidth, summary: y('.summary-bar'), steps: y('#timeline-h'), hostText: document.querySelector('.decision-host')!.textContent };
    });
    expect(view.hostText).toBe('branch-pos-311');
    expect(view.host.top).toBeGreaterThanOrEqual(view.headerBottom);
    expect(view.kicker).toBeGreaterThanOrEqual(view.headerBottom);
    expect(view.host.bottom).toBeLessThanOrEqual(view.innerHeight);
    expect(view.scrollWidth).toBeLessThanOrEqual(390);
    expect(view.summary).toBeLessThan(view.steps);
    await page.screenshot({ path: join(IMAGES, 'execution-phone.png') });
  });

  it('re-run of a failed execution: a new execution with the same event, linked both ways; a cancel reason shows in the view', async () => {
    const failed = await postAlert('enrich-fail', { host: { name: 'srv-db-09' }, user: { name: 'dba' } });
    await sys.waitForExecution(failed, (e) => e.status === 'FAILED');
    const { page } = await watched('reviewer', `/executions/${failed}`);
    await page.locator('.page-sub .badge', { hasText: 'Failed' }).waitFor();
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((u) => /\/executions\/[0-9A-Z]{26}$/.test(u.pathname) && !u.pathname.endsWith(failed));
    const rerun = new URL(page.url()).pathname.split('/').pop()!;
    const rerunOf = page.getByTestId('rerun-of');
    await rerunOf.waitFor();
    expect(await rerunOf.getByRole('link').getAttribute('href')).toBe(`/executions/${failed}`);
    const [a, b] = await Promise.all([sys.execution(failed), sys.waitForExecution(rerun)]);
    expect(b.event).toEqual(a.event);
    expect(b.rerunOf).toBe(failed);
    expect(a.reruns).toEqual([rerun]);
    await rerunOf.getByRole('link').click();
    await page.waitForURL(`**/executions/${failed}`);
    expect(await page.getByTestId('rerun-as').getByRole('link').getAttribute('href')).toBe(`/executions/${rerun}`);

    // Cancel with a reason.
    const id = await postAlert('hold', { host: { name: 'srv-db-10' } });
    await sys.waitForExecution(id, waiting);
    await page.goto(`/executions/${id}`);
    await decision(page).waitFor();
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this execution?' });
    await dialog.getByLabel(/Reason/).fill('Duplicate of INC-4411; handled by phone.');
    await dialog.getByRole('button', { name: 'Cancel execution' }).click();
    await page.locator('.page-sub .badge', { hasText: 'Cancelled' }).waitFor();
    expect(await page.getByTestId('cancellation').innerText()).toContain('Reason: Duplicate of INC-4411; handled by phone.');
    const card = record(page, 'Cancelled — no answer');
    await card.waitFor();
    expect(await card.getByTestId('cancel-reason').innerText()).toContain('Duplicate of INC-4411; handled by phone.');
    expect((await sys.execution(id)).cancellation).toMatchObject({ reason: 'user', by: KEY_NAMES.reviewer, comment: 'Duplicate of INC-4411; handled by phone.' });
    // A cancelled execution can be re-run too; a viewer sees no Re-run button.
    await page.getByRole('button', { name: 'Re-run' }).waitFor();
    const viewer = await watched('viewer', `/executions/${id}`);
    await viewer.page.locator('.page-sub .badge', { hasText: 'Cancelled' }).waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Re-run' }).count()).toBe(0);
  });

  it('workflow.execute: the parent step links to its child, the child to its parent; cancelling the parent cancels the child', async () => {
    const parent = await postAlert('via-child', { host: { name: 'srv-app-03' } });
    const waitingParent = await sys.waitForExecution(parent, (e) => e.status === 'WAITING');
    const child: string = waitingParent.steps[0].child;
    expect(child).toMatch(/^[0-9A-Z]{26}$/);
    expect((await sys.waitForExecution(child, waiting)).parent).toEqual({ executionId: parent, step: 'ask_lead' });
    const { page } = await watched('reviewer', `/executions/${parent}`);
    const childLink = page.getByTestId('child-link').getByRole('link');
    await childLink.waitFor();
    expect(await childLink.getAttribute('href')).toBe(`/executions/${child}`);
    await childLink.click();
    await page.waitForURL(`**/executions/${child}`);
    const parentLine = page.getByTestId('parent-link');
    await parentLine.waitFor();
    expect(await parentLine.innerText()).toContain('at step ask_lead');
    expect(await parentLine.getByRole('link').getAttribute('href')).toBe(`/executions/${parent}`);
    expect((await sys.request('POST', `/api/workflowExecutions/${parent}/cancel`, { key: 'reviewer' })).status).toBe(200);
    expect((await sys.waitForExecution(child)).status).toBe('CANCELLED');
  });

  it("the case page shows what Kibana's case steps attached: observables, alerts, assignees, category, custom fields", async () => {
    const id = await postAlert('alert-to-case', { _id: 'alrt-77', host: { name: 'srv-web-07' }, source: { ip: '203.0.113.9' } });
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    const caseId = done.steps.find((s: any) => s.path === 'open_case').output.case.id;
    const { page } = await watched('viewer', `/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Credential dumping on srv-web-07' }).waitFor();
    const rows = (name: string) => page.getByRole('table', { name }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(0, -1).map((td) => td.textContent!.trim())));
    expect(await rows('Observables')).toEqual([['IPv4', '203.0.113.9', 'source address']]);
    expect(await rows('Attached alerts')).toEqual([['alrt-77', '.alerts-security.alerts-default', 'Credential Dumping']]);
    const fact = (term: string) => page.locator('.facts div', { has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd').innerText();
    expect(await fact('Assignees')).toBe('soc-oncall');
    expect(await fact('Category')).toBe('Intrusion');
    expect(await fact('ticket')).toBe('INC-5521');
    const api = (await sys.request('GET', `/api/cases/${caseId}`)).body;
    expect(api).toMatchObject({ category: 'Intrusion', assignees: [{ uid: 'soc-oncall' }], observables: [{ value: '203.0.113.9' }], alerts: [{ alertId: 'alrt-77' }] });
  });

  it('a / r approve or reject a waitForApproval when focus is not in a text field', async () => {
    const id = await postAlert('block-domain', { domain: 'login-micros0ft.example' });
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}`);
    const panel = decision(page);
    await panel.waitFor();
    // Typing "a" and "r" in the notes writes them.
    const notes = panel.getByLabel(/Notes/);
    await notes.click();
    await page.keyboard.type('a rare kit');
    expect(await notes.inputValue()).toBe('a rare kit');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    // Out of the field, "a" approves (with the notes).
    await page.locator('h1').click();
    await page.keyboard.press('a');
    await record(page).waitFor({ timeout: 10_000 });
    expect(await answerOf(page)).toEqual([
      ['Decision', 'Approved — Block domain'],
      ['Notes', 'a rare kit'],
    ]);
    expect((await sys.waitForExecution(id)).steps[0].output).toEqual({ approved: true, notes: 'a rare kit' });

    const other = await postAlert('block-domain', { domain: 'invoice-portal.example' });
    await sys.waitForExecution(other, waiting);
    await page.goto(`/executions/${other}`);
    await decision(page).waitFor();
    await page.keyboard.press('r');
    await record(page).waitFor({ timeout: 10_000 });
    expect(await answerOf(page)).toEqual([['Decision', 'Rejected — Leave open']]);

    // The same on a yes/no form answered in one click.
    const yesNo = await postAlert('yes-no', { host: { name: 'lab-vm-5' } });
    await sys.waitForExecution(yesNo, waiting);
    await page.goto(`/executions/${yesNo}`);
    await decision(page).locator('button.btn-approve').waitFor();
    await page.keyboard.press('a');
    await record(page).waitFor({ timeout: 10_000 });
    expect(await answerOf(page)).toEqual([['Isolate the host', 'Yes']]);
    expect((await sys.waitForExecution(yesNo)).steps[0].output).toEqual({ approved: true });
  });
});

describe('executions list', () => {
  it('shows host, rule, outcome and who answered; searching a host narrows it; the total is shown; time ranges', async () => {
    const { page } = await watched('editor', '/executions');
    const table = page.locator('table.table');
    await table.waitFor();
    expect(await table.locator('thead th').allInnerTexts()).toEqual(expect.arrayContaining(['OUTCOME', 'WORKFLOW', 'HOST', 'RULE', 'ANSWERED BY']));
    const total = page.getByTestId('total');
    await total.waitFor();
    const all = (await sys.request('GET', '/api/workflowExecutions?limit=1')).body.total;
    expect(await total.innerText()).toMatch(new RegExp(`^${all} executions`));

    // Search a host: only its executions remain.
    await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('fin-ws-042');
    await page.waitForURL(/q=fin-ws-042/);
    const expected = (await sys.request('GET', '/api/workflowExecutions?q=fin-ws-042&limit=50')).body;
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, expected.results.length);
    expect(await total.innerText()).toMatch(new RegExp(`^${expected.total} executions? match`));
    expect(new Set(await page.locator('tbody td[data-col="host"]').allInnerTexts())).toEqual(new Set(['fin-ws-042']));

    // Who answered, and the outcome with its detail.
    const answeredRow = page.locator('tbody tr', { has: page.getByRole('link', { name: 'Hold for review' }) });
    expect(await answeredRow.locator('td[data-col="answered"]').innerText()).toContain(KEY_NAMES.reviewer2);
    expect(await answeredRow.locator('td[data-col="rule"]').innerText()).toBe('Impossible travel');
    const cancelledRow = page.locator('tbody tr', { has: page.locator('.badge', { hasText: 'Cancelled' }) }).first();
    expect(await cancelledRow.locator('td[data-col="outcome"]').innerText()).toMatch(new RegExp(`Cancelled[\\s\\S]*by ${KEY_NAMES.reviewer}`));

    // A failed one shows its error type.
    await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('srv-db-09');
    await page.waitForURL(/q=srv-db-09/);
    const failedRow = page.locator('tbody tr', { has: page.locator('.badge', { hasText: 'Failed' }) }).first();
    await failedRow.waitFor();
    expect(await failedRow.locator('td[data-col="outcome"]').innerText()).toMatch(/Failed[\s\S]*workflow_fail/);
    expect(await failedRow.locator('td[data-col="rule"]').innerText()).toBe('Impossible travel');

    // Time ranges: everything here is from the last hour; a custom range in the past has none.
    await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('');
    await page.getByLabel('Time range').selectOption('1h');
    await page.waitForURL(/range=1h/);
    await page.waitForTimeout(600); // the cleared search applies after a pause, keeping the range
    expect(new URL(page.url()).search).toBe('?range=1h');
    await page.waitForFunction((n) => document.querySelector('[data-testid="total"]')?.textContent?.startsWith(`${n} executions`), all);
    await page.locator('tbody tr').first().waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(IMAGES, 'executions-list.png') });
    await page.getByLabel('Time range').selectOption('custom');
    await page.getByLabel('To', { exact: true }).fill('2020-01-01T00:00');
    await page.waitForURL(/to=2020/);
    await page.getByText('“From” must be before “To”.').waitFor();
    await page.getByLabel('From', { exact: true }).fill('2019-12-01T00:00');
    await page.waitForURL(/from=2019/);
    await page.getByText('None match these filters.').waitFor();
    expect(await total.innerText()).toMatch(/^0 executions match/);
  });
});
