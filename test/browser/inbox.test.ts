/**
 * The reviewer's queue (issue 12) in headless Chromium against the real system: 32 waiting requests
 * over three workflows with different deadlines, mixed severities (Kibana alert fields), one alert
 * that raised two requests. Filters, search, sort by deadline, alert groups, the offline badge, the
 * UTC toggle, the key's name, Esc back to the inbox, sign-in without probing requests.
 * Run `pnpm build` first.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { KEY_NAMES, KEYS, ROOT, System } from '../helpers/system';
import { expectClean, launch, openPage, signIn, type Watched } from './harness';

jest.setTimeout(120_000);

let sys: System;
let browser: Browser;
const pages: Watched[] = [];

const IMAGES = process.env.FLOWGATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : join(tmpdir(), 'flowgate-screenshots');

/** A triage step the inbox reads as the AI's verdict (a category with a confidence), then the human wait. */
const workflow = (name: string, opts: { settingsTimeout?: string; stepTimeout?: string }) => `
name: ${name}
triggers:
  - type: alert
${opts.settingsTimeout ? `settings:\n  timeout: ${opts.settingsTimeout}\n` : ''}steps:
  - name: classify
    type: data.set
    with:
      category: "{{ event.alerts[0].labels.category | default: 'needs_review' }}"
      confidence: 0.87
      rationale: "Scripted triage for the test."
  - name: review
    type: waitForInput
${opts.stepTimeout ? `    timeout: ${opts.stepTimeout}\n` : ''}    with:
      message: "## ${name}: {{ event.alerts[0].host.name }}?"
      schema:
        type: object
        properties:
          approved: { type: boolean }
        required: [approved]
`;

// Posted in this order: the 10 h workflow first, the 30 min one last, so that the oldest request is not the most urgent.
const WORKFLOWS = [
  { id: 'escalate-10h', name: 'Escalate to tier 2', yaml: workflow('Escalate to tier 2', { stepTimeout: '10h', settingsTimeout: '12h' }), onDeadline: 'fail' },
  { id: 'disable-2h', name: 'Disable the account', yaml: workflow('Disable the account', { settingsTimeout: '2h' }), onDeadline: 'cancel' },
  { id: 'contain-30m', name: 'Contain the host', yaml: workflow('Contain the host', { stepTimeout: '30m' }), onDeadline: 'fail' },
] as const;

const HOSTS = ['fin-ws-042', 'dc-02', 'mkt-laptop-17', 'web-prod-07', 'hr-ws-311', 'build-agent-5', 'vpn-gw-1'];
const USERS = ['jsmith', 'svc-backup', 'akhan', 'jdoe', 'mlopez'];
const RULES = ['Credential dumping', 'Suspicious PowerShell', 'Kerberoasting', 'Impossible travel'];
const CATEGORIES = ['confirmed_compromise', 'needs_review', 'likely_benign'];
/** Explicit Kibana severities, or none (then the risk score decides: 99+ critical, 74+ high, 48+ medium, else low). */
const SEVERITY_CYCLE: (string | null)[] = ['critical', 'high', 'medium', 'low', null, 'high'];
const RISKS = [99, 80, 55, 21, 99, 73, 47, 12];

interface Posted {
  id: string;
  workflowId: string;
  host: string;
  severity: string;
  uuid: string;
}
const posted: Posted[] = [];
const SHARED = { uuid: 'alert-shared-0001', host: 'shared-host-01' };

const bandOf = (risk: number) => (risk >= 99 ? 'critical' : risk >= 74 ? 'high' : risk >= 48 ? 'medium' : 'low');

function alertFor(i: number) {
  const severity = SEVERITY_CYCLE[i % SEVERITY_CYCLE.length];
  const risk = RISKS[i % RISKS.length];
  const alert: Record<string, unknown> = {
    '@timestamp': new Date().toISOString(),
    host: { name: HOSTS[i % HOSTS.length] },
    user: { name: USERS[i % USERS.length] },
    labels: { category: CATEGORIES[i % CATEGORIES.length] },
    'kibana.alert.uuid': `alert-${String(i).padStart(4, '0')}`,
    'kibana.alert.rule.name': RULES[i % RULES.length],
    'kibana.alert.risk_score': risk,
  };
  if (severity) alert['kibana.alert.severity'] = severity;
  return { alert, severity: severity ?? bandOf(risk) };
}

