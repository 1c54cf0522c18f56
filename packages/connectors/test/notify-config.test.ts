/**
 * The notification connector types in connectors.yaml (docs/connectors.md "type: slack", "type:
 * slack_api", "type: email"): parsed values, defaults, ${ENV} substitution and the one-line errors
 * naming the file, the connector and the field; Slack request signatures and the approval Block Kit
 * helper. Pure: no servers (the senders are tested against the stand-ins in notify.test.ts).
 */
import {
  ConnectorConfigError,
  DEFAULT_SLACK_API_URL,
  SLACK_SIGNATURE_MAX_AGE_S,
  escapeSlackText,
  parseConnectors,
  signSlackRequest,
  slackApprovalMessage,
  verifySlackSignature,
} from '@flowgate/connectors';
import { standinConnectorsYaml } from '../../../test/fixtures/standins';

const DOCS_EXAMPLE = `
connectors:
  slack-secops:
    type: slack
    url: \${SLACK_WEBHOOK_URL}
  slack-bot:
    type: slack_api
    token: \${SLACK_BOT_TOKEN}
    signingSecret: \${SLACK_SIGNING_SECRET}
  mail:
    type: email
    host: smtp.example.com
    port: 587
    secure: false
    user: flowgate
    password: \${SMTP_PASSWORD}
    from: "Flowgate <flowgate@example.com>"
`;
const ENV = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX',
  SLACK_BOT_TOKEN: 'xoxb-1-2-abcdef',
  SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
  SMTP_PASSWORD: 'smtp-password-1',
};

