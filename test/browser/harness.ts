/**
 * Browser harness: playwright-core driving Debian's chromium (never a downloaded browser) against
 * the real system (test/helpers/system.ts). Every page records console errors, uncaught page
 * errors and dialogs (alert/confirm/prompt): a test fails on any of them.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { KEYS } from '../helpers/system';

export const CHROMIUM = process.env.FLOWGATE_CHROMIUM ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Chromium logs every non-2xx fetch as a console error ("Failed to load resource: ... 409").
 * The app asks some questions whose answer is a 4xx on purpose; those, and only those, are not
 * errors: the role probes at sign-in (docs/api.md "Authentication and roles" has no "who am I"), and the API's answers to a
 * resume or cancel that it refuses (400 validation_failed, 409 already answered/finished), which
 * the app shows to the reviewer. Anything else (a 404 for an asset, a 500, a 4xx elsewhere) fails.
 */
const EXPECTED: [RegExp, RegExp][] = [
  [/\/api\/session$/, /status of 401/], // a wrong key at sign-in
  [/\/api\/workflowExecutions\/[0-9A-Z]{26}\/resume\?step=[^&]+$/, /status of (400|409)/],
  [/\/api\/workflowExecutions\/[0-9A-Z]{26}\/cancel$/, /status of 409/],
  // The answer page of a single-use link: a used, expired or cancelled link is 410, a refused answer 400.
  [/\/api\/external\/link$/, /status of 410/],
  [/\/api\/workflows\/executions\/[0-9A-Z]{26}\/steps\/[^/]+\/resume\/external$/, /status of (400|410)/],
];
function expectedApiAnswer(text: string, url: string): boolean {
  if (!text.startsWith('Failed to load resource: the server responded with a status of')) return false;
  const path = url.replace(/^https?:\/\/[^/]+/, '');
  return EXPECTED.some(([p, s]) => p.test(path) && s.test(text));
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** console errors, page errors and dialogs seen so far */
  problems: string[];
  dialogs: string[];
}

export async function openPage(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<Watched> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    if (expectedApiAnswer(m.text(), url)) return;
    problems.push(`console.error: ${m.text()} @ ${url}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    problems.push(`dialog ${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  return { context, page, problems, dialogs };
}

/** Signs in through the form with a role's key and waits for the app shell. */
export async function signIn(page: Page, key: keyof typeof KEYS, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('API key').fill(KEYS[key]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export function expectClean(w: Watched): void {
  expect(w.problems).toEqual([]);
}
