/**
 * The Kibana steps (kibana.request, kibana.SetAlertsStatus, kibana.SetAlertTags, ai.agent) and Kibana's
 * connector steps slack and email, called through run() with a hand-made context: Kibana's parameter
 * names and output shapes, the connector choice, errors naming the field, secrets kept out.
 *
 * The far sides are LOCAL STAND-INS speaking the real protocols on loopback (test/fixtures:
 * kibana-server.ts for Kibana's HTTP API, slack-server.ts for Slack's incoming webhooks,
 * smtp-server.ts for SMTP), not Kibana, Slack or a mail server.
 */
import type { IncomingMessage } from 'node:http';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { kibanaStepTypes, notifyStepTypes } from '@flowgate/steps';
import type { StepType } from '@flowgate/engine';
import type { StepServices } from '@flowgate/steps';
import { startKibanaServer, type KibanaServer } from '../../../test/fixtures/kibana-server';
import { startSlackServer, type SlackServer } from '../../../test/fixtures/slack-server';
import { startSmtpServer, type SmtpServer } from '../../../test/fixtures/smtp-server';
import { listen } from '../../../test/fixtures/http-util';
import { makeCtx, outputOf, services, stepErrorOf } from './connector-helpers';

const API_KEY = 'kbn-api-key-SECRET-0042';
const byType = new Map([...kibanaStepTypes, ...notifyStepTypes].map((t) => [t.type, t] as const));

let kibana: KibanaServer;
let slack: SlackServer;
let smtp: SmtpServer;
let connectors: ConnectorRegistry;

function registryWith(yaml: string): ConnectorRegistry {
  return parseConnectors(`connectors:\n${yaml}`, { KIBANA_API_KEY: API_KEY });
}

