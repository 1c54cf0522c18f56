/**
 * Answering from anywhere (issue 13) in headless Chromium against the real system: the answer page of
 * a single-use link (`/respond#<token>`, no sign-in) and the inbox's History tab. Links are minted
 * with the store's own LinkStore, as a notification does (services/api/test/external.test.ts).
 * Run `pnpm build` first.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Keys, LinkStore, type LinkAction } from '@flowgate/store';
import { ROOT, System } from '../helpers/system';
import { expectClean, launch, openPage, signIn, type Watched } from './harness';

jest.setTimeout(60_000);

let sys: System;
let browser: Browser;
let links: LinkStore;
let linkRedis: ReturnType<System['redis']['client']>;
const pages: Watched[] = [];
/** A stand-in's `/_received` (the SMTP stand-in's shape), so that the Sent messages page has something to list. */
const mails: Record<string, unknown>[] = [];
let standin: Server;

const IMAGES = process.env.FLOWGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : join(tmpdir(), 'flowgate-screenshots');

const APPROVAL = `
name: Block sender domain
triggers:
  - type: alert
steps:
  - name: classify
    type: data.set
    with:
      category: phishing
      confidence: 0.93
      rationale: "Lookalike sender domain registered two days ago; the mail links to a credential harvesting page that imitates the corporate single sign-on portal."
  - name: approve
    type: waitForApproval
    with:
      message: |
        ## Block the domain {{ event.alerts[0].domain }} at the mail gateway?
        **{{ event.alerts[0].count }} users** received the phishing mail on {{ event.alerts[0].host.name }}.
        <script>alert(1)</script>
      approveLabel: Block domain
      rejectLabel: Leave open
  - name: done
    type: console
    with:
      message: "approved={{ steps.approve.output.approved }}"
`;

const FORM = `
name: Contain user account
triggers:
  - type: manual
    inputs:
      type: object
      properties:
        user: { type: string }
steps:
  - name: review
    type: waitForInput
    with:
      message: "## Contain the account of {{ inputs.user }}?\\nPick the containment level."
      schema:
        type: object
        properties:
          level:
            type: string
            title: Containment level
            enum: [monitor, reset-password, disable]
          risk:
            type: integer
            title: Risk score
            minimum: 1
            maximum: 10
          notes: { type: string, title: Analyst notes }
        required: [level, risk]
  - name: done
    type: console
    with:
      message: "{{ steps.review.output.level }}"
`;

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

async function postAlert(alert: Record<string, unknown>): Promise<string> {
  const r = await sys.request('POST', '/api/alerts?workflowId=block-domain', { key: 'ingest', body: { alerts: [alert], rule: { id: 'r-9', name: 'Phishing wave', tags: ['mail'] } } });
  expect(r.status).toBe(202);
  const id = r.body.executions[0].executionId as string;
  await sys.waitForExecution(id, waiting);
  return id;
}

const approvalWaiting = (domain = 'evil.example', host = 'mail-gw-01') => postAlert({ domain, count: 14, host: { name: host }, '@timestamp': new Date().toISOString() });

async function formWaiting(user = 'jdoe'): Promise<string> {
  const r = await sys.request('POST', '/api/workflows/contain-user/run', { key: 'editor', body: { inputs: { user } } });
  expect(r.status).toBe(202);
  await sys.waitForExecution(r.body.executionId, waiting);
  return r.body.executionId;
}

const mint = (executionId: string, step: string, action: LinkAction, channel = 'slack') => links.mint({ executionId, step, attempt: 1, action, channel, expiresAt: Date.now() + 3_600_000 });

/** A fresh browser context with no session at all (nobody signed in). */
async function fresh(viewport?: { width: number; height: number }): Promise<Watched> {
  const w = await openPage(browser, sys.baseUrl, viewport);
  pages.push(w);
  return w;
}

async function openLink(page: Page, token: string): Promise<void> {
  await page.goto(`/respond#${token}`);
  await page.getByTestId('respond').waitFor();
}