async function post(workflowId: string, alert: Record<string, unknown>): Promise<string> {
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflowId}`, { key: 'ingest', body: { alerts: [alert] } });
  expect(r.status).toBe(202);
  expect(r.body.executions).toHaveLength(1);
  return r.body.executions[0].executionId;
}

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

async function watched(key: keyof typeof KEYS = 'reviewer', path = '/', viewport?: { width: number; height: number }): Promise<Watched> {
  const w = await openPage(browser, sys.baseUrl, viewport);
  pages.push(w);
  await signIn(w.page, key, path);
  return w;
}

const items = (page: Page) => page.locator('li.inbox-item');
const shownIds = (page: Page) => items(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!));

async function inboxLoaded(page: Page, n = posted.length) {
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.waitForFunction((count) => document.querySelectorAll('li.inbox-item').length === count, n, { timeout: 15_000 });
}

/** Chromium logs each failed fetch as a console error; those we caused on purpose are not problems. */
function forgive(w: Watched, pattern: RegExp) {
  for (let i = w.problems.length - 1; i >= 0; i--) if (pattern.test(w.problems[i])) w.problems.splice(i, 1);
}

beforeAll(async () => {
  [sys, browser] = await Promise.all([System.start({ workers: 2 }), launch()]);
  for (const wf of WORKFLOWS) await sys.putWorkflow(wf.id, wf.yaml);
  mkdirSync(IMAGES, { recursive: true });
  // 30 alerts, ten per workflow; then one alert that raised two requests (the same kibana.alert.uuid in two workflows).
  for (let i = 0; i < 30; i++) {
    const wf = WORKFLOWS[Math.floor(i / 10)];
    const { alert, severity } = alertFor(i);
    const id = await post(wf.id, alert);
    posted.push({ id, workflowId: wf.id, host: HOSTS[i % HOSTS.length], severity, uuid: String(alert['kibana.alert.uuid']) });
  }
  for (const wfId of ['contain-30m', 'disable-2h']) {
    const alert = { host: { name: SHARED.host }, user: { name: 'cfo' }, 'kibana.alert.uuid': SHARED.uuid, 'kibana.alert.rule.name': 'Ransomware note written', 'kibana.alert.severity': 'critical', 'kibana.alert.risk_score': 99 };
    const id = await post(wfId, alert);
    posted.push({ id, workflowId: wfId, host: SHARED.host, severity: 'critical', uuid: SHARED.uuid });
  }
  for (const p of posted) await sys.waitForExecution(p.id, waiting);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

afterEach(async () => {
  const open = pages.splice(0);
  await Promise.all(open.map((w) => w.context.close()));
  for (const w of open) expectClean(w);
});

describe('the reviewer queue', () => {
  it('rows carry triage context; sorted by deadline the request closest to its timeout comes first; the key name is shown', async () => {
    const w = await watched('reviewer');
    const { page } = w;
    await inboxLoaded(page);
    expect(await page.getByTestId('key-name').innerText()).toBe(KEY_NAMES.reviewer);

    // The API's rows carry the deadlines the inbox sorts by (alerts posted together start together: deadlines may tie).
    const rows = (await sys.request('GET', '/api/workflowExecutions?status=WAITING_FOR_INPUT&limit=500')).body.results as any[];
    expect(rows).toHaveLength(posted.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const deadlineOf = (id: string) => Date.parse(byId.get(id).waitingFor.deadline);
    const sinceOf = (id: string) => Date.parse(byId.get(id).waitingFor.since);
    const minDeadline = Math.min(...rows.map((r) => Date.parse(r.waitingFor.deadline)));
    const minSince = Math.min(...rows.map((r) => Date.parse(r.waitingFor.since)));
    expect(rows.filter((r) => Date.parse(r.waitingFor.deadline) === minDeadline).every((r) => r.workflowId === 'contain-30m' && r.waitingFor.onDeadline === 'fail')).toBe(true);

    // Default sort: deadline, soonest first (the 30 min requests, posted last), each alert's requests together.
    const ids = await shownIds(page);
    expect(deadlineOf(ids[0])).toBe(minDeadline);
    const singles = ids.filter((id) => byId.get(id).group !== SHARED.uuid).map(deadlineOf);
    expect(singles).toEqual([...singles].sort((a, b) => a - b));
    expect(byId.get(ids[0]).workflowId).toBe('contain-30m');
    const soonest = byId.get(ids[0]);
    const first = page.locator(`li.inbox-item[data-id="${soonest.id}"]`);
    expect(await first.locator('.inbox-deadline').innerText()).toMatch(/^fails in (29|30) min$/);
    // The row names the host, the user, the rule, the severity with the risk score, the AI's verdict and the workflow.
    const text = await first.innerText();
    const ctx = soonest.waitingFor.context;
    expect(text).toContain(ctx.host);
    expect(text).toContain(ctx.user);
    expect(text).toContain(ctx.rule);
    expect(text).toMatch(new RegExp(`${ctx.severity}\\s*${Math.round(ctx.riskScore)}`, 'i'));
    expect(text).toMatch(/AI: \w+ \(87%\)/);
    expect(text).toContain('Contain the host');
    // A settings.timeout wait says it auto-cancels.
    const cancelRow = posted.find((p) => p.workflowId === 'disable-2h')!;
    expect(await page.locator(`li.inbox-item[data-id="${cancelRow.id}"] .inbox-deadline`).innerText()).toMatch(/^auto-cancels in (1 h 59 min|2 h)$/);
    // Just posted: under half of the time allowed has passed.
    expect(await first.locator('.inbox-age').getAttribute('class')).toContain('urgency-fresh');

    // Sort by age: the oldest first (a 10 h request); by severity: a critical first.
    await page.getByLabel('Sort by', { exact: true }).selectOption('age');
    // (The oldest request may also be the one closest to its deadline: wait for the order, not for a change.)
    for (const until = Date.now() + 10_000; sinceOf((await shownIds(page))[0]) !== minSince && Date.now() < until; ) await page.waitForTimeout(100);
    expect(sinceOf((await shownIds(page))[0])).toBe(minSince);
    expect(byId.get((await shownIds(page))[0]).workflowId).toBe('escalate-10h');
    await page.getByLabel('Sort by', { exact: true }).selectOption('severity');
    await page.waitForFunction(() => document.querySelector('li.inbox-item')?.getAttribute('data-severity') === 'critical');
    await page.getByLabel('Sort by', { exact: true }).selectOption('deadline');
    await page.waitForFunction((id) => document.querySelector('li.inbox-item')?.getAttribute('data-id') === id, ids[0]);

    // j / k move between requests like the arrows.
    await page.locator('a.inbox-link').first().focus();
    await page.keyboard.press('j');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(await page.locator('a.inbox-link').nth(1).getAttribute('href'));
    await page.keyboard.press('k');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe(await page.locator('a.inbox-link').nth(0).getAttribute('href'));

    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement)?.blur());
    await page.screenshot({ path: join(IMAGES, 'inbox.png') });
  });

  it('filters by severity, workflow, host and rule; the search finds a host', async () => {
    const { page } = await watched('reviewer');
    await inboxLoaded(page);

    await page.getByRole('button', { name: 'Critical', exact: true }).click();
    const critical = posted.filter((p) => p.severity === 'critical');
    await inboxLoaded(page, critical.length);
    expect(new Set(await items(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-severity'))))).toEqual(new Set(['critical']));
    expect(new Set(await shownIds(page))).toEqual(new Set(critical.map((p) => p.id)));
    await page.getByText(`Showing ${critical.length} of ${posted.length}.`).waitFor();

    // Severity and workflow together.
    await page.getByLabel('Workflow', { exact: true }).selectOption('disable-2h');
    const both = critical.filter((p) => p.workflowId === 'disable-2h');
    await inboxLoaded(page, both.length);
    expect(new Set(await shownIds(page))).toEqual(new Set(both.map((p) => p.id)));
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await inboxLoaded(page);

    // Host and rule menus.
    await page.getByLabel('Host', { exact: true }).selectOption('dc-02');
    const onHost = posted.filter((p) => p.host === 'dc-02');
    await inboxLoaded(page, onHost.length);
    expect(new Set(await items(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-host'))))).toEqual(new Set(['dc-02']));
    await page.getByLabel('Host', { exact: true }).selectOption('');
    await page.getByLabel('Rule', { exact: true }).selectOption('Kerberoasting');
    const onRule = posted.filter((_, i) => i < 30 && RULES[i % RULES.length] === 'Kerberoasting');
    await inboxLoaded(page, onRule.length);
    await page.getByLabel('Rule', { exact: true }).selectOption('');
    await inboxLoaded(page);

    // The search box: a host.
    await page.getByRole('searchbox', { name: 'Search the inbox' }).fill('web-prod-07');
    const web = posted.filter((p) => p.host === 'web-prod-07');
    expect(web.length).toBeGreaterThan(1);
    await inboxLoaded(page, web.length);
    expect(new Set(await shownIds(page))).toEqual(new Set(web.map((p) => p.id)));
    // … an alert id, a user.
    await page.getByRole('searchbox', { name: 'Search the inbox' }).fill(posted[3].uuid);
    await inboxLoaded(page, 1);
    expect(await shownIds(page)).toEqual([posted[3].id]);
    await page.getByRole('searchbox', { name: 'Search the inbox' }).fill('nothing-matches-this');
    await page.getByText('No request matches').waitFor();
    await page.getByRole('searchbox', { name: 'Search the inbox' }).fill('');
    await inboxLoaded(page);
  });

  it('requests raised by one alert are grouped under a header naming the alert and its host', async () => {
    const { page } = await watched('reviewer');
    await inboxLoaded(page);
    const group = page.locator(`li.inbox-group[data-group="${SHARED.uuid}"]`);
    await group.waitFor();
    expect(await group.locator('li.inbox-item').count()).toBe(2);
    const head = await group.locator('.inbox-group-head').innerText();
    expect(head).toContain(SHARED.uuid);
    expect(head).toContain(SHARED.host);
    expect(head).toMatch(/2 requests/i);
    const inGroup = await group.locator('li.inbox-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(new Set(inGroup)).toEqual(new Set(posted.filter((p) => p.uuid === SHARED.uuid).map((p) => p.id)));
    // The other alerts raised one request each: no other group.
    expect(await page.locator('li.inbox-group').count()).toBe(1);
    // Its 30 min request is among the most urgent, so the group sits at the top with the other 30 min requests.
    const order = await shownIds(page);
    const pos = order.indexOf(inGroup[0]!);
    expect(order[pos + 1]).toBe(inGroup[1]);
    expect(pos).toBeLessThan(12);
  });

  it('the UTC toggle changes the shown zone and survives a reload; times have the exact ISO time on hover', async () => {
    // A reviewer in New York (the harness's pages run in UTC).
    const context = await browser.newContext({ baseURL: sys.baseUrl, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'America/New_York', reducedMotion: 'reduce' });
    const page = await context.newPage();
    const w: Watched = { context, page, problems: [], dialogs: [] };
    page.on('console', (m) => m.type() === 'error' && w.problems.push(`console.error: ${m.text()}`));
    page.on('pageerror', (e) => w.problems.push(`pageerror: ${e.message}`));
    pages.push(w);
    await signIn(page, 'reviewer');
    await inboxLoaded(page);
    const time = page.locator('li.inbox-item time').first();
    expect(await time.innerText()).toMatch(/^\d\d:\d\d E[SD]T$/);
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const toggle = page.getByRole('button', { name: 'UTC times' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await page.waitForFunction(() => /^\d\d:\d\d UTC$/.test(document.querySelector('li.inbox-item time')?.textContent ?? ''));
    expect(await page.evaluate(() => localStorage.getItem('flowgate.timeZone'))).toBe('utc');
    // The exact instant does not change with the zone.
    const iso = await time.getAttribute('title');
    const [hh, mm] = (await time.innerText()).split(/[: ]/);
    expect(`${hh}:${mm}`).toBe(iso!.slice(11, 16));

    await page.reload();
    await inboxLoaded(page);
    expect(await page.locator('li.inbox-item time').first().innerText()).toMatch(/^\d\d:\d\d UTC$/);
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.click();
    await page.waitForFunction(() => /E[SD]T$/.test(document.querySelector('li.inbox-item time')?.textContent ?? ''));
    expect(await page.evaluate(() => localStorage.getItem('flowgate.timeZone'))).toBeNull();
  });

  it('when the API cannot be reached the live badge says "Offline, retrying", and comes back', async () => {
    const w = await watched('reviewer');
    const { page } = w;
    await inboxLoaded(page);
    const badge = page.getByTestId('live-badge');
    expect((await badge.innerText()).toLowerCase()).toBe('live');

    // A network failure.
    await page.route('**/api/workflowExecutions?*', (route) => route.abort('connectionrefused'));
    await page.getByText('Offline, retrying').first().waitFor({ timeout: 10_000 });
    expect(await badge.innerText()).toBe('Offline, retrying');
    expect(await badge.getAttribute('class')).toContain('live-offline');
    // The last rows stay, with no spinner.
    expect(await items(page).count()).toBe(posted.length);
    expect(await page.locator('.spinner').count()).toBe(0);
    await page.unroute('**/api/workflowExecutions?*');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-badge"]')?.textContent === 'live', undefined, { timeout: 10_000 });

    // A 503 (the API up, its Redis down) is offline too.
    await page.route('**/api/workflowExecutions?*', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'Redis is unavailable' } }) }));
    await page.getByText('Offline, retrying').first().waitFor({ timeout: 10_000 });
    await page.unroute('**/api/workflowExecutions?*');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-badge"]')?.textContent === 'live', undefined, { timeout: 10_000 });

    // Unreachable from the first load: no endless spinner beside a green badge.
    await page.route('**/api/workflowExecutions?*', (route) => route.abort('connectionrefused'));
    await page.reload();
    await page.getByTestId('live-badge').filter({ hasText: 'Offline, retrying' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.spinner').count()).toBe(0);
    await page.unroute('**/api/workflowExecutions?*');
    await inboxLoaded(page);
    forgive(w, /Failed to load resource: (net::ERR_CONNECTION_REFUSED|the server responded with a status of 503)/);
  });

  it('an execution opened from the inbox keeps Inbox active in the sidebar; Esc goes back to the inbox', async () => {
    const { page } = await watched('reviewer');
    await inboxLoaded(page);
    const first = page.locator('a.inbox-link').first();
    const id = await page.locator('li.inbox-item').first().getAttribute('data-id');
    await first.click();
    await page.waitForURL(`**/executions/${id}?resume=true&from=inbox`);
    await page.getByRole('region', { name: 'Decision needed' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: /^Inbox/ }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Executions' }).getAttribute('aria-current')).toBeNull();

    // Esc in a text field is the field's; elsewhere it goes back to the inbox.
    await page.evaluate(() => (document.activeElement as HTMLElement)?.blur());
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.pathname === '/');
    await inboxLoaded(page);

    // Opened from the executions list, it is an execution.
    await page.goto(`/executions/${id}`);
    await page.getByRole('region', { name: 'Decision needed' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Executions' }).getAttribute('aria-current')).toBe('page');
  });

  it('sign-in asks GET /api/session only (no probing requests); a wrong key says so', async () => {
    const w = await openPage(browser, sys.baseUrl);
    pages.push(w);
    const { page } = w;
    const api: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) api.push(`${r.method()} ${u.pathname}`);
    });
    await page.goto('/');
    await page.getByLabel('API key').fill('not-a-valid-key-0123456789abcdef0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This API key was not accepted' }).waitFor();
    expect(api).toEqual(['GET /api/session']);
    forgive(w, /status of 401/);

    api.length = 0;
    await page.getByLabel('API key').fill(KEYS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(api[0]).toBe('GET /api/session');
    expect(api.filter((a) => a.startsWith('POST'))).toEqual([]);
    expect(await page.locator('.role-chip').innerText()).toBe('Viewer');
    expect(await page.getByTestId('key-name').innerText()).toBe(KEY_NAMES.viewer);
  });

  it('is usable at 390 px: nothing overflows sideways, the filters wrap', async () => {
    const { page } = await watched('reviewer', '/', { width: 390, height: 844 });
    await inboxLoaded(page);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByRole('searchbox', { name: 'Search the inbox' }).fill(SHARED.host);
    await inboxLoaded(page, 2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(IMAGES, 'inbox-phone.png') });
  });
});
