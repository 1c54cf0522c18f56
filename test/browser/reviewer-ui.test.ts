/**
 * The reviewer's web app (packages/ui) in headless Chromium against the real system: redis-server,
 * the API (serving packages/ui/dist) and a worker. Workflows use built-in steps only and mimic the
 * reference example: a case, evidence set with data.set, the review, then the decision recorded
 * on the case. Run `pnpm build` first.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KEY_NAMES, KEYS, ROOT, System } from '../helpers/system';
import { expectClean, launch, openPage, signIn, type Watched } from './harness';

jest.setTimeout(60_000);

let sys: System;
let browser: Browser;
const pages: Watched[] = [];

// The README's screenshots are refreshed with FLOWGATE_SCREENSHOTS=1; a plain test run keeps its own
// copies in a temporary folder, so that `npm test` never changes tracked files.
const IMAGES = process.env.FLOWGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : join(tmpdir(), 'flowgate-screenshots');

const ISOLATE = `
name: Isolate host with approval
description: Opens a case, classifies the alert, asks a reviewer whether to isolate the host and records the decision on the case.
enabled: true
tags: [edr, hitl]
triggers:
  - type: alert
steps:
  - name: open_case
    type: cases.createCase
    with:
      title: "Potential compromise: {{ event.alerts[0].host.name }}"
      severity: high
      tags: ["auto-triage"]
  - name: classify
    type: data.set
    with:
      category: "{{ event.alerts[0].labels.category | default: 'needs_review' }}"
      rationale: "{{ event.alerts[0].labels.rationale | default: 'Encoded PowerShell spawned by a document reader.' }}"
  - name: review
    type: waitForInput
    with:
      message: |
        ## Isolate {{ event.alerts[0].host.name }}?
        **Rule:** {{ event.rule.name }}
        **Host:** {{ event.alerts[0].host.name }} · **User:** {{ event.alerts[0].user.name }}
        **AI classification:** {{ steps.classify.output.category }}
        **Rationale:** {{ steps.classify.output.rationale }}

        Isolating cuts the host off the network until it is released from the EDR console.
      schema:
        type: object
        properties:
          approved:
            type: boolean
            title: "Isolate the host"
          notes:
            type: string
            title: "Analyst notes"
        required: ["approved"]
  - name: decide
    type: if
    condition: "steps.review.output.approved : true"
    steps:
      - name: isolate
        type: console
        with:
          message: "isolating {{ event.alerts[0].host.name }}: {{ steps.review.output.notes }}"
  - name: record_decision
    type: cases.addComment
    with:
      case_id: "{{ steps.open_case.output.case.id }}"
      comment: |
        **Decision:** {{ steps.review.output.approved ? "isolated" : "no action" }}
        **Notes:** {{ steps.review.output.notes }}
`;

const FORM = `
name: Contain user account
triggers:
  - type: manual
    inputs:
      type: object
      properties:
        user: { type: string, title: "User name" }
      required: [user]
steps:
  - name: review
    type: waitForInput
    with:
      message: |
        ## Contain the account of {{ inputs.user }}?
        Pick the containment level and when to review it again.
      schema:
        type: object
        title: Containment
        properties:
          level:
            type: string
            title: Containment level
            description: How far to lock the account down.
            enum: [monitor, reset-password, disable]
            default: monitor
          risk:
            type: integer
            title: Risk score
            minimum: 1
            maximum: 10
          reviewOn:
            type: string
            format: date
            title: Review again on
          owner:
            type: object
            title: Owner
            properties:
              name: { type: string, title: Owner name }
              email: { type: string, format: email, title: Owner e-mail }
            required: [email]
        required: [level, risk, reviewOn, owner]
  - name: done
    type: console
    with:
      message: "{{ steps.review.output.level }} until {{ steps.review.output.reviewOn }}"
`;

const ONEOF = `
name: Route escalation
triggers:
  - type: manual
steps:
  - name: route
    type: waitForInput
    with:
      message: "## Route this escalation\\nEither page a team or close it with a reason."
      schema:
        type: object
        oneOf:
          - properties: { action: { const: page }, team: { type: string } }
            required: [action, team]
          - properties: { action: { const: close }, reason: { type: string } }
            required: [action, reason]
  - name: done
    type: console
    with:
      message: "{{ steps.route.output.action }}"
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
        ## Block the domain {{ event.alerts[0].domain }} at the mail gateway?
        {{ event.alerts[0].count }} users received the phishing mail.
      approveLabel: Block domain
      rejectLabel: Leave open
  - name: done
    type: console
    with:
      message: "approved={{ steps.approve.output.approved }}"
`;

const SCREENSHOT_ALERTS = [
  ['fin-ws-042', 'jsmith', 'confirmed_compromise', 'Credential dumping tool (mimikatz) executed from a temp folder.'],
  ['dc-02', 'svc-backup', 'needs_review', 'Unusual Kerberos ticket requests from a service account.'],
  ['mkt-laptop-17', 'akhan', 'likely_benign', 'Signed installer from a known vendor; matches a software rollout.'],
].map(([host, user, category, rationale]) => ({ host: { name: host }, user: { name: user }, labels: { category, rationale }, '@timestamp': new Date().toISOString() }));
const early: string[] = [];

async function postAlert(workflowId: string, alert: Record<string, unknown>, rule = 'Suspicious PowerShell'): Promise<string> {
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflowId}`, { key: 'ingest', body: { alerts: [alert], rule: { id: 'r-1', name: rule, tags: ['edr'] } } });
  expect(r.status).toBe(202);
  expect(r.body.executions).toHaveLength(1);
  return r.body.executions[0].executionId;
}

async function run(workflowId: string, inputs: Record<string, unknown> = {}): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${workflowId}/run`, { key: 'editor', body: { inputs } });
  expect(r.status).toBe(202);
  return r.body.executionId;
}

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

async function watched(key: Parameters<typeof signIn>[1], path = '/', viewport?: { width: number; height: number }): Promise<Watched> {
  const w = await openPage(browser, sys.baseUrl, viewport);
  pages.push(w);
  await signIn(w.page, key, path);
  return w;
}

const decision = (page: Page) => page.getByRole('region', { name: 'Decision needed' });

beforeAll(async () => {
  [sys, browser] = await Promise.all([System.start({ workers: 1 }), launch()]);
  await sys.putWorkflow('isolate-host', ISOLATE);
  await sys.putWorkflow('contain-user', FORM);
  await sys.putWorkflow('route-escalation', ONEOF);
  await sys.putWorkflow('block-domain', APPROVAL);
  mkdirSync(IMAGES, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

afterEach(async () => {
  const open = pages.splice(0);
  await Promise.all(open.map((w) => w.context.close()));
  // Console errors, uncaught errors and dialogs fail the test that caused them.
  for (const w of open) expectClean(w);
});

describe('reviewer UI', () => {
  it('the whole loop: alert → inbox → Markdown evidence → required error → approve with notes → COMPLETED → decision on the case', async () => {
    const w = await watched('reviewer');
    const { page } = w;
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const id = await postAlert('isolate-host', { host: { name: 'web-prod-07' }, user: { name: 'jdoe' }, labels: { category: 'likely_benign' } });
    await sys.waitForExecution(id, waiting);

    // It shows up in the inbox by itself (polling), with the decision as its title; the count is in the tab title.
    const item = page.getByRole('link', { name: /Isolate web-prod-07\?/ });
    await item.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => /^\(\d+\) Inbox · Flowgate$/.test(document.title));
    expect(await page.title()).toMatch(/^\(1\) Inbox/);
    await item.click();
    await page.waitForURL(`**/executions/${id}?resume=true&from=inbox`);

    // The message (Markdown) leads, with the evidence.
    const panel = decision(page);
    await panel.waitFor();
    const message = panel.getByLabel('Message');
    await expect(message.getByRole('heading', { name: 'Isolate web-prod-07?' }).count()).resolves.toBe(1);
    const text = await message.innerText();
    expect(text).toContain('Host: web-prod-07');
    expect(text).toContain('AI classification: likely_benign');
    expect(await message.locator('strong', { hasText: 'AI classification:' }).count()).toBe(1);
    // Summary: host, rule, user from the event.
    const summary = page.getByRole('region', { name: 'Summary' });
    expect(await summary.innerText()).toMatch(/Host\s+web-prod-07[\s\S]*Rule\s+Suspicious PowerShell[\s\S]*User\s+jdoe/);

    // ?resume=true focuses the answer.
    await page.waitForFunction(() => document.activeElement?.closest('.decision') != null);

    // Submitting without the required decision shows the error in the form; nothing is sent.
    await page.getByLabel('Analyst notes').fill('Confirmed beaconing to a known C2.');
    await panel.getByRole('group', { name: 'Answer with' }).getByRole('button', { name: 'Form' }).click();
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    const err = panel.getByRole('alert');
    await err.waitFor();
    expect(await err.innerText()).toMatch(/Isolate the host/);
    expect(await panel.locator('.field-invalid').count()).toBeGreaterThan(0);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    // Approve with notes.
    await panel.getByRole('radio', { name: 'Yes' }).check();
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await page.getByTestId('outcome').getByText('Answer sent').waitFor();
    // Followed live to COMPLETED.
    await page.locator('.page-sub .badge', { hasText: 'Completed' }).waitFor({ timeout: 10_000 });
    const done = await sys.execution(id);
    expect(done.status).toBe('COMPLETED');
    const review = done.steps.find((s: any) => s.path === 'review');
    expect(review.output).toEqual({ approved: true, notes: 'Confirmed beaconing to a known C2.' });
    expect(review.respondedBy).toBe(KEY_NAMES.reviewer);
    await page.getByText(`Answered by ${KEY_NAMES.reviewer}`).first().waitFor();
    expect(await page.locator('li.step[data-path="decide/isolate"] .badge').innerText()).toBe('Completed');

    // The case page shows the decision comment.
    const caseId = done.steps.find((s: any) => s.path === 'open_case').output.case.id;
    await page.goto(`/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Potential compromise: web-prod-07' }).waitFor();
    const comment = page.locator('.comment').first();
    await comment.waitFor();
    expect(await comment.innerText()).toMatch(/Decision: isolated[\s\S]*Notes: Confirmed beaconing to a known C2\./);

    // A reviewer may comment and change the status.
    await page.getByLabel(/Add a comment/).fill('Host re-imaged; **closing**.');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.locator('.comment', { hasText: 'Host re-imaged' }).waitFor();
    await page.getByLabel('Status').selectOption('closed');
    await page.locator('.page-sub .pill', { hasText: 'Closed' }).waitFor();
    const c = (await sys.request('GET', `/api/cases/${caseId}`)).body;
    expect(c.status).toBe('closed');
    expect(c.comments.at(-1)).toMatchObject({ author: KEY_NAMES.reviewer, comment: 'Host re-imaged; **closing**.' });

    // Older requests for the inbox screenshot at the end (so that the inbox shows a range of ages).
    for (const alert of SCREENSHOT_ALERTS.slice(0, 2)) early.push(await postAlert('isolate-host', alert, 'Malicious process execution'));
  });

  it('an attacker-controlled host name renders as text; no script runs and no <img onerror> reaches the DOM', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const id = await postAlert('isolate-host', { host: { name: evil }, user: { name: '<script>alert(2)</script>' } });
    await sys.waitForExecution(id, waiting);
    const w = await watched('reviewer');
    const { page } = w;
    // The inbox row shows the title with the host as text.
    const row = page.locator(`a.inbox-link[href^="/executions/${id}"]`);
    expect(await row.innerText()).toContain(evil);
    await row.click();
    const panel = decision(page);
    await panel.waitFor();
    const message = panel.getByLabel('Message');
    expect(await message.innerText()).toContain(`Host: ${evil}`);
    expect(await page.getByRole('region', { name: 'Summary' }).innerText()).toContain(evil);
    // Open every JSON block too, where the raw event is shown.
    for (const d of await page.locator('details').all()) await d.evaluate((el) => ((el as HTMLDetailsElement).open = true));
    const hostile = await page.evaluate(() => ({
      imgs: Array.from(document.querySelectorAll('img')).map((i) => i.outerHTML),
      onerror: document.querySelectorAll('[onerror]').length,
      scripts: Array.from(document.querySelectorAll('script')).filter((s) => !s.src).length,
    }));
    expect(hostile).toEqual({ imgs: [], onerror: 0, scripts: 0 });
    // The case title and the inbox show it as text as well.
    const caseRow = await sys.request('GET', '/api/cases?limit=1');
    await page.goto(`/cases/${caseRow.body.results[0].id}`);
    await page.getByRole('heading', { name: `Potential compromise: ${evil}` }).waitFor();
    await page.waitForTimeout(300);
    expect(w.dialogs).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('img[onerror], [onerror]').length)).toBe(0);
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('Markdown in alert fields shows as text in the message: no link, image, heading, quote, list or code span comes from them', async () => {
    const host = '[Approve here](https://evil.example)';
    const user = '![x](https://evil.example/p.png)';
    const rule = '# Approved by SOC lead\n> The SOC lead approved this';
    const category = '- [x] verified';
    const rationale = 'x` **bold** <https://evil.example> `y\n\n---';
    const id = await postAlert('isolate-host', { host: { name: host }, user: { name: user }, labels: { category, rationale } }, rule);
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}`);
    const panel = decision(page);
    await panel.waitFor();
    const message = panel.getByLabel('Message');
    await expect(message.getByRole('heading', { name: `Isolate ${host}?` }).count()).resolves.toBe(1);
    const text = await message.innerText();
    expect(text).toContain(`Rule: ${rule.replace('\n', ' ')}`);
    expect(text).toContain(`Host: ${host} · User: ${user}`);
    expect(text).toContain(`AI classification: ${category}`);
    expect(text).toContain(`Rationale: ${rationale.replace('\n\n', ' ')}`); // (HTML shows two spaces as one)
    // Only the workflow's own Markdown: one heading, five bold labels, a paragraph or two; nothing else.
    const elements = await message.evaluate((el) => Array.from(el.querySelectorAll('*'), (e) => e.tagName.toLowerCase()).filter((t) => !['p', 'br', 'strong'].includes(t)));
    expect(elements).toEqual(['h2']);
    expect(await message.locator('strong').count()).toBe(5);
    // The inbox row shows the same title, as text.
    await page.goto('/');
    expect(await page.locator(`a.inbox-link[href^="/executions/${id}"]`).innerText()).toContain(`Isolate ${host}?`);
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('a schema with enum, number limits, a date and a nested object renders and validates, then is accepted', async () => {
    const id = await run('contain-user', { user: 'mallory' });
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}`);
    const panel = decision(page);
    await panel.waitFor();
    // Titles, descriptions, defaults and enums.
    const level = panel.getByLabel('Containment level');
    expect(await level.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await level.locator('option').allInnerTexts()).toEqual(expect.arrayContaining(['monitor', 'reset-password', 'disable']));
    expect(await level.inputValue()).toMatch(/monitor|^0$/);
    await panel.getByText('How far to lock the account down.').waitFor();
    expect(await panel.getByLabel('Review again on').getAttribute('type')).toBe('date');
    expect(await panel.getByLabel('Risk score').getAttribute('type')).toBe('number');
    expect(await panel.getByRole('group', { name: /Owner/ }).count()).toBeGreaterThan(0);

    // Client-side errors: out of range, bad e-mail, missing required fields.
    await panel.getByLabel('Risk score').fill('42');
    await panel.getByLabel('Owner e-mail').fill('not-an-email');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    const errors = panel.locator('.form-errors');
    await errors.waitFor();
    const list = await errors.innerText();
    expect(list).toMatch(/Risk score must be 10 or less/);
    expect(list).toMatch(/Owner e-mail must be an e-mail address/);
    expect(list).toMatch(/Review again on/);
    expect(await panel.locator('.field-invalid').count()).toBeGreaterThanOrEqual(3);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    // Fix it and send.
    await panel.getByLabel('Containment level').selectOption('disable');
    await panel.getByLabel('Risk score').fill('8');
    await panel.getByLabel('Review again on').fill('2030-01-15');
    await panel.getByLabel('Owner name').fill('Sam Ops');
    await panel.getByLabel('Owner e-mail').fill('sam@example.com');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await page.locator('.page-sub .badge', { hasText: 'Completed' }).waitFor({ timeout: 10_000 });
    const done = await sys.execution(id);
    expect(done.steps.find((s: any) => s.path === 'review').output).toEqual({ level: 'disable', risk: 8, reviewOn: '2030-01-15', owner: { name: 'Sam Ops', email: 'sam@example.com' } });
  });

  it('server-side validation errors are shown next to their fields', async () => {
    const id = await run('contain-user', { user: 'trudy' });
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}`);
    const panel = decision(page);
    await panel.waitFor();
    // The server is the judge: the browser's valid answer is swapped on the wire for one the server rejects.
    await page.route(`**/api/workflowExecutions/${id}/resume*`, async (route) => {
      await route.continue({ postData: JSON.stringify({ level: 'monitor', risk: 99, reviewOn: '2030-01-01', owner: { email: 'a@b.co' } }) });
    });
    await panel.getByLabel('Risk score').fill('5');
    await panel.getByLabel('Review again on').fill('2030-01-01');
    await panel.getByLabel('Owner e-mail').fill('a@b.co');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await panel.getByText('The server did not accept this answer.').waitFor();
    expect(await panel.getByRole('alert').first().innerText()).toMatch(/Risk score: must be <= 10/);
    expect(await panel.locator('.field-invalid').count()).toBeGreaterThan(0);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('a oneOf schema falls back to the JSON editor and can still be submitted', async () => {
    const id = await run('route-escalation');
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}?resume=true`);
    const panel = decision(page);
    await panel.waitFor();
    const editor = panel.getByLabel('Answer (JSON object)');
    await editor.waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'TEXTAREA');
    // Client-side checks: not JSON, then not matching the schema.
    await editor.fill('{ nope');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await panel.getByText(/Not valid JSON/).waitFor();
    await editor.fill('{"action": "page"}');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await panel.locator('.form-errors').waitFor();
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    await editor.fill('{"action": "page", "team": "soc-tier2"}');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await page.locator('.page-sub .badge', { hasText: 'Completed' }).waitFor({ timeout: 10_000 });
    expect((await sys.execution(id)).steps.find((s: any) => s.path === 'route').output).toEqual({ action: 'page', team: 'soc-tier2' });
  });

  it('two reviewers answer the same execution: the second sees it was already answered, and by whom', async () => {
    const id = await postAlert('block-domain', { domain: 'login-micros0ft.example', count: 14 }, 'Phishing campaign');
    await sys.waitForExecution(id, waiting);
    const [a, b] = await Promise.all([watched('reviewer', `/executions/${id}`), watched('reviewer2', `/executions/${id}`)]);
    await Promise.all([decision(a.page).waitFor(), decision(b.page).waitFor()]);
    // Bob's view stays as it was loaded (his poll is held back), so his click reaches the server after Alice's.
    const stale = await (await b.page.request.get(`/api/workflowExecutions/${id}`, { headers: { authorization: `ApiKey ${KEYS.reviewer2}` } })).text();
    await b.page.route(`**/api/workflowExecutions/${id}`, (route) => (route.request().method() === 'GET' ? route.fulfill({ status: 200, contentType: 'application/json', body: stale }) : route.continue()));

    await decision(a.page).getByLabel(/Notes/).fill('Known phishing kit.');
    await decision(a.page).getByRole('button', { name: 'Block domain' }).click();
    await a.page.getByTestId('outcome').getByText('Answer sent').waitFor();
    await sys.waitForExecution(id);

    await decision(b.page).getByRole('button', { name: 'Leave open' }).click();
    const outcome = b.page.getByTestId('outcome');
    await outcome.waitFor();
    expect(await outcome.innerText()).toMatch(new RegExp(`Already answered by ${KEY_NAMES.reviewer} at `));
    await b.page.unroute(`**/api/workflowExecutions/${id}`);
    await b.page.locator('.page-sub .badge', { hasText: 'Completed' }).waitFor({ timeout: 10_000 });

    const done = await sys.execution(id);
    const step = done.steps.find((s: any) => s.path === 'approve');
    expect(step.output).toEqual({ approved: true, notes: 'Known phishing kit.' });
    expect(step.respondedBy).toBe(KEY_NAMES.reviewer);
    expect(step.responses.map((r: any) => [r.by, r.code])).toEqual([
      [KEY_NAMES.reviewer, 200],
      [KEY_NAMES.reviewer2, 409],
    ]);
  });

  it('a viewer sees the request but no Resume or Cancel controls', async () => {
    const id = await postAlert('block-domain', { domain: 'viewer-check.example', count: 2 }, 'Phishing campaign');
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('viewer');
    expect(await page.locator('.role-chip').innerText()).toBe('Viewer');
    await page.getByRole('link', { name: /viewer-check\.example/ }).click();
    const panel = decision(page);
    await panel.waitFor();
    await panel.getByText('may not answer').waitFor();
    expect(await page.getByRole('button', { name: /Block domain|Leave open|Submit|Cancel execution/ }).count()).toBe(0);
    expect(await page.locator('textarea, input, select').count()).toBe(0);
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('cancel asks for confirmation; sign out forgets the key', async () => {
    const id = await run('contain-user', { user: 'eve' });
    await sys.waitForExecution(id, waiting);
    const { page } = await watched('reviewer', `/executions/${id}`);
    await decision(page).waitFor();
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this execution?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    await dialog.getByRole('button', { name: 'Cancel execution' }).click();
    await page.locator('.page-sub .badge', { hasText: 'Cancelled' }).waitFor();
    await page.getByText(`by ${KEY_NAMES.reviewer}`).first().waitFor();
    expect((await sys.execution(id)).cancellation).toMatchObject({ reason: 'user', by: KEY_NAMES.reviewer });

    expect(await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }))).toEqual({ local: 0, session: 1 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('executions list filters and pages; workflows show YAML and run with an inputs form', async () => {
    const { page } = await watched('editor', '/executions');
    await page.getByRole('button', { name: 'Completed' }).click();
    await page.waitForURL(/status=COMPLETED/);
    await page.locator('tbody tr').first().waitFor();
    const statuses = await page.locator('tbody tr .badge').allInnerTexts();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['Completed']));
    await page.getByLabel('Order').selectOption('asc');
    await page.waitForURL(/order=asc/);

    // Cursor paging: three at a time, oldest first, no duplicates, in order.
    await page.goto('/executions?limit=3&order=asc');
    await page.locator('tbody tr').nth(2).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.locator('tbody tr').nth(5).waitFor();
    const shown = await page.locator('tbody tr a.row-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!));
    const all = (await sys.request('GET', '/api/workflowExecutions?order=asc&limit=6')).body.results.map((r: any) => r.id);
    expect(shown).toEqual(all);

    await page.getByRole('link', { name: 'Workflows' }).click();
    await page.getByRole('link', { name: 'Contain user account' }).click();
    await page.getByRole('region', { name: 'Workflow YAML' }).waitFor();
    expect(await page.locator('.yaml .y-key', { hasText: 'triggers' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByLabel('User name').fill('oscar');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/executions\/[0-9A-Z]{26}$/);
    await decision(page).waitFor();
    expect(await decision(page).getByLabel('Message').innerText()).toContain('Contain the account of oscar?');
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel execution' }).click();
    await page.locator('.page-sub .badge', { hasText: 'Cancelled' }).waitFor();
  });

  it('is readable at phone width and keyboard-navigable; screenshots of the inbox and the execution view', async () => {
    const ids = [...early, await postAlert('isolate-host', SCREENSHOT_ALERTS[2], 'Malicious process execution')];
    await postAlert('block-domain', { domain: 'invoice-portal.example', count: 23 }, 'Phishing campaign');
    for (const id of ids) await sys.waitForExecution(id, waiting);

    const desk = await watched('reviewer');
    const { page } = desk;
    await page.getByRole('link', { name: /Isolate mkt-laptop-17/ }).waitFor();
    await page.waitForTimeout(1100); // the ages tick
    // Keyboard: Tab into the list, arrows move, Enter opens.
    const first = page.locator('a.inbox-link').first();
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    expect(second).toBe(await page.locator('a.inbox-link').nth(1).getAttribute('href'));
    await page.keyboard.press('ArrowUp');
    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement)?.blur());
    // docs/images/inbox.png comes from inbox.test.ts (30 requests over three workflows).

    await page.goto(`/executions/${ids[0]}`);
    await decision(page).waitFor();
    await page.getByRole('button', { name: 'Yes: Isolate the host' }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(IMAGES, 'execution.png') });

    // Phone width: nothing overflows sideways and the decision is still first.
    const phone = await watched('reviewer', `/executions/${ids[1]}?resume=true`, { width: 390, height: 844 });
    await decision(phone.page).waitFor();
    await phone.page.waitForTimeout(200);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // docs/images/execution-phone.png comes from execution.test.ts.
    await phone.page.goto('/');
    await phone.page.locator('a.inbox-link').first().waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // Every control has an accessible name.
    for (const p of [page, phone.page]) {
      const unnamed = await p.evaluate(() =>
        Array.from(document.querySelectorAll('button, a[href], input, select, textarea'))
          .filter((el) => {
            const e = el as HTMLElement;
            if (e.closest('[hidden]') || (e as HTMLInputElement).type === 'hidden') return false;
            const labelled = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e as HTMLInputElement).labels?.length || e.getAttribute('title');
            return !labelled && !(e.textContent ?? '').trim();
          })
          .map((e) => e.outerHTML.slice(0, 120)),
      );
      expect(unnamed).toEqual([]);
    }
  });
});
