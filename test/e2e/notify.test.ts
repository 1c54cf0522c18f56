/**
 * Answering from anywhere (docs/workflows.md "Answering from Slack, e-mail or a webhook") end to end:
 * real redis-server, API and worker processes, and local stand-ins speaking the real protocols
 * (test/fixtures): a Slack-compatible server (incoming webhook and chat.postMessage, reached through
 * @slack/webhook and @slack/web-api) and an SMTP server (smtp-server, parsed with mailparser, reached
 * through nodemailer). The reference example runs with `channels: {slack, email}` on its gate.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { signSlackRequest } from '@flowgate/connectors';
import { Queues } from '@flowgate/queue';
import { Keys } from '@flowgate/store';
import { System, ROOT } from '../helpers/system';
import { expectError } from '../../services/api/test/util';
import { startStandins, standinConnectorsYaml, STANDIN_SLACK_SIGNING_SECRET, type Standins } from '../fixtures/standins';

let sys: System;
let standins: Standins;
let redis: IORedis;

const EXAMPLE = readFileSync(join(ROOT, 'examples', 'isolate-host-with-approval.yaml'), 'utf8');
/** What `flowgate up` loads with the stand-ins: the reference example, unchanged but for its name and the channels of its gate. */
const WITH_CHANNELS = readFileSync(join(ROOT, 'demo', 'workflows', 'isolate-host-with-approval-notified.yaml'), 'utf8');
const CHANNELS = '      channels:\n        slack: { connector-id: slack-demo }\n        email: { connector-id: mail-demo, to: ["oncall@example.com"] }\n';
const APPROVAL = `name: Contain
triggers: [{ type: alert }]
steps:
  - name: approve
    type: waitForApproval
    with:
      message: "## Contain {{ event.alerts[0].host.name }}?"
      approveLabel: Contain
      channels:
        slack_api: { connector-id: slack-api-demo, channels: [C0SOC] }
`;

async function post(host: string, workflowId: string): Promise<string> {
  const body = { alerts: [{ host: { name: host }, user: { name: 'svc-backup' }, rule: { name: 'Credential dumping detected', tags: ['edr'] } }] };
  const r = await sys.request('POST', `/api/alerts?workflowId=${workflowId}`, { key: 'ingest', body });
  expect(r.status).toBe(202);
  return r.body.executions[0].executionId;
}