beforeAll(async () => {
  standin = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ messages: req.url === '/_received' ? mails : [] }));
  });
  await new Promise<void>((r) => standin.listen(0, '127.0.0.1', r));
  const standinUrl = `http://127.0.0.1:${(standin.address() as AddressInfo).port}/_received`;
  [sys, browser] = await Promise.all([System.start({ workers: 1, env: { FLOWGATE_STANDIN_URLS: standinUrl } }), launch()]);
  linkRedis = sys.redis.client();
  links = new LinkStore(linkRedis, new Keys());
  await sys.putWorkflow('block-domain', APPROVAL);
  await sys.putWorkflow('contain-user', FORM);
  mkdirSync(IMAGES, { recursive: true });
}, 60_000);

afterAll(async () => {
  linkRedis?.disconnect();
  await browser?.close();
  await sys?.stop();
  await new Promise((r) => standin?.close(r));
});

afterEach(async () => {
  const open = pages.splice(0);
  await Promise.all(open.map((w) => w.context.close()));
  for (const w of open) expectClean(w);
});

describe('answer page (/respond#<token>)', () => {
  it('approve link without a session: the message and one confirm button; opening changes nothing; confirm completes as link:slack; reopening says who answered; the token leaves the address bar', async () => {
    const id = await approvalWaiting();
    const token = await mint(id, 'approve', 'approve', 'slack');
    const before = await sys.execution(id);
    const w = await fresh({ width: 390, height: 844 });
    const { page } = w;
    await openLink(page, token);

    // No sign-in form, no sidebar: the request itself.
    await page.getByRole('heading', { name: 'Block the domain evil.example at the mail gateway?' }).first().waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await page.getByText('Block sender domain').first().isVisible()).toBe(true);
    expect(await page.getByTestId('respond-host').innerText()).toBe('mail-gw-01');
    // The message through the app's sanitized Markdown: bold kept, raw HTML shown as text, never run.
    const message = page.getByLabel('Message');
    expect(await message.locator('strong', { hasText: '14 users' }).count()).toBe(1);
    expect(await message.locator('script').count()).toBe(0);
    expect(await message.innerText()).toContain('<script>alert(1)</script>');
    // One confirm button, saying what it does; no reject button on an approve link.
    const confirm = page.getByRole('button', { name: 'Block domain' });
    await confirm.waitFor();
    expect(await page.getByRole('button', { name: 'Leave open' }).count()).toBe(0);
    expect(await page.getByTestId('respond-explain').innerText()).toMatch(/records that you approved this request, as link:slack/);
    await page.getByLabel(/Notes/).waitFor();

    // The token is gone from the address bar (and was never in the path or query).
    expect(page.url()).toBe(`${sys.baseUrl}/respond`);
    expect(await page.evaluate(() => window.location.hash)).toBe('');

    // Opening the page (and a plain reload of the link) changed nothing.
    const after = await sys.execution(id);
    expect(after.status).toBe('WAITING_FOR_INPUT');
    expect(after.steps).toEqual(before.steps);
    await page.screenshot({ path: join(IMAGES, 'respond.png'), fullPage: true });

    await page.getByLabel(/Notes/).fill('Known phishing kit, blocking.');
    await confirm.click();
    const done = page.getByTestId('respond-done');
    await done.waitFor();
    expect(await page.getByTestId('responded-by').innerText()).toBe('link:slack');
    expect(await done.innerText()).toMatch(/Decision\s+Approved — Block domain/);
    const finished = await sys.waitForExecution(id);
    expect(finished.status).toBe('COMPLETED');
    expect(finished.steps.find((st: any) => st.path === 'approve')).toMatchObject({ respondedBy: 'link:slack', respondedVia: 'slack', output: { approved: true, notes: 'Known phishing kit, blocking.' } });

    // The same link again: already answered, by whom.
    const again = await fresh();
    await openLink(again.page, token);
    const state = again.page.getByTestId('respond-state');
    await state.waitFor();
    expect(await state.getAttribute('data-state')).toBe('answered');
    expect(await state.innerText()).toMatch(/Already answered[\s\S]*already answered by link:slack/);
    expect(await again.page.getByRole('button', { name: 'Block domain' }).count()).toBe(0);
  });

  it('form link: the generated form; an invalid value shows its field error and sends nothing; a valid answer completes as link:email', async () => {
    const id = await formWaiting('mrossi');
    const token = await mint(id, 'review', 'form', 'email');
    const { page } = await fresh();
    await openLink(page, token);
    await page.getByRole('heading', { name: 'Contain the account of mrossi?' }).waitFor();
    const level = page.getByLabel('Containment level');
    await level.waitFor();
    await level.selectOption('disable');
    await page.getByLabel('Risk score').fill('42');
    await page.getByRole('button', { name: 'Submit answer' }).click();
    await page.getByText(/must be <= 10|10 or less|at most 10/i).first().waitFor();
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    await page.getByLabel('Risk score').fill('8');
    await page.getByLabel('Analyst notes').fill('Token theft confirmed.');
    await page.getByRole('button', { name: 'Submit answer' }).click();
    await page.getByTestId('respond-done').waitFor();
    expect(await page.getByTestId('responded-by').innerText()).toBe('link:email');
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps[0]).toMatchObject({ respondedBy: 'link:email', output: { level: 'disable', risk: 8, notes: 'Token theft confirmed.' } });
  });

  it("a reject link of a cancelled execution says it was cancelled; a link that does not exist says it expired; /respond without a link asks for it", async () => {
    const id = await approvalWaiting('bad.example', 'mail-gw-02');
    const reject = await mint(id, 'approve', 'reject', 'email');
    const { page } = await fresh();
    await openLink(page, reject);
    await page.getByRole('button', { name: 'Leave open' }).waitFor();
    expect(await page.getByRole('button', { name: 'Block domain' }).count()).toBe(0);

    const c = await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer', body: { reason: 'duplicate alert' } });
    expect(c.status).toBe(200);
    await sys.waitForExecution(id);
    // Confirming now: 410, the page says why and that nothing was recorded.
    await page.getByRole('button', { name: 'Leave open' }).click();
    const state = page.getByTestId('respond-state');
    await state.waitFor();
    expect(await state.getAttribute('data-state')).toBe('cancelled');
    expect(await state.innerText()).toMatch(/cancelled[\s\S]*Your answer was not recorded/);

    // Opening it afresh says the same.
    await openLink(page, reject);
    await page.locator('[data-testid="respond-state"][data-state="cancelled"]').waitFor();

    await openLink(page, 'A'.repeat(43));
    await page.locator('[data-testid="respond-state"][data-state="expired"]').waitFor();

    await page.goto('/respond');
    await page.locator('[data-testid="respond-state"][data-state="no-link"]').waitFor();
    expect(await page.getByLabel('API key').count()).toBe(0);
  });
});

