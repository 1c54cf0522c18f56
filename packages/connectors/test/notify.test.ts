/**
 * The notification senders (docs/connectors.md "Notification channels") against REAL loopback
 * stand-ins speaking the real protocols, never mocks: Slack incoming webhooks and chat.postMessage
 * (test/fixtures/slack-server.ts, through @slack/webhook and @slack/web-api), SMTP
 * (test/fixtures/smtp-server.ts, smtp-server + mailparser, through nodemailer) and a JSON webhook to an
 * `http` connector (the EDR/pager stand-in). Every failure is a NotifyError with the right `retryable`
 * and without a secret.
 */
import { createServer } from 'node:net';
import { listen, readRequest, sendJson } from '../../../test/fixtures/http-util';
import {
  NotifyError,
  verifySlackSignature,
  parseConnectors,
  postSlackMessage,
  postWebhook,
  sendEmail,
  sendSlackWebhook,
  slackApprovalMessage,
  type EmailConnector,
  type HttpConnector,
  type SlackApiConnector,
  type SlackConnector,
} from '@flowgate/connectors';
import { startEdrServer, type EdrServer } from '../../../test/fixtures/edr-server';
import { slackInteraction, startSlackServer, type SlackServer } from '../../../test/fixtures/slack-server';
import { startSmtpServer, type SmtpServer } from '../../../test/fixtures/smtp-server';

const TOKEN = 'xoxb-test-token-1234567890';
const SMTP_PASSWORD = 'smtp-secret-password-42';
const PAGER_TOKEN = 'pager-secret-token-77';

let slack: SlackServer;
let smtp: SmtpServer;
let smtpAuth: SmtpServer;
let pager: EdrServer;
let closedPort: number;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<NotifyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(NotifyError);
    return err as NotifyError;
  }
  throw new Error('expected a NotifyError');
}

function noSecrets(err: NotifyError, ...secrets: string[]): void {
  const text = `${err.message} ${JSON.stringify(err)} ${String(err.stack)}`;
  for (const s of secrets) expect(text).not.toContain(s);
}

beforeAll(async () => {
  [slack, smtp, smtpAuth, pager, closedPort] = await Promise.all([
    startSlackServer({ token: TOKEN }),
    startSmtpServer(),
    startSmtpServer({ user: 'flowgate', password: SMTP_PASSWORD }),
    startEdrServer({ token: PAGER_TOKEN }),
    freePort(),
  ]);
});

afterAll(async () => {
  await Promise.all([slack?.close(), smtp?.close(), smtpAuth?.close(), pager?.close()]);
});

beforeEach(() => {
  slack.reset();
  smtp.reset();
  smtpAuth.reset();
});

const webhook = (url = slack.webhookUrl): SlackConnector => ({ id: 'slack-demo', type: 'slack', url });
const slackApi = (token = TOKEN, url = slack.apiUrl): SlackApiConnector => ({ id: 'slack-api-demo', type: 'slack_api', token, url, signingSecret: 'signing-secret-abcdef' });
const mail = (over: Partial<EmailConnector> = {}): EmailConnector => ({ id: 'mail-demo', type: 'email', host: '127.0.0.1', port: smtp.port, secure: false, from: 'flowgate@localhost', ...over });

const APPROVAL = () =>
  slackApprovalMessage({
    text: '*Isolate host* `web-01`? AI category: *malware*',
    links: [
      { label: 'Approve', url: 'http://localhost:8080/answer/approve?token=abc', style: 'primary' },
      { label: 'Decline', url: 'http://localhost:8080/answer/reject?token=def', style: 'danger' },
    ],
    actions: [{ label: 'Approve here', actionId: 'flowgate_approve', value: 'exec-1:gate:approve', style: 'primary' }],
  });