async function until<T>(what: string, read: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tokenIn = (url: string) => url.slice(url.indexOf('#') + 1);
const linksOf = (text: string) => [...text.matchAll(/https?:\/\/\S+\/respond#[A-Za-z0-9_-]{43}/g)].map((m) => m[0]);

beforeAll(async () => {
  standins = await startStandins();
  const file = join(mkdtempSync(join(tmpdir(), 'fg-connectors-')), 'connectors.yaml');
  writeFileSync(file, standinConnectorsYaml(standins.urls));
  sys = await System.start({ workers: 1, env: { FLOWGATE_CONNECTORS: file, FLOWGATE_STANDIN_URLS: `${standins.urls.slackReceived},${standins.urls.smtpReceived}` } });
  redis = sys.redis.client();
  expect(WITH_CHANNELS.replace(/^#.*\n/gm, '').replace(CHANNELS, '').replace('-notified', '')).toBe(EXAMPLE);
  await sys.putWorkflow('isolate-notify', WITH_CHANNELS);
  await sys.putWorkflow('contain', APPROVAL);
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await sys?.stop();
  await standins?.close();
});

describe('the reference example with channels {slack, email}', () => {
  let id: string;
  let mailLinks: string[];
  let slackLinks: string[];

  it('sends one Slack message and one e-mail naming the host and the AI category, with links', async () => {
    id = await post('srv-web-09', 'isolate-notify');
    await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
    const slack = await until('the Slack message', () => standins.slack.messages.find((m) => m.text?.includes('srv-web-09')));
    const mail = await until('the e-mail', () => standins.smtp.messages.find((m) => m.text.includes('srv-web-09')));
    const category = (await sys.execution(id)).steps.find((s: any) => s.name === 'classify').output.category;
    expect(slack.kind).toBe('webhook');
    expect(slack.text).toContain(category);
    expect(mail.to).toEqual(['oncall@example.com']);
    expect(mail.subject).toContain('srv-web-09');
    expect(mail.text).toContain(category);
    expect(mail.html).toContain('srv-web-09');
    slackLinks = slack.links.filter((l) => l.includes('/respond#'));
    mailLinks = linksOf(mail.text);
    expect(slackLinks).toHaveLength(1); // a form link (waitForInput)
    expect(mailLinks).toHaveLength(1);
    expect(slackLinks[0]).not.toBe(mailLinks[0]);
    // Recorded on the wait (the record is written right after the send).
    const review = await sys.waitForExecution(id, (e) => e?.steps?.find((x: any) => x.name === 'review')?.notifications?.length === 2);
    expect(review.steps.find((x: any) => x.name === 'review').notifications.map((n: any) => [n.channel, n.status])).toEqual([
      ['email', 'sent'],
      ['slack', 'sent'],
    ]);
  });

  it('lists what the stand-ins received for the UI, links included (GET /api/standins/received)', async () => {
    const r = await sys.request('GET', '/api/standins/received', { key: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body.enabled).toBe(true);
    const mine = r.body.messages.filter((m: any) => m.text.includes('srv-web-09'));
    expect(mine.map((m: any) => m.source).sort()).toEqual(['email', 'slack']);
    expect(mine.find((m: any) => m.source === 'email')).toMatchObject({ to: 'oncall@example.com', title: expect.stringContaining('srv-web-09'), links: expect.arrayContaining([mailLinks[0]]) });
    expect(mine.find((m: any) => m.source === 'slack').links).toEqual(expect.arrayContaining([slackLinks[0]]));
  });

  it('sends nothing more when the step job is redelivered (its notification jobs added again)', async () => {
    const queues = new Queues(redis, new Keys().queuePrefix(false));
    await queues.addNotifications(id, 'review', 1, ['slack', 'email']);
    await new Promise((r) => setTimeout(r, 1500));
    await queues.close();
    expect(standins.slack.messages.filter((m) => m.text?.includes('srv-web-09'))).toHaveLength(1);
    expect(standins.smtp.messages.filter((m) => m.text.includes('srv-web-09'))).toHaveLength(1);
  });

  it("answers through the e-mail's form link as link:email; the Slack link is then 410 naming who answered", async () => {
    const view = await sys.request('GET', '/api/external/link', { key: null, headers: { 'x-flowgate-link': tokenIn(mailLinks[0]) } });
    expect(view.status).toBe(200);
    expect(view.body.waitingFor.message).toContain('srv-web-09');
    const r = await sys.request('POST', `/api/workflows/executions/${id}/steps/review/resume/external`, {
      key: null,
      headers: { 'x-flowgate-link': tokenIn(mailLinks[0]) },
      body: { approved: true, notes: 'from my phone' },
    });
    expect(r.status).toBe(200);
    const done = await sys.waitForExecution(id);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.find((s: any) => s.name === 'review')).toMatchObject({ respondedBy: 'link:email', output: { approved: true, notes: 'from my phone' } });
    const late = await sys.request('POST', `/api/workflows/executions/${id}/steps/review/resume/external`, { key: null, headers: { 'x-flowgate-link': tokenIn(slackLinks[0]) }, body: { approved: false } });
    expectError(late, 410, 'link_gone');
    expect(late.body.error.message).toContain('link:email');
  });
});

describe('Slack buttons (slack_api with a signing secret)', () => {
  const click = (value: string, actionId: string, secret = STANDIN_SLACK_SIGNING_SECRET) => {
    const raw = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1', username: 'maria' }, actions: [{ action_id: actionId, value }] }))}`;
    const ts = Math.floor(Date.now() / 1000);
    return sys.request('POST', '/api/integrations/slack/actions', {
      key: null,
      raw,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(secret, ts, raw) },
    });
  };

  it('posts approve and reject buttons; a bad signature is 401 and changes nothing; a signed click answers as the Slack user', async () => {
    const id = await post('srv-db-04', 'contain');
    await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
    const message = await until('chat.postMessage', () => standins.slack.messages.find((m) => m.kind === 'chat.postMessage' && m.text?.includes('srv-db-04')));
    expect(message.channel).toBe('C0SOC');
    const buttons = ((message.blocks as any[]).find((b) => b.type === 'actions')?.elements ?? []) as any[];
    const approve = buttons.find((b) => b.action_id === 'flowgate_approve');
    expect(approve.text.text).toBe('Contain');
    expect(buttons.find((b) => b.action_id === 'flowgate_reject').text.text).toBe('Decline');

    const forged = await click(approve.value, 'flowgate_approve', 'not-the-secret');
    expectError(forged, 401, 'unauthorized');
    expect((await sys.execution(id)).status).toBe('WAITING_FOR_INPUT');

    const ok = await click(approve.value, 'flowgate_approve');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, text: 'Approved by slack:maria' });
    const done = await sys.waitForExecution(id);
    expect(done.steps[0]).toMatchObject({ respondedBy: 'slack:maria', respondedVia: 'slack_api', output: { approved: true } });
    // A second click finds the wait over.
    expect((await click(approve.value, 'flowgate_approve')).body).toMatchObject({ ok: false, text: expect.stringContaining('already answered by slack:maria') });
  });
});