describe('inbox History tab', () => {
  it('an awaiting row shows the AI rationale of the step before the wait on one line, whole on hover', async () => {
    const id = await approvalWaiting('lookalike.example', 'mail-gw-04');
    const w = await fresh();
    await signIn(w.page, 'viewer');
    const row = w.page.locator(`.inbox-item[data-id="${id}"]`);
    await row.waitFor();
    const rationale = row.getByTestId('rationale');
    expect((await rationale.innerText()).replace(/\s+/g, ' ')).toMatch(/^AI: Lookalike sender domain/);
    expect(await rationale.locator('.rationale-text').getAttribute('title')).toContain('single sign-on portal');
    // One line: the text is cut with an ellipsis, not wrapped.
    const box = await rationale.boundingBox();
    expect(box!.height).toBeLessThan(30);
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
    await sys.waitForExecution(id);
  });


  it('lists answers given through the API and through a link, with who and the channel, filterable by channel', async () => {
    const byApi = await approvalWaiting('api.example', 'mail-gw-03');
    const r = await sys.request('POST', `/api/workflowExecutions/${byApi}/resume?step=approve`, { key: 'reviewer', body: { approved: false, notes: 'false positive' } });
    expect([200, 202]).toContain(r.status);
    await sys.waitForExecution(byApi);
    const byLink = await formWaiting('akhan');
    const token = await mint(byLink, 'review', 'form', 'email');
    const a = await sys.request('POST', `/api/workflows/executions/${byLink}/steps/review/resume/external`, { key: null, headers: { 'x-flowgate-link': token }, body: { level: 'monitor', risk: 3 } });
    expect(a.status).toBe(200);
    await sys.waitForExecution(byLink);

    const w = await fresh();
    await signIn(w.page, 'reviewer');
    const { page } = w;
    await page.getByRole('tab', { name: /Awaiting response/ }).waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.waitForURL('**/?tab=history');
    const apiRow = page.locator(`.history-item[data-execution="${byApi}"]`);
    const linkRow = page.locator(`.history-item[data-execution="${byLink}"]`);
    await apiRow.waitFor();
    await linkRow.waitFor();
    expect(await apiRow.getByTestId('history-by').innerText()).toBe('alice');
    expect(await apiRow.getByTestId('history-channel').innerText()).toBe('API');
    expect(await apiRow.getByTestId('history-answer').innerText()).toMatch(/approved: No · notes: false positive/);
    expect(await linkRow.getByTestId('history-by').innerText()).toBe('link:email');
    expect(await linkRow.getByTestId('history-channel').innerText()).toBe('e-mail');
    expect(await linkRow.getByTestId('history-answer').innerText()).toMatch(/level: monitor · risk: 3/);
    await page.screenshot({ path: join(IMAGES, 'history.png') });

    // Filter by channel: only the e-mail link's answer stays.
    await page.getByLabel('Channel').selectOption('email');
    await page.locator(`.history-item[data-execution="${byLink}"][data-channel="email"]`).waitFor();
    expect(await apiRow.count()).toBe(0);
    expect(await page.locator('.history-item').evaluateAll((els) => els.every((e) => e.getAttribute('data-channel') === 'email'))).toBe(true);
    await page.getByLabel('Channel').selectOption('api');
    await linkRow.waitFor({ state: 'detached' });
    await apiRow.waitFor();

    // The AI step before the wait: its rationale on one line, the whole text on hover and on "more".
    const rationale = apiRow.getByTestId('rationale');
    expect(await rationale.innerText()).toContain('AI (phishing):');
    expect(await rationale.locator('.rationale-text').getAttribute('title')).toContain('imitates the corporate single sign-on portal');
    await rationale.getByRole('button', { name: 'more' }).click();
    await rationale.getByRole('button', { name: 'less' }).waitFor();

    // Each row opens its execution.
    await apiRow.getByRole('link').first().click();
    await page.waitForURL(`**/executions/${byApi}?from=inbox`);
    await page.getByTestId('decision-record').first().waitFor();
  });
});

