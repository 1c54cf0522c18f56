/**
 * Issue 14's acceptance: the workflows under test/fixtures/kibana/ — modelled on Elastic's public
 * workflow library (our own files) — each validate, then run through the real executor on a real
 * redis-server against the local stand-ins (test/fixtures/standins: Elasticsearch, an
 * OpenAI-compatible API, Slack, SMTP, a Kibana — each a small server on loopback speaking that
 * protocol; nothing is fetched from the network). Every fixture has an entry in RUNS below, with the
 * trigger data it gets and what its run must show; a fixture without one fails this file.
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type IORedis from 'ioredis';
import { parseConnectors } from '@flowgate/connectors';
import { builtinRegistry, connectorStepTypes } from '@flowgate/steps';
import { validateWorkflow } from '@flowgate/workflow-format';
import type { StepRecord } from '@flowgate/engine';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { startStandins, STANDIN_KIBANA_API_KEY, type Standins } from '../../../test/fixtures/standins';

const DIR = path.resolve(__dirname, '../../../test/fixtures/kibana');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const CONNECTOR_TYPES = JSON.parse(readFileSync(path.join(DIR, 'connectors.json'), 'utf8')) as Record<string, { type: string }>;

/** The fixtures' connectors (connectors.json names them and their types), pointed at the stand-ins. */
function connectorsYaml(s: Standins): string {
  return [
    'connectors:',
    '  azure_open_ai:',
    '    type: openai',
    `    url: ${s.urls.openai}`,
    '    apiKey: standin-openai-key',
    '    model: gpt-4o-mini',
    // an http connector in front of the Elasticsearch stand-in: `path` requests land on its REST API
    '  threat-intel:',
    '    type: http',
    `    url: ${s.urls.elasticsearch}`,
    '  elasticsearch:',
    '    type: elasticsearch',
    `    url: ${s.urls.elasticsearch}`,
    '    apiKey: standin-es-api-key',
    // the ticketing system cases.pushCases sends to: the EDR stand-in's POST /cases
    '  ticketing:',
    '    type: http',
    `    url: ${s.urls.edr}`,
    '  kibana:',
    '    type: kibana',
    `    url: ${s.urls.kibana}`,
    `    apiKey: ${STANDIN_KIBANA_API_KEY}`,
    '  soc-slack:',
    '    type: slack',
    `    url: ${s.urls.slack}`,
    '  soc-mail:',
    '    type: email',
    `    host: ${new URL(s.urls.smtp).hostname}`,
    `    port: ${new URL(s.urls.smtp).port}`,
    '    secure: false',
    '    from: flowgate@example.com',
  ].join('\n');
}

interface Ran {
  exec: { status: string; output?: unknown; error?: unknown };
  records: StepRecord[];
  step: (path: string) => StepRecord | undefined;
}

interface Run {
  event?: unknown;
  inputs?: Record<string, unknown>;
  /** what the run shows (the execution ends in `status`, COMPLETED unless told) */
  status?: string;
  check: (ran: Ran, ctx: { standins: Standins; h: ExecutorHarness }) => Promise<void> | void;
}

const alert = (host: string, severity: string, extra: Record<string, unknown> = {}) => ({
  host: { name: host },
  user: { name: 'bob' },
  kibana: { alert: { severity, workflow_status: 'open', rule: { name: 'Credential dumping' }, uuid: `a-${host}-${severity}` } },
  ...extra,
});

const ALERT_TO_CASE = {
  _id: 'alrt-1',
  _index: '.internal.alerts-security.alerts-default-000001',
  host: { name: 'srv-web-01' },
  source: { ip: '10.1.2.3' },
  kibana: { alert: { severity: 'critical', rule: { name: 'Credential Dumping', uuid: 'rule-1' } } },
};

const ALERT_TO_CASE_YAML = () => readFileSync(path.join(DIR, 'alert-to-case.yaml'), 'utf8');

