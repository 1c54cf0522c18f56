/**
 * The generated answer form (packages/ui/src/components/SchemaForm.tsx and form/) in headless Chromium
 * against the real system (redis-server, the API serving packages/ui/dist, a worker): lists with text
 * buttons and numbered items, errors in words (the field's title, a pattern's description, never a
 * path or a regular expression), "Choose…" in selects, and a yes/no schema answered in one click.
 * Run `pnpm build` first.
 */
import type { Browser, Page } from 'playwright-core';
import { KEY_NAMES, System } from '../helpers/system';
import { expectClean, launch, openPage, signIn, type Watched } from './harness';

jest.setTimeout(60_000);

let sys: System;
let browser: Browser;
const pages: Watched[] = [];

const PATTERN = '^([0-9a-f]{64}|([0-9]{1,3}[.]){3}[0-9]{1,3})$';
const PATTERN_HINT = 'An IPv4 address or a SHA-256 hash.';

const INDICATORS = `
name: Block indicators
triggers:
  - type: manual
steps:
  - name: review
    type: waitForInput
    with:
      message: |
        ## Block these indicators at the firewall?
      schema:
        type: object
        properties:
          indicators:
            type: array
            title: Indicators to block
            minItems: 1
            items:
              type: string
              title: Indicator
              pattern: '${PATTERN}'
              description: ${PATTERN_HINT}
          action:
            type: string
            title: Action
            enum: [block, monitor]
          ticket:
            type: string
            title: Change ticket
            minLength: 3
        required: [indicators, action, ticket]
  - name: done
    type: console
    with:
      message: "{{ steps.review.output.action }}"
`;

const YES_NO = `
name: Isolate host quickly
triggers:
  - type: manual
steps:
  - name: review
    type: waitForInput
    with:
      message: |
        ## Isolate fin-ws-042?
      schema:
        type: object
        properties:
          isolate:
            type: boolean
            title: Isolate the host
          notes:
            type: string
            title: Analyst notes
            maxLength: 40
        required: [isolate]
  - name: done
    type: console
    with:
      message: "isolate={{ steps.review.output.isolate }}"
`;