describe('Sent messages (/received)', () => {
  it("lists what the stand-ins received with clickable links; an e-mail's approve link answers the request", async () => {
    const id = await approvalWaiting('sent.example', 'mail-gw-05');
    const token = await mint(id, 'approve', 'approve', 'email');
    mails.push({ at: new Date().toISOString(), subject: 'Approval needed: Block the domain sent.example', to: ['soc@example.com'], text: 'Block the domain sent.example at the mail gateway?\nApprove: the link below.', links: [`${sys.baseUrl}/respond#${token}`] });
    const w = await fresh();
    await signIn(w.page, 'viewer');
    const { page } = w;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sent messages' }).click();
    await page.waitForURL('**/received');
    const item = page.locator('.received-item', { hasText: 'Approval needed: Block the domain sent.example' });
    await item.waitFor();
    expect(await item.innerText()).toMatch(/E-mail[\s\S]*soc@example\.com[\s\S]*Approve: the link below/);
    const link = item.getByRole('link', { name: /Answer page/ });
    const [popup] = await Promise.all([w.context.waitForEvent('page'), link.click()]);
    await popup.getByTestId('respond').waitFor();
    await popup.getByRole('button', { name: 'Block domain' }).click();
    await popup.getByTestId('respond-done').waitFor();
    expect(await popup.getByTestId('responded-by').innerText()).toBe('link:email');
    expect((await sys.waitForExecution(id)).status).toBe('COMPLETED');
  });
});