const RUNS: Record<string, Run> = {
  'ai-prompt-default-connector.yaml': {
    event: { alerts: [alert('srv-web-01', 'high')] },
    check: ({ step }, { standins }) => {
      expect(typeof (step('triage')!.output as { response: string }).response).toBe('string');
      expect(['escalate', 'close']).toContain((step('label')!.output as { category: string }).category);
      // no connector-id: both went to the default (the only) AI connector
      expect(standins.openai.requests.length).toBeGreaterThanOrEqual(2);
    },
  },
  'commit-lookup-with-path.yaml': {
    inputs: { shas: ['c0ffee', 'missing'] },
    check: ({ step, records }) => {
      expect(records.filter((r) => r.name === 'get_commit').map((r) => (r.output as { status?: number } | null)?.status ?? r.error?.type)).toEqual([200, 'http_error']);
      expect(step('foreach_get_commit[0]/get_commit')!.input).toMatchObject({ path: '/github-commits/_doc/c0ffee', query: { _source: 'sha,author' } });
      expect(step('report')!.output).toBe('Looked up 2 commits; last status ');
    },
  },
  'compliance-case.yaml': {
    inputs: { requirements: 'all' },
    check: async ({ step }, { h }) => {
      const created = (step('create_case')!.output as { case: { id: string } }).case;
      const stored = await h.rt.cases.getWithComments(created.id);
      expect(stored).toMatchObject({
        severity: 'high',
        tags: ['compliance', 'automated-assessment'],
        category: 'Compliance',
        assignees: [{ uid: 'u_compliance_lead' }],
        customFields: [{ key: 'audit_ref', type: 'text', value: 'PCI-all' }],
      });
      expect(step('log_case_created')!.output).toBe(`Case created: ${created.id}`);
    },
  },
  'hosts-loop-on-failure.yaml': {
    event: { alerts: [alert('srv-web-01', 'high')] },
    check: ({ step }) => {
      // the http connector points at Elasticsearch, which has no /isolate: the loop fails, its fallback notes it, the run goes on
      expect(step('isolate hosts')!.status).toBe('FAILED');
      expect(step('isolate hosts/fallback/note failure')!.output).toMatch(/^isolation stopped: /);
      expect(step('done')!.output).toBe('loop FAILED');
    },
  },
  'ticket-with-spaces.yaml': {
    event: { alerts: [alert('wks-042', 'medium')] },
    check: async ({ step }, { h }) => {
      const id = (step('open ticket')!.output as { case: { id: string } }).case.id;
      expect((await h.rt.cases.getWithComments(id))!.comments.map((c) => c.comment)).toEqual(['Opened by Open a ticket for a suspicious login']);
      expect(step('log')!.output).toBe(`Ticket ${id} (COMPLETED)`);
    },
  },
  'poll-job-status.yaml': {
    inputs: { job_id: 'job-7' },
    check: ({ step, records }, { standins }) => {
      expect(records.filter((r) => r.name === 'read').map((r) => (r.output as { status: string }).status)).toEqual(['pending', 'pending', 'pending', 'done']);
      expect(step('poll_job')!.output).toEqual({ iterations: 4 });
      expect(step('report')!.output).toBe('job job-7 done after 4 checks');
      expect(standins.elasticsearch.documents.filter((d) => d._index === 'jobs').map((d) => d._source)).toEqual([{ id: 'job-7', status: 'done' }]);
    },
  },
  'first-critical-alert.yaml': {
    event: {
      alerts: [
        alert('wks-001', 'low'),
        { ...alert('wks-002', 'critical'), kibana: { alert: { severity: 'critical', workflow_status: 'closed' } } },
        alert('srv-db-01', 'high'),
        alert('srv-web-01', 'critical'),
        alert('srv-mail-01', 'critical'),
      ],
    },
    check: ({ step, records }) => {
      expect(records.filter((r) => r.name === 'reviewed').map((r) => r.output)).toEqual(['reviewed srv-db-01']);
      expect(records.filter((r) => r.name === 'skip_low').map((r) => r.status)).toEqual(['COMPLETED', 'SKIPPED', 'SKIPPED']);
      expect(step('escalate')!.output).toBe('escalating srv-web-01 (open alert 2)');
      expect(step('find_critical')!.status).toBe('COMPLETED');
    },
  },
  'enrich-host-child.yaml': {
    inputs: { host: 'srv-web-01' },
    check: ({ exec }) => {
      expect(exec.output).toEqual({ verdict: 'confirmed_compromise', hits: 3 });
    },
  },
  'triage-with-child.yaml': {
    event: { alerts: [alert('srv-web-01', 'critical'), alert('wks-042', 'low'), alert('srv-web-01', 'high')] },
    check: async ({ step, records }, { h }) => {
      const calls = records.filter((r) => r.name === 'enrich');
      expect(calls.map((r) => r.output)).toEqual([
        { verdict: 'confirmed_compromise', hits: 3 },
        { verdict: 'likely_benign', hits: 2 },
      ]);
      for (const call of calls) expect((await h.rt.executions.load(call.child!))!.parent).toMatchObject({ step: call.path, wait: true });
      const background = step('archive_in_background')!;
      expect(background.output).toMatchObject({ workflowId: 'enrich-host-child', status: 'PENDING', executionId: background.child });
      expect((await h.done(background.child!)).exec.output).toEqual({ verdict: 'confirmed_compromise', hits: 3 });
      expect(step('report')!.output).toBe('last host: likely_benign (2 hits) of 2 hosts');
    },
  },
  'alert-to-case.yaml': {
    event: { alerts: [ALERT_TO_CASE] },
    check: async ({ step }, { h, standins }) => {
      expect(step('existing')!.output).toEqual({ cases: [] });
      const id = (step('open_case')!.output as { case: { id: string } }).case.id;
      const stored = (await h.rt.cases.getWithComments(id))!;
      expect(stored).toMatchObject({ severity: 'critical', category: 'Intrusion', tags: ['edr', 'rule:credential-dumping'], assignees: [{ uid: 'soc-oncall' }], totalAlerts: 1 });
      expect(stored.observables.map((o) => [o.typeKey, o.value])).toEqual([['observable-type-hostname', 'srv-web-01'], ['observable-type-ipv4', '10.1.2.3']]);
      expect(stored.alerts).toMatchObject([{ alertId: 'alrt-1', index: ALERT_TO_CASE._index, rule: { id: 'rule-1', name: 'Credential Dumping' } }]);
      expect((step('found_again')!.output as { cases: { id: string }[] }).cases.map((c) => c.id)).toEqual([id]);
      expect(step('similar')!.output).toMatchObject({ cases: [], total: 0 });
      expect(standins.edr.pushedCases.map((r) => (r.body as { case: { id: string } }).case.id)).toContain(id);
      expect((step('push')!.output as { pushes: unknown[] }).pushes).toEqual([{ case_id: id, status: 200, body: { id: expect.stringMatching(/^EXT-\d+$/), caseId: id, status: 'pushed' } }]);

      // the same alert again: its case is found, and a new case with the same indicators is similar to it
      const again = await h.done(await h.start('alert-to-case', ALERT_TO_CASE_YAML(), { event: { alerts: [ALERT_TO_CASE] } }));
      expect((again.step('existing')!.output as { cases: { id: string }[] }).cases.map((c) => c.id)).toEqual([id]);
      const similar = again.step('similar')!.output as { cases: { id: string }[]; total: number };
      expect(similar.total).toBe(1);
      expect(similar.cases.map((c) => c.id)).toEqual([id]);
    },
  },
  'kibana-alert-response.yaml': {
    event: { alerts: [{ ...alert('srv-web-01', 'high'), _id: 'kb-1' }, { ...alert('srv-web-01', 'critical'), _id: 'kb-2' }] },
    check: ({ step }, { standins }) => {
      expect(step('tag_alerts')!.output).toMatchObject({ total: 2, updated: 2, failures: [] });
      expect(step('acknowledge')!.output).toMatchObject({ total: 2, updated: 2 });
      expect(Object.fromEntries(standins.kibana.alerts)).toEqual({
        'kb-1': { status: 'acknowledged', tags: ['flowgate', 'triaged'], space: 'default' },
        'kb-2': { status: 'acknowledged', tags: ['flowgate', 'triaged'], space: 'default' },
      });
      const writes = standins.kibana.requests.filter((r) => r.method === 'POST');
      expect(writes.map((r) => [r.path, r.headers['kbn-xsrf'], r.headers.authorization])).toEqual([
        ['/api/detection_engine/signals/tags', 'true', `ApiKey ${STANDIN_KIBANA_API_KEY}`],
        ['/api/detection_engine/signals/status', 'true', `ApiKey ${STANDIN_KIBANA_API_KEY}`],
        ['/api/agent_builder/converse', 'true', `ApiKey ${STANDIN_KIBANA_API_KEY}`],
      ]);
      expect(step('ask_agent')!.output).toEqual({ message: expect.stringContaining('Alerts kb-1, kb-2 on srv-web-01'), conversation_id: expect.any(String) });
      const posted = standins.slack.messages.find((m) => m.text?.startsWith('*2 alerts acknowledged on srv-web-01* (Kibana 9.4.0)'));
      expect(posted?.text).toContain('Alerts kb-1, kb-2 on srv-web-01');
      const mail = standins.smtp.messages.find((m) => m.subject === 'Alerts acknowledged on srv-web-01');
      expect(mail?.to).toEqual(['soc-lead@example.com']);
      expect(step('mail_lead')!.output).toMatchObject({ sent: true, accepted: ['soc-lead@example.com'], rejected: [] });
    },
  },
  'login-report.yaml': {
    event: {
      alerts: [
        { host: { name: 'vpn-01' }, user: { name: 'bob' }, kibana: { alert: { risk_score: 40 } }, message: 'login user=bob from 10.0.0.1' },
        { host: { name: 'vpn-01' }, user: { name: 'eve' }, kibana: { alert: { risk_score: 90 } }, message: 'login user=eve from 10.0.0.2' },
        { host: { name: 'vpn-02' }, user: { name: 'bob' }, kibana: { alert: { risk_score: 20 } }, message: 'login user=bob from 10.0.0.1' },
      ],
    },
    check: ({ step }, { standins }) => {
      expect((step('users')!.output as { user: { name: string } }[]).map((a) => a.user.name)).toEqual(['bob', 'eve']);
      expect(step('per_host')!.output).toEqual([
        { 'host.name': 'vpn-01', logins: 2, max_risk: 90 },
        { 'host.name': 'vpn-02', logins: 1, max_risk: 20 },
      ]);
      expect(step('sources')!.output).toEqual([{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.1' }]);
      expect(step('redacted')!.output).not.toMatch(/user=(bob|eve)/);
      const text = '2 users, busiest host vpn-01 (2 logins); sources 10.0.0.1, 10.0.0.2';
      expect(step('post')!.output).toEqual({ sent: true, text });
      expect(standins.slack.messages.map((m) => m.text)).toContain(text);
    },
  },
};

let server: RedisServer;
let redis: IORedis;
let standins: Standins;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  standins = await startStandins();
  standins.elasticsearch.documents.push({ _index: 'github-commits', _id: 'c0ffee', _source: { sha: 'c0ffee', author: 'maria' } });
  standins.elasticsearch.indices.add('github-commits');
  const connectors = parseConnectors(connectorsYaml(standins), {});
  h = new ExecutorHarness(redis, { registry: builtinRegistry().register(...connectorStepTypes()), services: { connectors } });
  // every fixture is saved under its file name, so that parents find their children
  for (const file of FILES) await h.save(file.replace(/\.yaml$/, ''), readFileSync(path.join(DIR, file), 'utf8'));
});
afterAll(async () => {
  await h?.close(true);
  await standins?.close();
  await server?.stop();
});

it('has a run for every fixture, and a dozen fixtures', () => {
  expect(FILES.filter((f) => !RUNS[f])).toEqual([]);
  expect(FILES.length).toBeGreaterThanOrEqual(12);
  expect(Object.keys(RUNS).filter((f) => !FILES.includes(f))).toEqual([]);
});

it.each(FILES)('%s validates and runs against the stand-ins', async (file) => {
  const yaml = readFileSync(path.join(DIR, file), 'utf8');
  const validation = validateWorkflow(yaml, { connectors: CONNECTOR_TYPES });
  expect(validation.errors).toEqual([]);
  const run = RUNS[file];
  const id = await h.start(file.replace(/\.yaml$/, ''), yaml, { event: run.event, inputs: run.inputs });
  const ran = await h.done(id, 20_000);
  expect({ status: ran.exec.status, error: ran.exec.error }).toEqual({ status: run.status ?? 'COMPLETED', error: null });
  await run.check(ran as unknown as Ran, { standins, h });
});