async function run(workflowId: string): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${workflowId}/run`, { key: 'editor', body: { inputs: {} } });
  expect(r.status).toBe(202);
  return r.body.executionId;
}

const waiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';
const decision = (page: Page) => page.getByRole('region', { name: 'Decision needed' });
const stepOutput = async (id: string) => (await sys.execution(id)).steps.find((s: any) => s.path === 'review')?.output;

async function opened(id: string): Promise<{ w: Watched; page: Page }> {
  const w = await openPage(browser, sys.baseUrl);
  pages.push(w);
  await signIn(w.page, 'reviewer', `/executions/${id}`);
  await decision(w.page).waitFor();
  return { w, page: w.page };
}

/** The labels of a list's items, in order, and their values. */
async function items(page: Page): Promise<{ label: string; value: string }[]> {
  return decision(page)
    .locator('.array-item')
    .evaluateAll((rows) =>
      rows.map((r) => {
        const input = r.querySelector('input') as HTMLInputElement;
        return { label: (input.labels?.[0]?.textContent ?? '').trim(), value: input.value };
      }),
    );
}

beforeAll(async () => {
  [sys, browser] = await Promise.all([System.start({ workers: 1 }), launch()]);
  await sys.putWorkflow('block-indicators', INDICATORS);
  await sys.putWorkflow('isolate-quick', YES_NO);
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

describe('generated answer form', () => {
  it('a list has text buttons: Add adds an item numbered #n and focuses it, Remove removes one and renumbers', async () => {
    const id = await run('block-indicators');
    await sys.waitForExecution(id, waiting);
    const { page } = await opened(id);
    const panel = decision(page);
    const list = panel.getByRole('group', { name: 'Indicators to block' });
    await list.waitFor();

    const add = list.getByRole('button', { name: 'Add Indicator', exact: true });
    expect(await add.innerText()).toBe('Add Indicator'); // visible text = accessible name
    const before = (await items(page)).length;
    await add.click();
    await add.click();
    const after = await items(page);
    expect(after.length).toBe(before + 2);
    expect(after.map((i) => i.label)).toEqual(after.map((_, n) => `#${n + 1}`));
    // The focus went to the new item, so typing fills it.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim())).toBe(`#${after.length}`);

    // Every button of the list says what it does, in text (no icon-only buttons), and is named by it.
    const buttons = await list.locator('button').evaluateAll((bs) => bs.map((b) => ({ text: (b.textContent ?? '').trim(), aria: b.getAttribute('aria-label'), title: b.getAttribute('title') })));
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) {
      expect(b.text).toMatch(/^(Add Indicator|Remove|Move up|Move down)$/);
      expect(b.aria).toBeNull();
      expect(b.title).toBeNull();
    }
    expect(await list.getByRole('button', { name: 'Remove', exact: true }).count()).toBe(after.length);
    expect(await list.locator('.glyphicon').count()).toBe(0);

    // Three values, then the first removed: the others move up and are renumbered.
    await panel.getByLabel('#1', { exact: true }).fill('192.0.2.1');
    await panel.getByLabel('#2', { exact: true }).fill('192.0.2.2');
    await panel.getByLabel('#3', { exact: true }).fill('192.0.2.3');
    const rows = panel.locator('.array-item');
    // Reordering, when offered, is in words too; the focus follows the moved item.
    await rows.nth(0).getByRole('button', { name: 'Move down', exact: true }).click();
    expect((await items(page)).map((i) => i.value)).toEqual(['192.0.2.2', '192.0.2.1', '192.0.2.3']);
    expect(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.closest('.array-item')?.querySelector('input')?.value])).toEqual(['Move down', '192.0.2.1']);
    await page.keyboard.press('Enter'); // down once more, by keyboard: now last, so the focus goes to its Move up
    expect((await items(page)).map((i) => i.value)).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.1']);
    expect(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.closest('.array-item')?.querySelector('input')?.value])).toEqual(['Move up', '192.0.2.1']);
    await page.keyboard.press('Enter');
    await rows.nth(0).getByRole('button', { name: 'Move down', exact: true }).click();
    expect((await items(page)).map((i) => i.value)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    await rows.nth(0).getByRole('button', { name: 'Remove', exact: true }).click();
    expect(await items(page)).toEqual([
      { label: '#1', value: '192.0.2.2' },
      { label: '#2', value: '192.0.2.3' },
    ]);
    // The keyboard focus stays in the list (on the item now first), not on the page.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('192.0.2.2');
    // Keyboard only: Enter on a Remove button removes its item.
    await rows.nth(1).getByRole('button', { name: 'Remove', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await items(page)).toEqual([{ label: '#1', value: '192.0.2.2' }]);
    await sys.request('POST', `/api/workflowExecutions/${id}/cancel`, { key: 'reviewer' });
  });

  it('errors name the field by its title, say a pattern\'s description, and show no path or regex; "Choose…" in the select; then it is accepted', async () => {
    const id = await run('block-indicators');
    await sys.waitForExecution(id, waiting);
    const { page } = await opened(id);
    const panel = decision(page);

    // The enum's select starts on "Choose…".
    const action = panel.getByLabel('Action');
    expect(await action.evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await action.evaluate((s: HTMLSelectElement) => s.options[s.selectedIndex]?.text)).toBe('Choose…');
    expect(await action.locator('option').allInnerTexts()).toEqual(['Choose…', 'block', 'monitor']);

    // A wrong indicator, an empty one, no action, a short ticket.
    const add = panel.getByRole('button', { name: 'Add Indicator', exact: true });
    while ((await items(page)).length < 2) await add.click();
    await panel.getByLabel('#1', { exact: true }).fill('not-an-indicator');
    await panel.getByLabel('Change ticket').fill('C1');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    const list = panel.locator('.form-errors');
    await list.waitFor();
    const text = await list.innerText();
    expect(text).toContain(`Indicators to block #1 has the wrong format: ${PATTERN_HINT}`);
    expect(text).toContain('Indicators to block #2 is empty: fill it in or remove it');
    expect(text).toContain('Action is required');
    expect(text).toContain('Change ticket must be at least 3 characters long');
    // No path, no regex, no ajv jargon anywhere in the form.
    const all = await panel.innerText();
    for (const raw of [PATTERN, '[0-9a-f]', '.indicators', '/indicators', 'indicators.0', 'must match pattern', 'must NOT', "'Indicator"]) expect(all).not.toContain(raw);
    // Beside the item too.
    const first = panel.locator('.array-item').nth(0);
    expect(await first.locator('.field-invalid').innerText()).toContain(`Indicators to block #1 has the wrong format: ${PATTERN_HINT}`);
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    // Fixed, it is sent and accepted.
    await panel.getByLabel('#1', { exact: true }).fill('192.0.2.10');
    await panel.getByLabel('#2', { exact: true }).fill('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    await action.selectOption('block');
    await panel.getByLabel('Change ticket').fill('CHG-1234');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await page.getByTestId('outcome').getByText('Answer sent').waitFor();
    await sys.waitForExecution(id);
    expect(await stepOutput(id)).toEqual({ indicators: ['192.0.2.10', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'], action: 'block', ticket: 'CHG-1234' });
  });

  it('a yes/no schema (one required boolean, optional notes) is answered in one click, with the notes', async () => {
    const id = await run('isolate-quick');
    await sys.waitForExecution(id, waiting);
    const { w } = await opened(id);
    const page = w.page;
    // ?resume=true (the inbox's link) focuses "Yes", as a waitForApproval focuses its approve button.
    await page.goto(`/executions/${id}?resume=true`);
    const panel = decision(page);
    await page.waitForFunction(() => /Yes: Isolate the host$/.test(document.activeElement?.textContent?.trim() ?? ''));
    const yes = panel.getByRole('button', { name: 'Yes: Isolate the host', exact: true });
    const no = panel.getByRole('button', { name: 'No', exact: true });
    await yes.waitFor();
    await no.waitFor();
    expect(await panel.getByRole('radio').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Submit answer' }).count()).toBe(0);

    // Notes that break the schema (maxLength 40) are refused in words before anything is sent.
    const notes = panel.getByLabel('Analyst notes');
    await notes.fill('x'.repeat(41));
    await no.click();
    expect(await panel.locator('.form-errors').innerText()).toContain('Analyst notes must be at most 40 characters long');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    // Keyboard: from the notes, Tab reaches "Yes: …"; Enter answers.
    await notes.fill('Beaconing to a known C2.');
    await notes.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/Yes: Isolate the host$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('outcome').getByText('Answer sent').waitFor();
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    const review = done.steps.find((s: any) => s.path === 'review');
    expect(review.output).toEqual({ isolate: true, notes: 'Beaconing to a known C2.' });
    expect(review.respondedBy).toBe(KEY_NAMES.reviewer);
  });

  it('"No" without notes answers {<boolean>: false}; the full form stays one switch away and keeps the notes', async () => {
    const a = await run('isolate-quick');
    const b = await run('isolate-quick');
    await Promise.all([sys.waitForExecution(a, waiting), sys.waitForExecution(b, waiting)]);

    const { page } = await opened(a);
    await decision(page).getByRole('button', { name: 'No', exact: true }).click();
    await page.getByTestId('outcome').getByText('Answer sent').waitFor();
    await sys.waitForExecution(a);
    expect(await stepOutput(a)).toEqual({ isolate: false });

    // The generated form is still there: the notes typed carry over, the radios answer as before.
    const other = await opened(b);
    const panel = decision(other.page);
    await panel.getByLabel('Analyst notes').fill('Checked with the owner.');
    await panel.getByRole('group', { name: 'Answer with' }).getByRole('button', { name: 'Form' }).click();
    await panel.getByRole('radio', { name: 'No' }).check();
    expect(await panel.getByLabel('Analyst notes').inputValue()).toBe('Checked with the owner.');
    await panel.getByRole('button', { name: 'Submit answer' }).click();
    await other.page.getByTestId('outcome').getByText('Answer sent').waitFor();
    await sys.waitForExecution(b);
    expect(await stepOutput(b)).toEqual({ isolate: false, notes: 'Checked with the owner.' });
  });
});
