/**
 * Notifications of a wait and the single-use links they carry, through the real executor on a real
 * redis-server. The notifier here records what it is asked to send (and fails when told to): the
 * dispatch is under test — once per wait run and channel, retried, recorded, skipped when the wait is
 * over. The senders themselves (Slack, SMTP, webhook) are tested against protocol stand-ins in
 * packages/connectors and end to end in test/e2e.
 */
import type IORedis from 'ioredis';
import { jobIds } from '@flowgate/queue';
import { cancelExecution, resumeByLink, resumeExecution, viewLink, type NotificationMessage, type Notifier } from '../src';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;
beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());
afterEach(async () => h.close());

class RecordingNotifier implements Notifier {
  sent: NotificationMessage[] = [];
  failures = 0;
  async send(message: NotificationMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('slack answered 503'), { retryable: true });
    }
    this.sent.push(message);
  }
}

const APPROVAL = `name: T
triggers: [{ type: manual }]
steps:
  - name: review
    type: waitForApproval
    with:
      message: "## Isolate {{ inputs.host }}?"
      channels:
        slack: { connector-id: slack-demo }
        email: { connector-id: mail-demo, to: ["soc@example.com"], message: "Isolate {{ inputs.host }}? (by mail)" }
  - name: after
    type: console
    with: { message: "{{ steps.review.output.approved }}" }
`;

const FORM = `name: F
triggers: [{ type: manual }]
steps:
  - name: ask
    type: waitForInput
    with:
      message: "Block which domain?"
      schema: { type: object, properties: { domain: { type: string, minLength: 3 } }, required: [domain] }
      channels:
        webhook: { connector-id: soar }
`;

async function notified(n: RecordingNotifier, count: number) {
  const until = Date.now() + 10_000;
  while (n.sent.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(n.sent).toHaveLength(count);
}

const tokenOf = (url: string | undefined) => url!.slice(url!.indexOf('#') + 1);

describe('notifications', () => {
  it('go out once per channel with approve and reject links, and are recorded on the wait', async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n });
    const id = await h.start('notify', APPROVAL, { inputs: { host: 'web-01' } });
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    await notified(n, 2);
    const byChannel = Object.fromEntries(n.sent.map((m) => [m.channel, m]));
    expect(byChannel.slack).toMatchObject({ type: 'waitForApproval', title: 'Isolate web-01?', markdown: '## Isolate web-01?', approveLabel: 'Approve', rejectLabel: 'Decline' });
    expect(byChannel.email.markdown).toBe('Isolate web-01? (by mail)');
    expect(byChannel.email.config).toMatchObject({ to: ['soc@example.com'] });
    expect(byChannel.slack.links.approve).toMatch(/^http:\/\/flowgate\.test\/respond#[A-Za-z0-9_-]{43}$/);
    expect(byChannel.slack.links.approve).not.toBe(byChannel.email.links.approve);
    // A redelivered step job adds the same notification jobs again: nothing more is sent.
    await h.rt.queues.addNotifications(id, 'review', 1, ['slack', 'email']);
    await new Promise((r) => setTimeout(r, 300));
    expect(n.sent).toHaveLength(2);
    const { notifications } = await h.rt.executions.loadRecords(id);
    expect(notifications.get('review')!.map((e) => [e.channel, e.status])).toEqual([
      ['email', 'sent'],
      ['slack', 'sent'],
    ]);
    // Nothing of the token is stored: only its hash names the link.
    const keys = await redis.keys(`${h.rt.keys.link('*')}`);
    expect(keys).toHaveLength(4);
    for (const m of n.sent) for (const url of Object.values(m.links)) expect(keys.join(' ')).not.toContain(tokenOf(url));
  });

  it('retry a failing channel without holding up the wait, and record each attempt', async () => {
    const n = new RecordingNotifier();
    n.failures = 1;
    h = new ExecutorHarness(redis, { notifier: n });
    const id = await h.start('retry', FORM);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    const retrying = async () => (await h.rt.executions.loadRecords(id)).notifications.get('ask')?.[0];
    const until = Date.now() + 5000;
    while ((await retrying())?.status !== 'retrying' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(await retrying()).toMatchObject({ channel: 'webhook', status: 'retrying', attempts: 1, error: 'slack answered 503' });
    await notified(n, 1); // the retry comes after 2 s
    expect(await retrying()).toMatchObject({ status: 'sent', attempts: 2 });
  }, 20_000);

  it('are skipped when the wait is over before they go out', async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n });
    await h.pauseTimers();
    const id = await h.start('skip', FORM);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    expect(await h.rt.queues.hasTimer(jobIds.notify(id, 'ask', 1, 'webhook'))).toBe(true);
    // Answered before the notification went out: it finds the wait over.
    await resumeExecution(h.rt, id, { domain: 'evil.example' }, 'alice');
    await h.done(id);
    h.resume();
    const until = Date.now() + 5000;
    let entry;
    while (Date.now() < until) {
      entry = (await h.rt.executions.loadRecords(id)).notifications.get('ask')?.find((e) => e.status === 'skipped');
      if (entry) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(entry).toMatchObject({ channel: 'webhook', status: 'skipped' });
  });
});