describe('sendSlackWebhook (@slack/webhook → the Slack stand-in)', () => {
  test('the message arrives with its text and blocks', async () => {
    const msg = APPROVAL();
    await sendSlackWebhook(webhook(), msg);
    expect(slack.messages).toHaveLength(1);
    const got = slack.messages[0];
    expect(got).toMatchObject({ kind: 'webhook', channel: null, text: msg.text, blocks: msg.blocks });
    expect(got.links).toEqual(['http://localhost:8080/answer/approve?token=abc', 'http://localhost:8080/answer/reject?token=def']);
    const listed = (await (await fetch(slack.receivedUrl)).json()) as { messages: unknown[] };
    expect(listed.messages).toEqual([JSON.parse(JSON.stringify(got))]);
  });

  test('a text-only message', async () => {
    await sendSlackWebhook(webhook(), { text: 'hello' });
    expect(slack.messages[0]).toMatchObject({ kind: 'webhook', text: 'hello', blocks: null });
  });

  test('an unknown webhook (404 no_service) is not retryable, and the URL path is not in the error', async () => {
    const url = `${slack.url}/services/TNOPE/BNOPE`;
    const err = await failure(sendSlackWebhook(webhook(url), { text: 'x' }));
    expect(err).toMatchObject({ channel: 'slack', connector: 'slack-demo', retryable: false, status: 404, code: 'no_service' });
    expect(err.message).toBe('slack "slack-demo": the webhook answered 404: no_service');
    noSecrets(err, '/services/TNOPE/BNOPE', 'BNOPE');
  });

  test('5xx and 429 are retryable', async () => {
    slack.failNext(1, 503);
    const e5 = await failure(sendSlackWebhook(webhook(), { text: 'x' }));
    expect(e5).toMatchObject({ retryable: true, status: 503 });
    slack.failNext(1, 429);
    const e4 = await failure(sendSlackWebhook(webhook(), { text: 'x' }));
    expect(e4).toMatchObject({ retryable: true, status: 429 });
    noSecrets(e4, 'standin-webhook-secret', '/services/');
    expect(slack.messages).toHaveLength(0);
  });

  test('a closed port fails retryable (ECONNREFUSED), naming the origin only', async () => {
    const url = `http://127.0.0.1:${closedPort}/services/T1/B1/very-secret-webhook-path`;
    const err = await failure(sendSlackWebhook(webhook(url), { text: 'x' }));
    expect(err).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
    expect(err.message).toBe(`slack "slack-demo": cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
    noSecrets(err, 'very-secret-webhook-path', '/services/');
  });

  test('an empty text is refused before sending, not retryable', async () => {
    const err = await failure(sendSlackWebhook(webhook(), { text: ' ' }));
    expect(err).toMatchObject({ retryable: false, code: 'invalid_message' });
  });

  test("the caller's signal stops a send", async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await failure(sendSlackWebhook(webhook(), { text: 'x' }, ac.signal));
    expect(err).toMatchObject({ retryable: true, code: 'aborted' });
  });
});

describe('postSlackMessage (@slack/web-api chat.postMessage → the Slack stand-in)', () => {
  test('the message with its buttons arrives in the channel; ts and channel come back', async () => {
    const msg = APPROVAL();
    const res = await postSlackMessage(slackApi(), { channel: 'C0SECOPS', ...msg });
    expect(res.channel).toBe('C0SECOPS');
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.messages).toHaveLength(1);
    const got = slack.messages[0];
    expect(got).toMatchObject({ kind: 'chat.postMessage', channel: 'C0SECOPS', text: msg.text, ts: res.ts });
    const actions = (got.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions')!;
    expect(actions.elements).toEqual([
      expect.objectContaining({ type: 'button', text: expect.objectContaining({ text: 'Approve' }), url: 'http://localhost:8080/answer/approve?token=abc', style: 'primary' }),
      expect.objectContaining({ type: 'button', text: expect.objectContaining({ text: 'Decline' }), url: 'http://localhost:8080/answer/reject?token=def', style: 'danger' }),
      expect.objectContaining({ type: 'button', action_id: 'flowgate_approve', value: 'exec-1:gate:approve' }),
    ]);
    // the bot token went as a bearer token
    const req = slack.requests.find((r) => r.path === '/api/chat.postMessage')!;
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('a wrong token is refused by Slack (invalid_auth): not retryable, no token in the error', async () => {
    const wrong = 'xoxb-wrong-token-0987654321';
    const err = await failure(postSlackMessage(slackApi(wrong), { channel: 'C1', text: 'x' }));
    expect(err).toMatchObject({ channel: 'slack_api', connector: 'slack-api-demo', retryable: false, code: 'invalid_auth' });
    expect(err.message).toBe('slack_api "slack-api-demo": chat.postMessage failed: invalid_auth');
    noSecrets(err, wrong, TOKEN);
    expect(slack.messages).toHaveLength(0);
  });

  test('no channel is refused before sending', async () => {
    const err = await failure(postSlackMessage(slackApi(), { channel: '', text: 'x' }));
    expect(err).toMatchObject({ retryable: false, code: 'invalid_message' });
  });

  test('429 (rate limited) is retryable with retryAfter, 5xx retryable, without waiting inside the client', async () => {
    slack.failNext(1, 429);
    const started = Date.now();
    const rl = await failure(postSlackMessage(slackApi(), { channel: 'C1', text: 'x' }));
    expect(Date.now() - started).toBeLessThan(900);
    expect(rl).toMatchObject({ retryable: true, status: 429, retryAfter: 1 });
    slack.failNext(1, 500);
    const e5 = await failure(postSlackMessage(slackApi(), { channel: 'C1', text: 'x' }));
    expect(e5).toMatchObject({ retryable: true, status: 500 });
    noSecrets(e5, TOKEN);
  });

  test('a closed port fails retryable', async () => {
    const err = await failure(postSlackMessage(slackApi(TOKEN, `http://127.0.0.1:${closedPort}/api`), { channel: 'C1', text: 'x' }));
    expect(err).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
    noSecrets(err, TOKEN);
  });
});

describe('Slack button clicks (the stand-in signs them as Slack does; verifySlackSignature checks them)', () => {
  test('POST /_click sends a signed block_actions request for a posted button; a tampered one is refused', async () => {
    const secret = 'app-signing-secret-123456';
    const seen: { ok: boolean; payload: Record<string, unknown> }[] = [];
    const app = await listen(0, async (req, res) => {
      const r = await readRequest(req);
      const ok = verifySlackSignature({
        signingSecret: secret,
        timestamp: r.headers['x-slack-request-timestamp'] as string,
        signature: r.headers['x-slack-signature'] as string,
        rawBody: r.text,
      });
      seen.push({ ok, payload: JSON.parse(new URLSearchParams(r.text).get('payload') ?? '{}') });
      sendJson(res, ok ? 200 : 401, { ok });
    });
    const clicker = await startSlackServer({ token: TOKEN, signingSecret: secret, interactivityUrl: `http://127.0.0.1:${app.port}/api/integrations/slack/actions` });
    try {
      const posted = await postSlackMessage(slackApi(TOKEN, clicker.apiUrl), { channel: 'C0SECOPS', ...APPROVAL() });
      const click = await fetch(`${clicker.url}/_click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ts: posted.ts, actionId: 'flowgate_approve', userId: 'U0ALICE', userName: 'alice' }) });
      expect(await click.json()).toEqual({ status: 200, body: '{"ok":true}' });
      expect(seen[0].ok).toBe(true);
      expect(seen[0].payload).toMatchObject({
        type: 'block_actions',
        user: { id: 'U0ALICE', username: 'alice' },
        container: { message_ts: posted.ts, channel_id: 'C0SECOPS' },
        actions: [{ action_id: 'flowgate_approve', value: 'exec-1:gate:approve', block_id: 'flowgate_actions' }],
      });
      // a request signed with another secret, or changed after signing, is refused
      const forged = slackInteraction({ signingSecret: 'not-the-secret-000', actionId: 'flowgate_approve', value: 'exec-1:gate:approve' });
      const r1 = await fetch(`http://127.0.0.1:${app.port}/`, { method: 'POST', headers: forged.headers, body: forged.body });
      expect(r1.status).toBe(401);
      const genuine = slackInteraction({ signingSecret: secret, actionId: 'flowgate_approve', value: 'exec-1:gate:approve' });
      const r2 = await fetch(`http://127.0.0.1:${app.port}/`, { method: 'POST', headers: genuine.headers, body: genuine.body.replace('approve', 'reject') });
      expect(r2.status).toBe(401);
      const r3 = await fetch(`http://127.0.0.1:${app.port}/`, { method: 'POST', headers: genuine.headers, body: genuine.body });
      expect(r3.status).toBe(200);
    } finally {
      await Promise.all([clicker.close(), app.close()]);
    }
  });
});

describe('sendEmail (nodemailer → the SMTP stand-in)', () => {
  const MESSAGE = {
    to: ['oncall@example.com', 'Security Team <secops@example.com>'],
    subject: 'Approval needed: isolate web-01 (malware)',
    text: 'Isolate web-01?\nApprove: http://localhost:8080/answer/approve?token=abc\n',
    html: '<p>Isolate <b>web-01</b>?</p><p><a href="http://localhost:8080/answer/approve?token=abc">Approve</a></p>',
  };

  test('the mail arrives with its subject, recipients, text and HTML parts', async () => {
    const res = await sendEmail(mail(), MESSAGE);
    expect(res.accepted).toEqual(['oncall@example.com', 'secops@example.com']);
    expect(res.rejected).toEqual([]);
    expect(smtp.messages).toHaveLength(1);
    const got = smtp.messages[0];
    expect(got).toMatchObject({ from: 'flowgate@localhost', fromHeader: 'flowgate@localhost', to: ['oncall@example.com', 'secops@example.com'], subject: MESSAGE.subject });
    expect(got.text.trim()).toBe(MESSAGE.text.trim());
    expect(got.html).toContain('<b>web-01</b>');
    expect(got.links).toEqual(['http://localhost:8080/answer/approve?token=abc']);
    expect(got.messageId).toBe(res.messageId);
    const listed = (await (await fetch(smtp.receivedUrl)).json()) as { messages: { subject: string }[] };
    expect(listed.messages.map((m) => m.subject)).toEqual([MESSAGE.subject]);
  });

  test('with SMTP AUTH: the right password sends, a wrong one fails not retryable without the password', async () => {
    await sendEmail(mail({ port: smtpAuth.port, user: 'flowgate', password: SMTP_PASSWORD }), MESSAGE);
    expect(smtpAuth.messages).toHaveLength(1);
    expect(smtpAuth.messages[0].user).toBe('flowgate');
    const wrong = 'not-the-password-123';
    const err = await failure(sendEmail(mail({ port: smtpAuth.port, user: 'flowgate', password: wrong }), MESSAGE));
    expect(err).toMatchObject({ channel: 'email', connector: 'mail-demo', retryable: false, status: 535, code: 'EAUTH' });
    expect(err.message).toMatch(/^email "mail-demo": 127\.0\.0\.1:\d+: authentication failed/);
    noSecrets(err, wrong, Buffer.from(wrong).toString('base64'), Buffer.from(`\u0000flowgate\u0000${wrong}`).toString('base64'));
  });

  test('an SMTP 4xx reply is retryable, a 5xx reply is not', async () => {
    smtp.failNext(1, 451);
    const e4 = await failure(sendEmail(mail(), MESSAGE));
    expect(e4).toMatchObject({ retryable: true, status: 451 });
    smtp.failNext(1, 550);
    const e5 = await failure(sendEmail(mail(), MESSAGE));
    expect(e5).toMatchObject({ retryable: false, status: 550 });
    expect(smtp.messages).toHaveLength(0);
  });

  test('a closed port fails retryable', async () => {
    const err = await failure(sendEmail(mail({ port: closedPort, user: 'flowgate', password: SMTP_PASSWORD }), MESSAGE));
    expect(err).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
    expect(err.message).toBe(`email "mail-demo": cannot reach 127.0.0.1:${closedPort} (ECONNREFUSED)`);
    noSecrets(err, SMTP_PASSWORD);
  });

  test('no recipient, a bad address or a two-line subject is refused before sending', async () => {
    expect(await failure(sendEmail(mail(), { ...MESSAGE, to: [] }))).toMatchObject({ retryable: false, code: 'invalid_message' });
    expect(await failure(sendEmail(mail(), { ...MESSAGE, to: ['not an address'] }))).toMatchObject({ retryable: false, code: 'invalid_message' });
    expect(await failure(sendEmail(mail(), { ...MESSAGE, subject: 'a\r\nBcc: x@example.com' }))).toMatchObject({ retryable: false, code: 'invalid_message' });
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('postWebhook (an http connector → the pager stand-in)', () => {
  const pagerConnector = (over: Partial<HttpConnector> = {}): HttpConnector => ({
    id: 'pager',
    type: 'http',
    url: 'https://pager.example.com/v1/pages',
    targetUrl: pager.url,
    headers: { Authorization: `Bearer ${PAGER_TOKEN}` },
    ...over,
  });
  const BODY = { executionId: 'exec-1', step: 'gate', message: 'Isolate web-01?', links: { approve: 'http://localhost:8080/a' } };

  test('one JSON POST to the connector url, with its headers and an Idempotency-Key', async () => {
    const before = pager.pages.length;
    const res = await postWebhook(pagerConnector(), BODY, { idempotencyKey: 'exec-1:gate:webhook' });
    expect(res.status).toBe(200);
    const page = pager.pages.at(-1)!;
    expect(pager.pages.length).toBe(before + 1);
    expect(page.body).toEqual(BODY);
    expect(page.headers['content-type']).toBe('application/json');
    expect(page.headers.authorization).toBe(`Bearer ${PAGER_TOKEN}`);
    expect(page.headers['idempotency-key']).toBe('exec-1:gate:webhook');
    expect(page.headers.host).toBe('pager.example.com');
  });

  test('5xx is retryable, 404 is not; neither names the token nor the URL path', async () => {
    pager.failNext(1, 502);
    const e5 = await failure(postWebhook(pagerConnector(), BODY));
    expect(e5).toMatchObject({ channel: 'webhook', connector: 'pager', retryable: true, status: 502 });
    const e4 = await failure(postWebhook(pagerConnector({ url: 'https://pager.example.com/secret-path-123456' }), BODY));
    expect(e4).toMatchObject({ retryable: false, status: 404 });
    expect(e4.message).toMatch(/^webhook "pager": https:\/\/pager\.example\.com answered 404/);
    noSecrets(e5, PAGER_TOKEN);
    noSecrets(e4, PAGER_TOKEN, 'secret-path-123456');
  });

  test('a closed port fails retryable', async () => {
    const err = await failure(postWebhook(pagerConnector({ targetUrl: `http://127.0.0.1:${closedPort}` }), BODY));
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
    noSecrets(err, PAGER_TOKEN);
  });
});

describe('the registry redacts the notification secrets', () => {
  test('webhook URL (and its path), token, signing secret, SMTP password', () => {
    const registry = parseConnectors(
      `connectors:
  s: { type: slack, url: "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX" }
  a: { type: slack_api, token: xoxb-abcdef-123456, signingSecret: sign-secret-123456 }
  m: { type: email, host: smtp.example.com, user: u, password: smtp-pass-123456, from: f@example.com }
`,
      {},
    );
    const text = 'url https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX path /services/T000/B000/XXXXsecretXXXX token xoxb-abcdef-123456 sig sign-secret-123456 pw smtp-pass-123456';
    const out = registry.redact(text);
    for (const s of ['XXXXsecretXXXX', 'xoxb-abcdef-123456', 'sign-secret-123456', 'smtp-pass-123456']) expect(out).not.toContain(s);
    expect(registry.describe()).toEqual({ s: { type: 'slack' }, a: { type: 'slack_api' }, m: { type: 'email' } });
  });
});