function one(body: string, env: Record<string, string> = {}): string {
  try {
    parseConnectors(`connectors:\n${body}`, env, 'conf/connectors.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorConfigError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected an error');
}

describe('parsing', () => {
  test('the docs example, with ${ENV} substituted', () => {
    const r = parseConnectors(DOCS_EXAMPLE, ENV);
    expect(r.get('slack-secops')).toEqual({ id: 'slack-secops', type: 'slack', url: ENV.SLACK_WEBHOOK_URL });
    expect(r.get('slack-bot')).toEqual({ id: 'slack-bot', type: 'slack_api', token: ENV.SLACK_BOT_TOKEN, signingSecret: ENV.SLACK_SIGNING_SECRET, url: 'https://slack.com/api' });
    expect(r.get('mail')).toEqual({ id: 'mail', type: 'email', host: 'smtp.example.com', port: 587, secure: false, user: 'flowgate', password: ENV.SMTP_PASSWORD, from: 'Flowgate <flowgate@example.com>' });
    expect(DEFAULT_SLACK_API_URL).toBe('https://slack.com/api');
  });

  test('defaults: secure false → port 587, secure true → 465; secure and port from ${ENV} strings', () => {
    const r = parseConnectors(
      'connectors:\n  a: { type: email, host: h.example, from: a@b.c }\n  b: { type: email, host: h.example, secure: true, from: a@b.c }\n  c: { type: email, host: h.example, secure: "${S}", port: "${P}", from: a@b.c }\n',
      { S: 'true', P: '2525' },
    );
    expect(r.get('a')).toMatchObject({ port: 587, secure: false });
    expect(r.get('b')).toMatchObject({ port: 465, secure: true });
    expect(r.get('c')).toMatchObject({ port: 2525, secure: true });
  });

  test("slack_api url (a stand-in) is normalised without a trailing '/'", () => {
    const r = parseConnectors('connectors:\n  a: { type: slack_api, token: t-123456, url: "http://127.0.0.1:9400/api/" }\n', {});
    expect(r.get('a')).toMatchObject({ url: 'http://127.0.0.1:9400/api' });
  });

  test('the stand-ins connectors.yaml parses (slack-demo, slack-api-demo, mail-demo, kibana)', () => {
    const yaml = standinConnectorsYaml({
      elasticsearch: 'http://127.0.0.1:1',
      openai: 'http://127.0.0.1:2/v1',
      edr: 'http://127.0.0.1:3',
      pager: 'http://127.0.0.1:4',
      kibana: 'http://127.0.0.1:8',
      kibanaReceived: 'http://127.0.0.1:8/_received',
      slack: 'http://127.0.0.1:5/services/T0FLOWGATE/B0STANDIN/standin-webhook-secret',
      slackApi: 'http://127.0.0.1:5/api',
      slackReceived: 'http://127.0.0.1:5/_received',
      smtp: 'smtp://127.0.0.1:6',
      smtpReceived: 'http://127.0.0.1:7/_received',
    });
    const r = parseConnectors(yaml, {});
    expect(r.describe()).toMatchObject({ 'slack-demo': { type: 'slack' }, 'slack-api-demo': { type: 'slack_api' }, 'mail-demo': { type: 'email' } });
    expect(r.get('slack-api-demo')).toMatchObject({ url: 'http://127.0.0.1:5/api', token: 'xoxb-standin-flowgate-token', signingSecret: 'standin-slack-signing-secret' });
    expect(r.get('mail-demo')).toMatchObject({ host: '127.0.0.1', port: 6, secure: false, from: 'flowgate@localhost' });
    expect(r.get('kibana')).toMatchObject({ type: 'kibana', url: 'http://127.0.0.1:8', apiKey: 'standin-kibana-api-key', default: true });
  });
});

describe('errors: one line naming the file, the connector and the field', () => {
  const CASES: [string, string, string, Record<string, string>?][] = [
    ['slack without url', '  s: { type: slack }\n', 'conf/connectors.yaml: connector "s": url: is required'],
    ['slack url not http', '  s: { type: slack, url: "ftp://hooks.example/x" }\n', 'conf/connectors.yaml: connector "s": url: expected an absolute http(s) URL'],
    ['slack unknown field', '  s: { type: slack, url: "https://h.example/x", token: abc }\n', 'conf/connectors.yaml: connector "s": token: unknown field for a connector of type slack (expected one of type, description, url)'],
    ['slack headers not allowed', '  s: { type: slack, url: "https://h.example/x", headers: {} }\n', 'conf/connectors.yaml: connector "s": headers: unknown field for a connector of type slack (expected one of type, description, url)'],
    ['slack_api without token', '  a: { type: slack_api }\n', 'conf/connectors.yaml: connector "a": token: is required'],
    ['slack_api empty token from ENV', '  a: { type: slack_api, token: "${T}" }\n', 'conf/connectors.yaml: connector "a": token: is empty (after substituting "${T}")', { T: '' }],
    ['slack_api unset ENV', '  a: { type: slack_api, token: "${SLACK_BOT_TOKEN}" }\n', 'conf/connectors.yaml: connector "a": token: environment variable SLACK_BOT_TOKEN is not set'],
    ['slack_api bad url', '  a: { type: slack_api, token: t, url: "slack.com/api" }\n', 'conf/connectors.yaml: connector "a": url: expected an absolute http(s) URL'],
    ['slack_api empty signingSecret', '  a: { type: slack_api, token: t, signingSecret: "" }\n', 'conf/connectors.yaml: connector "a": signingSecret: is empty'],
    ['email without host', '  m: { type: email, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": host: is required'],
    ['email host with scheme', '  m: { type: email, host: "smtp://h", from: a@b.c }\n', 'conf/connectors.yaml: connector "m": host: expected a host name or an IP address (no scheme, path or spaces)'],
    ['email port not a number', '  m: { type: email, host: h, port: abc, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": port: expected an integer ≥ 1, got "abc"'],
    ['email port too large', '  m: { type: email, host: h, port: 70000, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": port: expected a port number (1-65535), got 70000'],
    ['email secure not a boolean', '  m: { type: email, host: h, secure: yes please, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": secure: expected true or false, got "yes please"'],
    ['email user without password', '  m: { type: email, host: h, user: u, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": password: is required with user'],
    ['email password without user', '  m: { type: email, host: h, password: p, from: a@b.c }\n', 'conf/connectors.yaml: connector "m": user: is required with password'],
    ['email without from', '  m: { type: email, host: h }\n', 'conf/connectors.yaml: connector "m": from: is required'],
    ['email bad from', '  m: { type: email, host: h, from: "not an address" }\n', 'conf/connectors.yaml: connector "m": from: expected an e-mail address, such as flowgate@example.com or "Flowgate <flowgate@example.com>"'],
    ['email unknown field', '  m: { type: email, host: h, from: a@b.c, url: "https://x" }\n', 'conf/connectors.yaml: connector "m": url: unknown field for a connector of type email (expected one of type, description, host, port, secure, user, password, from, tls)'],
  ];
  for (const [name, body, expected, env] of CASES) {
    test(name, () => {
      expect(one(body, env ?? {})).toBe(expected);
    });
  }

  test('a secret never appears in an error (a bad URL from ${ENV})', () => {
    const message = one('  s: { type: slack, url: "${U}" }\n', { U: 'https://user:very-secret-pass@hooks.example/services/abc' });
    expect(message).toBe('conf/connectors.yaml: connector "s": url: must not contain credentials (use apiKey, username/password or headers, with ${ENV} references)');
    expect(message).not.toContain('very-secret-pass');
  });
});

describe('verifySlackSignature', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = 'payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A%22U123%22%7D%7D';
  const ts = '1531420618';
  const now = Number(ts) * 1000 + 30_000;

  test("Slack's documented example signature is accepted", () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack (the example request)
    const exampleBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: exampleBody, signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', now }),
    ).toBe(true);
  });

  test('a correctly signed body (string or Buffer, number timestamp) is accepted', () => {
    const signature = signSlackRequest(secret, ts, body);
    expect(signature).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body, signature, now })).toBe(true);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: Number(ts), rawBody: Buffer.from(body), signature, now })).toBe(true);
  });

  test('a wrong signature, another secret, a changed body, a stale or future timestamp are refused', () => {
    const signature = signSlackRequest(secret, ts, body);
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body, signature: flipped, now })).toBe(false);
    expect(verifySlackSignature({ signingSecret: 'another-secret', timestamp: ts, rawBody: body, signature, now })).toBe(false);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body.replace('U123', 'U999'), signature, now })).toBe(false);
    const late = Number(ts) * 1000 + (SLACK_SIGNATURE_MAX_AGE_S + 1) * 1000;
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body, signature, now: late })).toBe(false);
    const early = Number(ts) * 1000 - (SLACK_SIGNATURE_MAX_AGE_S + 1) * 1000;
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body, signature, now: early })).toBe(false);
    // the signature of another timestamp does not pass with this one
    expect(verifySlackSignature({ signingSecret: secret, timestamp: String(Number(ts) + 1), rawBody: body, signature, now })).toBe(false);
  });

  test('missing or malformed headers are refused, never thrown', () => {
    const signature = signSlackRequest(secret, ts, body);
    for (const bad of [undefined, '', 'v0=', 'v1=' + signature.slice(3), signature.slice(3), `${signature}00`, 'v0=zz' + signature.slice(5)]) {
      expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, rawBody: body, signature: bad, now })).toBe(false);
    }
    for (const badTs of [undefined, '', 'abc', '1531420618.5', '-1531420618']) {
      expect(verifySlackSignature({ signingSecret: secret, timestamp: badTs, rawBody: body, signature, now })).toBe(false);
    }
    expect(verifySlackSignature({ signingSecret: '', timestamp: ts, rawBody: body, signature, now })).toBe(false);
  });
});