beforeAll(async () => {
  [kibana, slack, smtp] = await Promise.all([startKibanaServer({ apiKey: API_KEY }), startSlackServer(), startSmtpServer()]);
  connectors = registryWith(
    [
      '  kibana:',
      '    type: kibana',
      `    url: ${kibana.url}`,
      '    apiKey: ${KIBANA_API_KEY}',
      '  kibana-sec:',
      '    type: kibana',
      `    url: ${kibana.url}`,
      '    apiKey: ${KIBANA_API_KEY}',
      '    space: security',
      '    default: true',
      '  secops:',
      '    type: slack',
      `    url: ${slack.webhookUrl}`,
      '  mail:',
      '    type: email',
      `    host: 127.0.0.1`,
      `    port: ${smtp.port}`,
      '    from: "Flowgate <flowgate@example.com>"',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await connectors.close();
  await Promise.all([kibana.close(), slack.close(), smtp.close()]);
});

beforeEach(() => {
  kibana.reset();
  slack.reset();
  smtp.reset();
});

function run(type: string, input: Record<string, unknown>, opts: { connectorId?: string; registry?: ConnectorRegistry; signal?: AbortSignal } = {}) {
  const handler = byType.get(type) as StepType<StepServices>;
  const ctx = makeCtx(type, input, { connectorId: opts.connectorId, signal: opts.signal, path: 'step' });
  return Promise.resolve().then(() => handler.run(ctx, services({ connectors: opts.registry ?? connectors })));
}

describe('kibana.request', () => {
  it('calls any API path with method, query, body and headers, and outputs the JSON answer', async () => {
    const out = outputOf(await run('kibana.request', { method: 'PUT', path: '/api/saved_objects/tag/t1', query: { overwrite: true }, body: { name: 'x' }, headers: { 'X-Opaque-Id': 'wf-1' } }, { connectorId: 'kibana' }));
    expect(out).toEqual({ method: 'PUT', path: '/api/saved_objects/tag/t1', space: 'default', query: { overwrite: 'true' }, body: { name: 'x' } });
    expect(kibana.requests[0].headers).toMatchObject({ 'kbn-xsrf': 'true', authorization: `ApiKey ${API_KEY}`, 'x-opaque-id': 'wf-1' });
  });

  it('defaults to GET; without connector-id it uses the kibana connector marked default (in its space)', async () => {
    const out = outputOf(await run('kibana.request', { path: '/api/status' }));
    expect(out).toMatchObject({ status: { overall: { level: 'available' } } });
    expect(kibana.requests[0]).toMatchObject({ method: 'GET', space: 'security' });
  });

  it('without connector-id and without a default: the only kibana connector; none or several unmarked: configuration_error', async () => {
    const only = registryWith(`  k:\n    type: kibana\n    url: ${kibana.url}\n    apiKey: \${KIBANA_API_KEY}\n`);
    await run('kibana.request', { path: '/api/status' }, { registry: only });
    expect(kibana.requests).toHaveLength(1);
    const none = registryWith(`  s:\n    type: slack\n    url: ${slack.webhookUrl}\n`);
    expect(await stepErrorOf(run('kibana.request', { path: '/api/status' }, { registry: none }))).toMatchObject({
      type: 'configuration_error',
      message: 'kibana.request: no connector-id and no connector of type kibana in connectors.yaml',
    });
    const two = registryWith(`  a: { type: kibana, url: "${kibana.url}", apiKey: x123456 }\n  b: { type: kibana, url: "${kibana.url}", apiKey: x123456 }\n`);
    expect((await stepErrorOf(run('kibana.request', { path: '/api/status' }, { registry: two }))).message).toBe(
      'kibana.request: no connector-id and several connectors of type kibana (a, b), none with default: true',
    );
    await Promise.all([only.close(), none.close(), two.close()]);
  });

  it('a connector of another type is a configuration_error naming it', async () => {
    expect(await stepErrorOf(run('kibana.request', { path: '/api/status' }, { connectorId: 'secops' }))).toMatchObject({
      type: 'configuration_error',
      message: 'kibana.request: connector "secops" is of type slack, a kibana.request step needs one of type kibana',
    });
  });

  it.each([
    [{}, 'with.path is required'],
    [{ path: 'https://evil.example/api' }, 'with.path must be a path starting with "/"'],
    [{ path: '/api/x', method: 'TELEPORT' }, 'method "TELEPORT" is not one of'],
  ])('bad input %j: a validation_error naming the field, nothing sent', async (input, message) => {
    const err = await stepErrorOf(run('kibana.request', input, { connectorId: 'kibana' }));
    expect(err.type).toBe('validation_error');
    expect(err.message).toContain(message);
    expect(kibana.requests).toHaveLength(0);
  });

  it('an API answering an error: http_error with Kibana\'s message, retryable on 5xx, no secret', async () => {
    kibana.failNext(1, 503);
    const err = await stepErrorOf(run('kibana.request', { path: '/api/status' }, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'http_error', retryable: true, message: 'kibana.request: Kibana answered 503: Service Unavailable: Kibana stand-in: simulated failure' });
    const wrong = registryWith(`  k: { type: kibana, url: "${kibana.url}", apiKey: wrong-key-SECRET-77 }\n`);
    const unauthorized = await stepErrorOf(run('kibana.request', { path: '/api/status' }, { registry: wrong }));
    expect(unauthorized).toMatchObject({ type: 'http_error', retryable: false });
    expect(JSON.stringify(unauthorized)).not.toContain('wrong-key-SECRET-77');
    await wrong.close();
  });
});

describe('kibana.SetAlertsStatus', () => {
  it('posts signal_ids, status and reason to the detection engine and outputs Kibana\'s answer', async () => {
    const out = outputOf(await run('kibana.SetAlertsStatus', { signal_ids: ['a1', 'a2'], status: 'closed', reason: 'false_positive' }, { connectorId: 'kibana' }));
    expect(out).toMatchObject({ updated: 2, total: 2, failures: [] });
    expect(kibana.requests[0]).toMatchObject({ method: 'POST', path: '/api/detection_engine/signals/status', body: { signal_ids: ['a1', 'a2'], status: 'closed', reason: 'false_positive' } });
    expect(kibana.alerts.get('a2')).toMatchObject({ status: 'closed', reason: 'false_positive' });
  });

  it('takes a query instead (and conflicts), and a list given as JSON text by a template', async () => {
    await run('kibana.SetAlertsStatus', { signal_ids: '["a9"]', status: 'acknowledged' }, { connectorId: 'kibana' });
    const out = outputOf(await run('kibana.SetAlertsStatus', { query: { ids: { values: ['a9'] } }, status: 'open', conflicts: 'proceed' }, { connectorId: 'kibana' }));
    expect(out).toMatchObject({ updated: 1 });
    expect(kibana.requests[1].body).toEqual({ query: { ids: { values: ['a9'] } }, status: 'open', conflicts: 'proceed' });
    expect(kibana.alerts.get('a9')?.status).toBe('open');
  });

  it.each([
    [{ signal_ids: ['a'], status: 'done' }, 'with.status must be one of open, acknowledged, in-progress, closed'],
    [{ status: 'closed' }, 'give either with.signal_ids (alert ids) or with.query'],
    [{ signal_ids: ['a'], query: { match_all: {} }, status: 'closed' }, 'not both or neither'],
    [{ signal_ids: [], status: 'closed' }, 'with.signal_ids must be a list of one or more non-empty strings'],
    [{ signal_ids: ['a', 7], status: 'closed' }, 'with.signal_ids must be a list'],
    [{ query: 'host.name : x', status: 'closed' }, 'with.query must be a query DSL object'],
    [{ signal_ids: ['a'], status: 'closed', conflicts: 'ignore' }, 'with.conflicts must be abort or proceed'],
  ])('bad input %j: validation_error (%s)', async (input, message) => {
    const err = await stepErrorOf(run('kibana.SetAlertsStatus', input, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'validation_error' });
    expect(err.message).toContain(message);
    expect(kibana.requests).toHaveLength(0);
  });
});

describe('kibana.SetAlertTags', () => {
  it('posts ids and tags {tags_to_add, tags_to_remove}, in the connector\'s space', async () => {
    const out = outputOf(await run('kibana.SetAlertTags', { ids: ['a1'], tags: { tags_to_add: ['reviewed', 'edr'], tags_to_remove: [] } }, { connectorId: 'kibana-sec' }));
    expect(out).toMatchObject({ updated: 1 });
    expect(kibana.requests[0]).toMatchObject({ path: '/api/detection_engine/signals/tags', space: 'security', body: { ids: ['a1'], tags: { tags_to_add: ['reviewed', 'edr'], tags_to_remove: [] } } });
    await run('kibana.SetAlertTags', { ids: ['a1'], tags: { tags_to_add: [], tags_to_remove: ['edr'] } }, { connectorId: 'kibana-sec' });
    expect(kibana.alerts.get('a1')?.tags).toEqual(['reviewed']);
  });

  it.each([
    [{ ids: ['a'], tags: { tags_to_add: ['x'] } }, 'with.tags.tags_to_remove must be a list'],
    [{ ids: ['a'], tags: ['x'] }, 'with.tags must be an object {tags_to_add: [...], tags_to_remove: [...]}'],
    [{ ids: ['a'], tags: { tags_to_add: ['x'], tags_to_remove: ['x'] } }, 'a tag cannot be both added and removed: x'],
    [{ tags: { tags_to_add: ['x'], tags_to_remove: [] } }, 'with.ids must be a list of one or more non-empty strings'],
  ])('bad input %j: validation_error (%s)', async (input, message) => {
    const err = await stepErrorOf(run('kibana.SetAlertTags', input, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'validation_error' });
    expect(err.message).toContain(message);
  });
});

describe('ai.agent', () => {
  it('converses with the agent: output {message, conversation_id}; the conversation goes on with conversation_id', async () => {
    const first = outputOf(await run('ai.agent', { agent_id: 'security-analyst', message: 'Is srv-web-01 compromised?' }, { connectorId: 'kibana' }));
    expect(first).toEqual({ message: '[security-analyst] round 1: Is srv-web-01 compromised?', conversation_id: 'conv-1' });
    expect(kibana.requests[0]).toMatchObject({ method: 'POST', path: '/api/agent_builder/converse', body: { input: 'Is srv-web-01 compromised?', agent_id: 'security-analyst' } });
    const second = outputOf(await run('ai.agent', { agent_id: 'security-analyst', input: 'Isolate it.', conversation_id: first.conversation_id, connector_id: 'my-claude' }, { connectorId: 'kibana' }));
    expect(second).toEqual({ message: '[security-analyst] round 2: Isolate it.', conversation_id: 'conv-1' });
    expect(kibana.requests[1].body).toEqual({ input: 'Isolate it.', agent_id: 'security-analyst', conversation_id: 'conv-1', connector_id: 'my-claude' });
  });

  it('without agent_id Kibana picks its default agent; without connector-id the default kibana connector is used', async () => {
    const out = outputOf(await run('ai.agent', { message: 'hello', attachments: [{ type: 'text', data: { content: 'log line' } }] }));
    expect(out.message).toBe('[elastic-ai-agent] round 1: hello');
    expect(kibana.requests[0]).toMatchObject({ space: 'security', body: { input: 'hello', attachments: [{ type: 'text', data: { content: 'log line' } }] } });
  });

  it("a connector-id that is not in connectors.yaml is Kibana's AI connector: sent as connector_id through the default kibana connector", async () => {
    const out = outputOf(await run('ai.agent', { message: 'hello' }, { connectorId: '.anthropic-claude-3-7-sonnet' }));
    expect(out.message).toBe('[elastic-ai-agent] round 1: hello');
    expect(kibana.requests[0]).toMatchObject({ space: 'security', body: { input: 'hello', connector_id: '.anthropic-claude-3-7-sonnet' } });
    // with.connector_id, when given, wins
    await run('ai.agent', { message: 'again', connector_id: 'my-claude' }, { connectorId: '.anthropic-claude-3-7-sonnet' });
    expect(kibana.requests[1].body).toMatchObject({ connector_id: 'my-claude' });
  });

  it('an unknown conversation: Kibana\'s 404, not retryable', async () => {
    const err = await stepErrorOf(run('ai.agent', { message: 'x', conversation_id: 'conv-nope' }, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'http_error', retryable: false, message: 'ai.agent: Kibana answered 404: Not Found: Conversation conv-nope not found' });
  });

  it.each([
    [{}, 'with.message is required'],
    [{ message: '  ' }, 'with.message is required'],
    [{ message: 'a', input: 'b' }, 'give either with.message or with.input, not both'],
    [{ message: 'a', agent_id: 42 }, 'with.agent_id must be a string'],
    [{ message: 'a', attachments: 'file' }, 'with.attachments must be a list of objects'],
  ])('bad input %j: validation_error (%s)', async (input, message) => {
    const err = await stepErrorOf(run('ai.agent', input, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'validation_error' });
    expect(err.message).toContain(message);
  });

  it('with.schema: the agent is asked for JSON matching it; output.structured_output is the checked answer', async () => {
    const schema = { type: 'object', properties: { verdict: { enum: ['benign', 'malicious'] }, confidence: { type: 'number', minimum: 0 } }, required: ['verdict'] };
    const out = outputOf(await run('ai.agent', { message: 'Verdict on srv-web-01?', schema }, { connectorId: 'kibana' }));
    expect(out.structured_output).toEqual({ verdict: 'benign', confidence: 0 });
    expect(out.message).toContain('```json');
    const sent = (kibana.requests[0].body as { input: string }).input;
    expect(sent.startsWith('Verdict on srv-web-01?\n\nAnswer only with one JSON value that matches this JSON Schema')).toBe(true);
    expect(sent.endsWith(JSON.stringify(schema))).toBe(true);
  });

  it('with.schema and an answer that does not match it, or is not JSON: ai_invalid_response', async () => {
    // the stand-in answers "stand-in" for a string without enum: the pattern refuses it
    const strict = { type: 'object', properties: { verdict: { type: 'string', pattern: '^(benign|malicious)$' } }, required: ['verdict'] };
    const err = await stepErrorOf(run('ai.agent', { message: 'Verdict?', schema: strict }, { connectorId: 'kibana' }));
    expect(err).toMatchObject({ type: 'ai_invalid_response', retryable: false });
    expect(err.message).toContain("ai.agent: the agent's answer does not match with.schema: /verdict");
    expect(await stepErrorOf(run('ai.agent', { message: 'x', schema: { type: 'no-such-type' } }, { connectorId: 'kibana' }))).toMatchObject({ type: 'validation_error' });
  });

  it('with.timeout bounds the agent\'s answer (Kibana\'s key): a retryable timeout; a bad duration is a validation_error', async () => {
    const silent = await listen(undefined, (req: IncomingMessage) => void req.resume());
    const slow = registryWith(`  k: { type: kibana, url: "http://127.0.0.1:${silent.port}", apiKey: x1234567 }\n`);
    try {
      const started = Date.now();
      const err = await stepErrorOf(run('ai.agent', { message: 'x', timeout: '150ms' }, { registry: slow }));
      expect(err).toMatchObject({ type: 'timeout', retryable: true, message: 'ai.agent: Kibana did not answer within 0.15 s' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await silent.close();
      await slow.close();
    }
    expect(await stepErrorOf(run('ai.agent', { message: 'x', timeout: 'soon' }, { connectorId: 'kibana' }))).toMatchObject({ type: 'validation_error', message: expect.stringContaining('with.timeout') });
  });

  it('a server that is not Agent Builder (no response.message): ai_invalid_response', async () => {
    // under another base path the stand-in only echoes: a 200 without response.message
    const elsewhere = registryWith(`  k: { type: kibana, url: "${kibana.url}/not-kibana", apiKey: "\${KIBANA_API_KEY}" }\n`);
    const err = await stepErrorOf(run('ai.agent', { message: 'x' }, { registry: elsewhere }));
    expect(err).toMatchObject({ type: 'ai_invalid_response', retryable: false });
    expect(err.message).toContain('without response.message');
    await elsewhere.close();
  });
});

describe('slack', () => {
  it('posts with.message to the webhook: output {sent: true, text}', async () => {
    const out = outputOf(await run('slack', { message: 'High-priority alert on *srv-web-01*' }, { connectorId: 'secops' }));
    expect(out).toEqual({ sent: true, text: 'High-priority alert on *srv-web-01*' });
    expect(slack.messages).toEqual([expect.objectContaining({ kind: 'webhook', text: 'High-priority alert on *srv-web-01*' })]);
  });

  it('needs a connector-id of type slack, and a message', async () => {
    expect(await stepErrorOf(run('slack', { message: 'x' }))).toMatchObject({ type: 'configuration_error', message: 'slack: connector-id is required (a connector of type slack in connectors.yaml)' });
    expect(await stepErrorOf(run('slack', { message: 'x' }, { connectorId: 'mail' }))).toMatchObject({ type: 'configuration_error' });
    expect(await stepErrorOf(run('slack', { message: '' }, { connectorId: 'secops' }))).toMatchObject({ type: 'validation_error', message: 'slack: with.message is required (non-empty text)' });
    expect(slack.messages).toHaveLength(0);
  });

  it('Slack failing: http_error, retryable for 5xx and 429, never the webhook URL\'s secret path', async () => {
    slack.failNext(1, 500);
    const err = await stepErrorOf(run('slack', { message: 'x' }, { connectorId: 'secops' }));
    expect(err).toMatchObject({ type: 'http_error', retryable: true });
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('standin-webhook-secret');
  });
});

describe('email', () => {
  it('sends to, cc, bcc, subject and message: output {sent, messageId, accepted, rejected}', async () => {
    const out = outputOf(await run('email', { to: ['soc@example.com'], cc: 'lead@example.com', bcc: ['audit@example.com'], subject: 'Alert on srv-web-01', message: 'Isolated.\n\n<b>not html</b>' }, { connectorId: 'mail' }));
    expect(out).toMatchObject({ sent: true, accepted: ['soc@example.com', 'lead@example.com', 'audit@example.com'], rejected: [] });
    expect(out.messageId).toMatch(/^<.+>$/);
    const [mail] = smtp.messages;
    expect(mail).toMatchObject({ to: ['soc@example.com', 'lead@example.com', 'audit@example.com'], subject: 'Alert on srv-web-01', text: 'Isolated.\n\n<b>not html</b>' });
    expect(mail.html).toContain('<p>&#60;b&#62;not html&#60;/b&#62;</p>'); // escaped: the message is text, never HTML
  });

  it('a comma-separated to is a list', async () => {
    await run('email', { to: 'a@example.com, b@example.com', subject: 's', message: 'm' }, { connectorId: 'mail' });
    expect(smtp.messages[0].to).toEqual(['a@example.com', 'b@example.com']);
  });

  it.each([
    [{ subject: 's', message: 'm' }, 'validation_error', 'email: with.to is required'],
    [{ to: 'not-an-address', subject: 's', message: 'm' }, 'validation_error', '"not-an-address" is not an e-mail address'],
    [{ to: 'a@example.com', subject: 'two\nlines', message: 'm' }, 'validation_error', 'with.subject must be one line of text'],
    [{ to: 'a@example.com', subject: 's' }, 'validation_error', 'email: with.message is required'],
    [{ to: [7], subject: 's', message: 'm' }, 'validation_error', 'with.to must be an e-mail address or a list of them'],
  ])('bad input %j: %s (%s), nothing sent', async (input, type, message) => {
    const err = await stepErrorOf(run('email', input, { connectorId: 'mail' }));
    expect(err.type).toBe(type);
    expect(err.message).toContain(message);
    expect(smtp.messages).toHaveLength(0);
  });

  it('an SMTP server refusing: a step_error with the reply code, retryable for 4xx, not for 5xx', async () => {
    smtp.failNext(1, 451);
    const transient = await stepErrorOf(run('email', { to: 'a@example.com', subject: 's', message: 'm' }, { connectorId: 'mail' }));
    expect(transient).toMatchObject({ type: 'step_error', retryable: true, details: { channel: 'email', status: 451 } });
    smtp.failNext(1, 550);
    const permanent = await stepErrorOf(run('email', { to: 'a@example.com', subject: 's', message: 'm' }, { connectorId: 'mail' }));
    expect(permanent).toMatchObject({ type: 'step_error', retryable: false, details: { status: 550 } });
  });
});
