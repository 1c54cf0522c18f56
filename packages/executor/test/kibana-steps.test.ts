/**
 * Issue 14: the Kibana steps (kibana.request, kibana.SetAlertsStatus, kibana.SetAlertTags, ai.agent) and
 * Kibana's connector steps (slack, email) through the real executor on a real redis-server: templates
 * between them, the connector chosen by connector-id or the default, retries of a retryable failure,
 * and what the far sides received.
 *
 * The far sides are LOCAL STAND-INS speaking the real protocols on loopback (test/fixtures:
 * kibana-server.ts for Kibana's HTTP API, slack-server.ts for a Slack incoming webhook, smtp-server.ts
 * for SMTP), not Kibana, Slack or a mail server.
 */
import type IORedis from 'ioredis';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { builtinRegistry, connectorStepTypes } from '@flowgate/steps';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { startKibanaServer, type KibanaServer } from '../../../test/fixtures/kibana-server';
import { startSlackServer, type SlackServer } from '../../../test/fixtures/slack-server';
import { startSmtpServer, type SmtpServer } from '../../../test/fixtures/smtp-server';

const API_KEY = 'kbn-executor-key-SECRET-31';

let server: RedisServer;
let redis: IORedis;
let kibana: KibanaServer;
let slack: SlackServer;
let smtp: SmtpServer;
let connectors: ConnectorRegistry;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  [kibana, slack, smtp] = await Promise.all([startKibanaServer({ apiKey: API_KEY }), startSlackServer(), startSmtpServer()]);
  connectors = parseConnectors(
    [
      'connectors:',
      '  kibana:',
      '    type: kibana',
      `    url: ${kibana.url}`,
      '    apiKey: ${KIBANA_API_KEY}',
      '    default: true',
      '  kibana-sec:',
      '    type: kibana',
      `    url: ${kibana.url}`,
      '    apiKey: ${KIBANA_API_KEY}',
      '    space: security',
      '  secops:',
      '    type: slack',
      `    url: ${slack.webhookUrl}`,
      '  mail:',
      '    type: email',
      '    host: 127.0.0.1',
      `    port: ${smtp.port}`,
      '    from: flowgate@example.com',
      '',
    ].join('\n'),
    { KIBANA_API_KEY: API_KEY },
  );
});

afterAll(async () => {
  await connectors.close();
  await Promise.all([kibana.close(), slack.close(), smtp.close()]);
  await server.stop();
});

beforeEach(() => {
  kibana.reset();
  slack.reset();
  smtp.reset();
  h = new ExecutorHarness(redis, { registry: builtinRegistry().register(...connectorStepTypes()), services: { connectors } });
});
afterEach(async () => h.close());

const TRIAGE = `
name: Kibana triage
consts: { alert_id: a-77 }
triggers: [{ type: manual }]
steps:
  - name: status
    type: kibana.request
    with: { path: /api/status }
  - name: close
    type: kibana.SetAlertsStatus
    with:
      signal_ids: ["{{ consts.alert_id }}"]
      status: closed
      reason: false_positive
      fetcher: { skip_ssl_verification: false }
  - name: tag
    type: kibana.SetAlertTags
    connector-id: kibana-sec
    with:
      ids: ["{{ consts.alert_id }}"]
      tags:
        tags_to_add: [flowgate, "closed-by-{{ workflow.id }}"]
        tags_to_remove: []
  - name: ask
    type: ai.agent
    agent-id: security-analyst
    create-conversation: true
    with:
      message: "Alert {{ consts.alert_id }}: {{ steps.close.output.updated }} closed on Kibana {{ steps.status.output.version.number }}. Anything left?"
  - name: follow up
    type: ai.agent
    connector-id: kibana
    with:
      agent_id: security-analyst
      conversation_id: "{{ steps.ask.output.conversation_id }}"
      input: "Then close the case."
  - name: notify
    type: slack
    connector-id: secops
    with:
      message: "{{ steps['follow up'].output.message }}"
  - name: mail
    type: email
    connector-id: mail
    with:
      to: [soc@example.com]
      cc: lead@example.com
      subject: "Alert {{ consts.alert_id }} closed"
      message: "{{ steps.ask.output.message }}"
`;