describe('slackApprovalMessage', () => {
  test('a mrkdwn section, then link buttons and interactive buttons in one actions block', () => {
    const m = slackApprovalMessage({
      text: '*Approve?* host `web-01`',
      links: [
        { label: 'Approve', url: 'https://flowgate.example/a?t=1', style: 'primary' },
        { label: 'Decline', url: 'https://flowgate.example/r?t=2', style: 'danger' },
      ],
      actions: [{ label: 'Approve in Slack', actionId: 'flowgate_approve', value: 'e1:gate:approve' }],
    });
    expect(m.text).toBe('*Approve?* host `web-01`');
    expect(m.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Approve?* host `web-01`' } },
      {
        type: 'actions',
        block_id: 'flowgate_actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Approve', emoji: true }, style: 'primary', url: 'https://flowgate.example/a?t=1' },
          { type: 'button', text: { type: 'plain_text', text: 'Decline', emoji: true }, style: 'danger', url: 'https://flowgate.example/r?t=2' },
          { type: 'button', text: { type: 'plain_text', text: 'Approve in Slack', emoji: true }, action_id: 'flowgate_approve', value: 'e1:gate:approve' },
        ],
      },
    ]);
  });

  test('without buttons, only the section; long texts are cut to Slack limits', () => {
    const m = slackApprovalMessage({ text: 'x'.repeat(5000), links: [{ label: 'L'.repeat(100), url: 'https://a.example/' }] });
    const section = m.blocks[0] as { text: { text: string } };
    expect(section.text.text).toHaveLength(3000);
    expect(m.text).toHaveLength(4000);
    const button = (m.blocks[1] as { elements: { text: { text: string } }[] }).elements[0];
    expect(button.text.text).toHaveLength(75);
    expect(slackApprovalMessage({ text: 'hi' }).blocks).toHaveLength(1);
  });

  test('a non-http link or a duplicate action_id is a programming error', () => {
    expect(() => slackApprovalMessage({ text: 'x', links: [{ label: 'A', url: 'javascript:alert(1)' }] })).toThrow(TypeError);
    expect(() =>
      slackApprovalMessage({
        text: 'x',
        actions: [
          { label: 'A', actionId: 'a', value: '1' },
          { label: 'B', actionId: 'a', value: '2' },
        ],
      }),
    ).toThrow(/used twice/);
  });

  test('escapeSlackText', () => {
    expect(escapeSlackText('<!channel> & <https://evil|click>')).toBe('&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
  });
});