describe('single-use links', () => {
  it('answer an approval once, as link:<channel>; then they are gone and say who answered', async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n });
    const id = await h.start('links', APPROVAL, { inputs: { host: 'web-02' } });
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    await notified(n, 2);
    const slack = n.sent.find((m) => m.channel === 'slack')!;
    const email = n.sent.find((m) => m.channel === 'email')!;
    // Reading a link changes nothing.
    expect(await viewLink(h.rt, tokenOf(slack.links.approve))).toMatchObject({ ok: true, link: { action: 'approve', channel: 'slack' } });
    expect((await h.rt.executions.load(id))!.status).toBe('WAITING_FOR_INPUT');
    const where = { executionId: id, step: 'review' };
    expect(await resumeByLink(h.rt, tokenOf(email.links.reject), where, { notes: 'false positive' })).toMatchObject({ ok: true, respondedBy: 'link:email', answer: { approved: false, notes: 'false positive' } });
    const { exec, step } = await h.done(id);
    expect(exec.answeredBy).toMatchObject({ by: 'link:email', channel: 'email' });
    expect(step('review')).toMatchObject({ output: { approved: false, notes: 'false positive' }, respondedBy: 'link:email', respondedVia: 'email' });
    for (const url of [slack.links.approve, email.links.reject]) {
      expect(await resumeByLink(h.rt, tokenOf(url), where, {})).toMatchObject({ ok: false, code: 'gone', respondedBy: 'link:email', message: expect.stringContaining('already answered by link:email') });
    }
  });

  it('refuse a cancelled execution, another request, unknown tokens and stray fields', async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n });
    const id = await h.start('cancelled', APPROVAL, { inputs: { host: 'web-03' } });
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    await notified(n, 2);
    const approve = tokenOf(n.sent[0].links.approve);
    expect(await resumeByLink(h.rt, approve, { executionId: id, step: 'other' }, {})).toMatchObject({ ok: false, code: 'gone', message: 'this link is for another request' });
    expect(await resumeByLink(h.rt, approve, { executionId: id, step: 'review' }, { approved: false })).toMatchObject({ ok: false, code: 'bad_answer' });
    expect(await resumeByLink(h.rt, 'x'.repeat(43), { executionId: id, step: 'review' }, {})).toMatchObject({ ok: false, code: 'gone', status: null });
    await cancelExecution(h.rt, id, { reason: 'user', by: 'bob' });
    expect(await resumeByLink(h.rt, approve, { executionId: id, step: 'review' }, {})).toMatchObject({ ok: false, code: 'gone', message: 'the execution was cancelled', status: 'CANCELLED' });
  });

  it("validate a form link's answer against the wait's schema", async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n });
    const id = await h.start('form', FORM);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    await notified(n, 1);
    const form = tokenOf(n.sent[0].links.form);
    expect(await resumeByLink(h.rt, form, { executionId: id, step: 'ask' }, { domain: 'x' })).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await resumeByLink(h.rt, form, { executionId: id, step: 'ask' }, { domain: 'evil.example' })).toMatchObject({ ok: true, respondedBy: 'link:webhook' });
  });

  it('are not minted when FLOWGATE_EXTERNAL_RESUME is off', async () => {
    const n = new RecordingNotifier();
    h = new ExecutorHarness(redis, { notifier: n, externalResume: false });
    const id = await h.start('nolinks', FORM);
    await h.until(id, (s) => s === 'WAITING_FOR_INPUT');
    await notified(n, 1);
    expect(n.sent[0].links).toEqual({});
  });
});