describe('Kibana, slack and email steps on the executor', () => {
  it('runs a triage workflow: each step\'s output feeds the next, and the stand-ins received what Kibana, Slack and a mail server would', async () => {
    const id = await h.start('kibana-triage', TRIAGE);
    const { exec, step, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(records.map((r) => [r.path, r.status])).toEqual([
      ['status', 'COMPLETED'],
      ['close', 'COMPLETED'],
      ['tag', 'COMPLETED'],
      ['ask', 'COMPLETED'],
      ['follow up', 'COMPLETED'],
      ['notify', 'COMPLETED'],
      ['mail', 'COMPLETED'],
    ]);

    // Kibana: the calls, in order, with credentials, kbn-xsrf and the space of kibana-sec
    expect(kibana.requests.map((r) => [r.method, r.space, r.path])).toEqual([
      ['GET', 'default', '/api/status'],
      ['POST', 'default', '/api/detection_engine/signals/status'],
      ['POST', 'security', '/api/detection_engine/signals/tags'],
      ['POST', 'default', '/api/agent_builder/converse'],
      ['POST', 'default', '/api/agent_builder/converse'],
    ]);
    for (const r of kibana.requests) expect(r.headers).toMatchObject({ authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true' });
    expect(kibana.requests[1].body).toEqual({ signal_ids: ['a-77'], status: 'closed', reason: 'false_positive' }); // fetcher: a Kibana key, not sent
    expect(kibana.requests[2].body).toEqual({ ids: ['a-77'], tags: { tags_to_add: ['flowgate', 'closed-by-kibana-triage'], tags_to_remove: [] } });
    expect(kibana.requests[3].body).toEqual({ input: 'Alert a-77: 1 closed on Kibana 9.4.0. Anything left?', agent_id: 'security-analyst' });
    expect(kibana.requests[4].body).toEqual({ input: 'Then close the case.', agent_id: 'security-analyst', conversation_id: 'conv-1' });
    expect(kibana.alerts.get('a-77')).toEqual({ status: 'closed', reason: 'false_positive', tags: ['flowgate', 'closed-by-kibana-triage'], space: 'security' });

    // outputs: Kibana's shapes
    expect(step('close')!.output).toMatchObject({ updated: 1, total: 1 });
    expect(step('ask')!.output).toEqual({ message: '[security-analyst] round 1: Alert a-77: 1 closed on Kibana 9.4.0. Anything left?', conversation_id: 'conv-1' });
    expect(step('follow up')!.output).toEqual({ message: '[security-analyst] round 2: Then close the case.', conversation_id: 'conv-1' });
    expect(step('notify')!.output).toEqual({ sent: true, text: '[security-analyst] round 2: Then close the case.' });
    expect(step('mail')!.output).toMatchObject({ sent: true, accepted: ['soc@example.com', 'lead@example.com'], rejected: [] });

    // Slack and the mail server
    expect(slack.messages.map((m) => [m.kind, m.text])).toEqual([['webhook', '[security-analyst] round 2: Then close the case.']]);
    expect(smtp.messages).toEqual([
      expect.objectContaining({
        to: ['soc@example.com', 'lead@example.com'],
        subject: 'Alert a-77 closed',
        text: '[security-analyst] round 1: Alert a-77: 1 closed on Kibana 9.4.0. Anything left?',
      }),
    ]);
  });

  it('a Kibana answering 503 is retried by on-failure; a 401 is not, and fails the step without the API key', async () => {
    kibana.failNext(1, 503);
    const retried = await h.start(
      'kibana-retry',
      `name: R\ntriggers: [{ type: manual }]\nsteps:\n  - name: close\n    type: kibana.SetAlertsStatus\n    on-failure: { retry: { max-attempts: 3, delay: 50ms } }\n    with: { signal_ids: [a-1], status: acknowledged }\n`,
    );
    const first = await h.done(retried);
    expect(first.exec.status).toBe('COMPLETED');
    expect(first.step('close')!.attempts).toBe(2);
    expect(kibana.requests.filter((r) => r.path === '/api/detection_engine/signals/status')).toHaveLength(2);
    expect(kibana.alerts.get('a-1')?.status).toBe('acknowledged');

    const wrongKey = parseConnectors(`connectors:\n  kibana: { type: kibana, url: "${kibana.url}", apiKey: not-the-key-SECRET-5 }\n`, {});
    const h2 = new ExecutorHarness(redis, { registry: builtinRegistry().register(...connectorStepTypes()), services: { connectors: wrongKey } });
    try {
      const refused = await h2.start(
        'kibana-401',
        `name: U\ntriggers: [{ type: manual }]\nsteps:\n  - name: close\n    type: kibana.SetAlertsStatus\n    on-failure: { retry: { max-attempts: 3, delay: 50ms } }\n    with: { signal_ids: [a-1], status: closed }\n`,
      );
      const { exec, step } = await h2.done(refused);
      expect(exec.status).toBe('FAILED');
      expect(step('close')!.attempts).toBe(1); // not retryable: no second attempt
      expect(step('close')!.error).toMatchObject({ type: 'http_error', message: 'kibana.SetAlertsStatus: Kibana answered 401: Unauthorized: Unauthorized' });
      expect(JSON.stringify(step('close'))).not.toContain('not-the-key-SECRET-5');
    } finally {
      await h2.close();
      await wrongKey.close();
    }
  });
});
