/**
 * The contract every step type keeps, checked over every type the worker registers
 * (builtinRegistry() plus connectorStepTypes()): a new type without a row in CONTRACT below fails
 * this file, so no type skips it. For each type:
 *
 * (a) it honours its abort signal: already aborted, or aborted while the call hangs against a server
 *     that never answers, run() rejects within a second with a StepError `cancelled` or `timeout`
 *     (and keeps the executor's retryable `timeout` as it is). Instant types do no I/O, so the
 *     executor never gives them a controller (packages/executor/src/run-action.ts): their row says
 *     that they ignore the signal, and the registry must call them instant;
 * (b) whatever it throws is a StepError, whatever the input (each field of a valid input replaced by
 *     values of the wrong type, or missing, plus the row's own bad inputs), and no message or
 *     details hold a connector secret, even from a server that echoes the request headers (secret
 *     included) into its error body;
 * (c) its outcome is JSON that round-trips: no undefined, functions, Dates, BigInt or cycles;
 * (d) types marked instant do no outside I/O: they run while http/https/net/tls/dns and fetch throw
 *     and record any call, with a connector registry that records any use, and with cases on a real
 *     CaseStore on a real redis-server (connected before, so Redis is the one socket they may use).
 *
 * Step types are called through run() with a hand-made StepRunContext. External services (an HTTP
 * API, Elasticsearch, an OpenAI-compatible API, Kibana, Slack, an SMTP server) are stood in by local
 * servers speaking their protocol on loopback (test/fixtures), plus servers defined here: one that
 * never answers (and a TCP one that never greets, for SMTP), one that answers every request with an
 * error echoing its path and headers (and an SMTP one echoing the credentials into its refusal).
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { StepError, type StepOutcome, type StepType } from '@flowgate/engine';
import { CaseStore, Keys } from '@flowgate/store';
import { caseTemplatesFromYaml } from '@flowgate/workflow-format';
import { builtinRegistry, connectorStepTypes, type StepServices } from '../src';
import { startEdrServer, type EdrServer } from '../../../test/fixtures/edr-server';
import { startElasticsearchServer, type ElasticsearchServer } from '../../../test/fixtures/elasticsearch-server';
import { startOpenAIServer, type OpenAIServer } from '../../../test/fixtures/openai-server';
import { startKibanaServer, type KibanaServer } from '../../../test/fixtures/kibana-server';
import { startSlackServer, type SlackServer } from '../../../test/fixtures/slack-server';
import { startSmtpServer, type SmtpServer } from '../../../test/fixtures/smtp-server';
import { listen, readRequest, sendJson } from '../../../test/fixtures/http-util';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';
import { makeCtx } from './connector-helpers';

const SECRET = 'sk-SECRET-123';

/* ---------- the contract table ---------- */

interface Fixtures {
  /** a case that exists in the CaseStore */
  caseId: string;
  /** a case cases.deleteCases deletes */
  doomedCaseId: string;
  /** two observables of caseId: one cases.updateObservable changes, one cases.deleteObservable deletes */
  observableIds: [string, string];
}

/** One run of a type: `stepType` names a concrete type for a prefix (`elasticsearch.search`). */
interface Sample {
  stepType?: string;
  input: Record<string, unknown>;
  params?: Record<string, unknown>;
  connectorId?: string;
}

interface Row {
  /** valid inputs; against the stand-ins they succeed (unless `fails`) */
  samples: (f: Fixtures) => Sample[];
  /** 'honours' (checked), or why the type ignores its signal: only instant types may */
  signal: 'honours' | { ignores: string };
  /** connector ids standing in for the sample's: one whose server never answers, one whose server echoes headers into an error */
  io?: { hang: string; echo: string };
  /** the error type of the echo server's refusal (default http_error; an SMTP refusal is a step_error) */
  echoType?: string;
  /** inputs that must fail, with a StepError */
  bad?: (f: Fixtures) => Sample[];
  /** the valid sample fails by design, with this type */
  fails?: string;
}

const INSTANT = { ignores: 'instant: no I/O outside Redis, so the executor gives it no abort controller' } as const;

const CONTRACT: Record<string, Row> = {
  console: { samples: () => [{ input: { message: 'isolating srv-web-01' } }, { input: { message: { host: 'h', n: 1 } } }], signal: INSTANT },
  'data.set': { samples: () => [{ input: { ticket: 'T-1', hosts: ['a', 'b'], n: 2 } }], signal: INSTANT },
  'data.parseJson': {
    samples: () => [{ input: {}, params: { source: '{"hosts":["a","b"],"n":1}' } }, { input: {}, params: { source: { already: 'parsed' } } }],
    signal: INSTANT,
    bad: () => [{ input: {}, params: { source: '{"not": closed' } }],
  },
  'data.stringifyJson': { samples: () => [{ input: { pretty: true }, params: { source: { a: [1, 2] } } }], signal: INSTANT },
  'data.map': {
    samples: () => [{ input: { fields: { host: '{{ item.host }}', n: '${{ index }}' } }, params: { items: [{ host: 'a' }, { host: 'b' }] } }],
    signal: INSTANT,
    bad: () => [
      { input: { fields: { host: '{{ item.host | nosuchfilter }}' } }, params: { items: [{ host: 'a' }] } },
      { input: { fields: { host: '{% if %}' } }, params: { items: [{ host: 'a' }] } },
      { input: { fields: {} }, params: { items: 'not json' } },
      { input: { fields: {} }, params: { items: { not: 'a list' } } },
    ],
  },
  'data.filter': {
    samples: () => [{ input: { condition: 'item.severity : high', limit: 5 }, params: { items: [{ severity: 'high' }, { severity: 'low' }] } }],
    signal: INSTANT,
    bad: () => [
      { input: { condition: 'item.severity : (high' }, params: { items: [{ severity: 'high' }] } },
      { input: { condition: 'item.severity : high' }, params: { items: '[1,' } },
      { input: { condition: 'item.severity : high' }, params: {} },
    ],
  },
  'data.aggregate': {
    samples: () => [{ input: { group_by: ['host'], metrics: [{ name: 'n', operation: 'count' }, { name: 'r', operation: 'max', field: 'risk' }], order: 'desc', order_by: 'r', limit: 5, buckets: { field: 'risk', ranges: [{ to: 50 }, { from: 50, label: 'high' }] } }, params: { items: [{ host: 'a', risk: 70 }, { host: 'a', risk: 10 }] } }],
    signal: INSTANT,
    bad: () => [{ input: { group_by: ['h'], metrics: [{ name: 'n', operation: 'sum' }] }, params: { items: [{ h: 1 }] } }],
  },
  'data.concat': {
    samples: () => [{ input: { dedupe: true, flatten: 2 }, params: { arrays: [[1, [2]], null, '[3]'] } }],
    signal: INSTANT,
    bad: () => [{ input: {}, params: { arrays: new Array(51).fill([1]) } }, { input: {}, params: { arrays: [new Array(10_001).fill(1)] } }],
  },
  'data.dedupe': {
    samples: () => [{ input: { keys: ['host.name'] }, params: { items: [{ host: { name: 'a' } }, { host: { name: 'a' } }], strategy: 'keep_last' } }],
    signal: INSTANT,
    bad: () => [{ input: { keys: ['a'] }, params: { items: [1], strategy: 'keep_middle' } }],
  },
  'data.find': {
    samples: () => [{ input: { condition: 'item.severity : high', errorIfEmpty: false }, params: { items: [{ severity: 'low' }, { severity: 'high' }] } }],
    signal: INSTANT,
    bad: () => [{ input: { condition: 'item.severity : nope', errorIfEmpty: true }, params: { items: [{ severity: 'low' }] } }],
  },
  'data.regexExtract': {
    samples: () => [{ input: { pattern: 'user=(?<user>\\w+) host=(\\S+)', fields: { user: 'user', host: '$2' }, flags: 'i' }, params: { source: ['USER=bob host=web-01', 'none'], errorIfNoMatch: false } }],
    signal: INSTANT,
    bad: () => [{ input: { pattern: 'a(?=b)', fields: { x: '$0' } }, params: { source: 'ab' } }, { input: { pattern: '(', fields: { x: '$0' } }, params: { source: 'ab' } }],
  },
  'data.regexReplace': {
    samples: () => [{ input: { pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b', replacement: '[REDACTED]', flags: 'g' }, params: { source: 'ssn 123-45-6789 and 987-65-4321', detailed: true } }],
    signal: INSTANT,
    bad: () => [{ input: { pattern: '(a)\\1', replacement: '' }, params: { source: 'aa' } }],
  },
  wait: { samples: () => [{ input: { duration: '5m' } }], signal: INSTANT, bad: () => [{ input: { duration: 'soon' } }, { input: {} }] },
  waitForInput: {
    samples: () => [{ input: { message: 'Which host?', schema: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] } } }],
    signal: INSTANT,
    bad: () => [{ input: { message: 'x'.repeat(20_000) } }],
  },
  waitForApproval: { samples: () => [{ input: { message: 'Isolate srv-web-01?', approveLabel: 'Isolate' } }], signal: INSTANT },
  'workflow.fail': { samples: () => [{ input: { message: 'confirmed compromise, stopping' } }], signal: INSTANT, fails: 'workflow_fail' },
  'cases.createCase': {
    samples: () => [{ input: { title: 'Compromise on srv-web-01', description: 'mimikatz', severity: 'high', tags: ['edr', 'mimikatz'] } }],
    signal: INSTANT,
    bad: () => [{ input: { title: 't', severity: 'apocalyptic' } }],
  },
  'cases.addComment': {
    samples: (f) => [{ input: { case_id: f.caseId, comment: 'isolated' } }],
    signal: INSTANT,
    bad: () => [{ input: { case_id: 'no-such-case', comment: 'x' } }, { input: { case_id: '  ' } }],
  },
  'cases.getCase': { samples: (f) => [{ input: { case_id: f.caseId } }], signal: INSTANT, bad: () => [{ input: { case_id: 'no-such-case' } }] },
  'cases.setStatus': {
    samples: (f) => [{ input: { case_id: f.caseId, status: 'in-progress' } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, status: 'done' } }, { input: { case_id: 'no-such-case', status: 'closed' } }],
  },
  'cases.addAlerts': {
    samples: (f) => [{ input: { case_id: f.caseId, alerts: [{ alertId: 'contract-alert', index: '.alerts-security.alerts-default', rule: { id: 'r1', name: 'Mimikatz' } }] } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: 'no-such-case', alerts: [{ alertId: 'a', index: 'i' }] } }, { input: { case_id: f.caseId, alerts: [{ index: 'i' }] } }],
  },
  'cases.addEvents': {
    samples: (f) => [{ input: { case_id: f.caseId, events: [{ eventId: 'ev-1', index: 'logs-endpoint' }] } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, events: [{ eventId: 'ev-1' }] } }],
  },
  'cases.addObservables': {
    samples: (f) => [{ input: { case_id: f.caseId, observables: [{ typeKey: 'observable-type-ipv4', value: '10.0.0.8', description: 'Source IP' }, { type: 'observable-type-hostname', value: 'srv-web-01' }] } }],
    signal: INSTANT,
    bad: (f) => [
      { input: { case_id: f.caseId, observables: Array.from({ length: 1001 }, (_, i) => ({ typeKey: 'observable-type-ipv4', value: `10.1.${i >> 8}.${i & 255}` })) } },
      { input: { case_id: f.caseId, observables: [{ typeKey: 'observable-type-ipv4' }] } },
    ],
  },
  'cases.updateObservable': {
    samples: (f) => [{ input: { case_id: f.caseId, observable_id: f.observableIds[0], value: '10.0.0.42', description: 'moved' } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, observable_id: 'no-such-observable', value: '1.2.3.4' } }],
  },
  'cases.deleteObservable': {
    samples: (f) => [{ input: { case_id: f.caseId, observable_id: f.observableIds[1] } }],
    signal: INSTANT,
    bad: () => [{ input: { case_id: 'no-such-case', observable_id: 'x' } }],
  },
  'cases.addTags': { samples: (f) => [{ input: { case_id: f.caseId, tags: ['edr', 'triage'] } }], signal: INSTANT, bad: (f) => [{ input: { case_id: f.caseId, tags: ['x'.repeat(300)] } }] },
  'cases.removeTags': { samples: (f) => [{ input: { case_id: f.caseId, tags: ['triage'] } }], signal: INSTANT, bad: (f) => [{ input: { case_id: f.caseId, tags: [] } }] },
  'cases.assignCase': {
    samples: (f) => [{ input: { case_id: f.caseId, assignees: [{ uid: 'u-1' }], version: 'WzEsMV0=' } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, assignees: Array.from({ length: 11 }, (_, i) => ({ uid: `u${i}` })) } }, { input: { case_id: f.caseId, assignees: [{ id: 'u' }] } }],
  },
  'cases.unassignCase': { samples: (f) => [{ input: { case_id: f.caseId, assignees: [{ uid: 'u-1' }] } }, { input: { case_id: f.caseId, assignees: null } }], signal: INSTANT },
  'cases.closeCase': { samples: (f) => [{ input: { case_id: f.caseId } }], signal: INSTANT, bad: () => [{ input: { case_id: 'no-such-case' } }] },
  'cases.deleteCases': { samples: (f) => [{ input: { case_ids: [f.doomedCaseId] } }], signal: INSTANT, bad: () => [{ input: { case_ids: ['no-such-case'] } }] },
  'cases.findCases': {
    samples: () => [{ input: { status: 'open', severity: ['low', 'high'], tags: ['edr'], search: 'contract', sortField: 'updatedAt', sortOrder: 'desc', page: 1, perPage: 20, owner: 'securitySolution' } }, { input: {} }],
    signal: INSTANT,
    bad: () => [{ input: { perPage: 101 } }, { input: { sortField: 'nope' } }, { input: { from: 'yesterday-ish' } }],
  },
  'cases.findSimilarCases': { samples: (f) => [{ input: { case_id: f.caseId, page: 1, perPage: 20 } }], signal: INSTANT, bad: () => [{ input: { case_id: 'no-such-case' } }] },
  'cases.getCases': { samples: (f) => [{ input: { case_ids: [f.caseId, 'no-such-case'] } }], signal: INSTANT, bad: () => [{ input: { case_ids: [] } }] },
  'cases.getCasesByAlertId': { samples: () => [{ input: { alert_id: 'contract-alert' } }], signal: INSTANT, bad: () => [{ input: { alert_id: '' } }] },
  'cases.getAllAttachments': { samples: (f) => [{ input: { case_id: f.caseId } }], signal: INSTANT, bad: () => [{ input: { case_id: 'no-such-case' } }] },
  'cases.addAttachments': {
    samples: (f) => [
      {
        input: {
          case_id: f.caseId,
          attachments: [
            { type: 'comment', data: { content: 'isolated the host' } },
            { type: 'stack.alert', attachmentId: 'al-2', metadata: { index: '.alerts-stack.alerts-default', rule: { id: 'r2', name: 'High CPU' } } },
            { type: 'event', eventId: 'ev-2', index: 'logs-endpoint' },
            { type: 'externalReference', externalReferenceId: 'TICKET-1', externalReferenceStorage: { type: 'elasticSearchDoc' } },
          ],
        },
      },
    ],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, attachments: [{ type: 'comment', data: {} }] } }, { input: { case_id: f.caseId, attachments: [{ data: {} }] } }],
  },
  'cases.setCategory': { samples: (f) => [{ input: { case_id: f.caseId, category: 'Malware' } }], signal: INSTANT, bad: (f) => [{ input: { case_id: f.caseId, category: '' } }] },
  'cases.setCustomField': {
    samples: (f) => [{ input: { case_id: f.caseId, field_name: 'ticket', value: 'T-1' } }, { input: { case_id: f.caseId, field_name: 'contained', value: true } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, field_name: 'x', value: { nested: 1 } } }],
  },
  'cases.setDescription': { samples: (f) => [{ input: { case_id: f.caseId, description: 'mimikatz on srv-web-01' } }], signal: INSTANT },
  'cases.setSeverity': { samples: (f) => [{ input: { case_id: f.caseId, severity: 'critical' } }], signal: INSTANT, bad: (f) => [{ input: { case_id: f.caseId, severity: 'apocalyptic' } }] },
  'cases.setTitle': { samples: (f) => [{ input: { case_id: f.caseId, title: 'Compromise on srv-web-01 (confirmed)' } }], signal: INSTANT, bad: (f) => [{ input: { case_id: f.caseId, title: '  ' } }] },
  'cases.updateCase': {
    samples: (f) => [{ input: { case_id: f.caseId, updates: { title: 'updated', severity: 'high', status: 'in-progress', tags: ['edr'], assignees: [{ uid: 'u-2' }], category: 'Intrusion', customFields: [{ key: 'ticket', type: 'text', value: 'T-2' }] } } }],
    signal: INSTANT,
    bad: (f) => [{ input: { case_id: f.caseId, updates: {} } }, { input: { case_id: f.caseId, updates: { nope: 1 } } }],
  },
  'cases.updateCases': {
    samples: (f) => [{ input: { cases: [{ case_id: f.caseId, version: 'WzEsMV0=', updates: { severity: 'medium' } }] } }],
    signal: INSTANT,
    bad: (f) => [{ input: { cases: [{ case_id: f.caseId, updates: { severity: 'low' } }, { case_id: 'no-such-case', updates: { severity: 'low' } }] } }],
  },
  'cases.createCaseFromTemplate': {
    samples: () => [{ input: { case_template_id: 'triage', overwrites: { severity: 'high' } } }, { input: { case_template_id: 'triage' } }],
    signal: INSTANT,
    bad: () => [{ input: { case_template_id: 'no-such-template' } }, { input: { case_template_id: 'triage', overwrites: { severity: 'nope' } } }],
  },
  'cases.pushCases': {
    samples: (f) => [{ connectorId: 'edr', input: { case_ids: [f.caseId], path: '/cases' } }],
    signal: 'honours',
    io: { hang: 'hang-http', echo: 'echo-http' },
    bad: (f) => [
      { connectorId: 'edr', input: { case_ids: ['no-such-case'], path: '/cases' } },
      { connectorId: 'no-such-connector', input: { case_ids: [f.caseId] } },
      { input: { case_ids: [f.caseId] } },
      { connectorId: 'es', input: { case_ids: [f.caseId] } },
    ],
  },
  http: {
    samples: () => [{ connectorId: 'edr', input: { method: 'POST', url: '/isolate', body: { host: 'srv-web-01', reason: 'contract' } } }],
    signal: 'honours',
    io: { hang: 'hang-http', echo: 'echo-http' },
    bad: () => [
      { connectorId: 'edr', input: { method: 'TELEPORT', url: '/isolate' } },
      { connectorId: 'edr', input: { url: 'https://elsewhere.example/isolate' } },
      { connectorId: 'edr', input: { url: '/isolate', headers: { 'bad header': 'x' } } },
      { connectorId: 'no-such-connector', input: { url: '/isolate' } },
      { input: { url: 'http://169.254.169.254/latest/meta-data' } },
    ],
  },
  'elasticsearch.': {
    samples: () => [
      { stepType: 'elasticsearch.search', connectorId: 'es', input: { index: 'logs-*', query: { term: { 'host.name': 'srv-web-01' } } } },
      { stepType: 'elasticsearch.index', connectorId: 'es', input: { index: 'contract', document: { host: 'srv-web-01' } } },
      { stepType: 'elasticsearch.request', connectorId: 'es', input: { method: 'POST', path: 'logs-*/_search', body: { query: { match_all: {} } }, query: { size: 1 } } },
    ],
    signal: 'honours',
    io: { hang: 'hang-es', echo: 'echo-es' },
    bad: () => [
      { stepType: 'elasticsearch.transport', connectorId: 'es', input: {} },
      { stepType: 'elasticsearch.no.such.api', connectorId: 'es', input: {} },
      { stepType: 'elasticsearch.request', connectorId: 'es', input: { path: 'https://evil.example/' } },
      { stepType: 'elasticsearch.search', connectorId: 'edr', input: { index: 'x' } },
    ],
  },
  'ai.classify': {
    samples: () => [{ connectorId: 'ai', input: { input: 'mimikatz ran on srv-web-01', categories: ['confirmed_compromise', 'likely_benign'], includeRationale: true } }],
    signal: 'honours',
    io: { hang: 'hang-ai', echo: 'echo-ai' },
    bad: () => [{ connectorId: 'ai', input: { input: 'x', categories: ['only-one'] } }, { connectorId: 'ai', input: { input: 'x', categories: ['a', 'a'] } }],
  },
  'ai.summarize': {
    samples: () => [{ connectorId: 'ai', input: { input: { alerts: [{ host: 'srv-web-01', rule: 'mimikatz' }] }, maxLength: 200 } }],
    signal: 'honours',
    io: { hang: 'hang-ai', echo: 'echo-ai' },
    bad: () => [{ connectorId: 'ai', input: { input: 'x', maxLength: -3 } }],
  },
  'ai.prompt': {
    samples: () => [
      { connectorId: 'ai', input: { prompt: 'Is srv-web-01 compromised?' } },
      { connectorId: 'ai', input: { prompt: 'Verdict?', schema: { type: 'object', properties: { verdict: { type: 'string' } }, required: ['verdict'], additionalProperties: false } } },
    ],
    signal: 'honours',
    io: { hang: 'hang-ai', echo: 'echo-ai' },
    bad: () => [{ connectorId: 'ai', input: { prompt: '' } }, { connectorId: 'ai', input: { prompt: 'x', schema: { type: 'no-such-type' } } }],
  },
  'kibana.request': {
    samples: () => [
      { connectorId: 'kibana', input: { path: '/api/status' } },
      { connectorId: 'kibana', input: { method: 'POST', path: '/api/cases/_find', body: { tags: ['edr'] }, query: { perPage: 5 }, headers: { 'X-Opaque-Id': 'contract' } } },
    ],
    signal: 'honours',
    io: { hang: 'hang-kibana', echo: 'echo-kibana' },
    bad: () => [
      { connectorId: 'kibana', input: { path: 'https://evil.example/api/status' } },
      { connectorId: 'kibana', input: { path: '/api/status', method: 'TELEPORT' } },
      { connectorId: 'edr', input: { path: '/api/status' } },
    ],
  },
  'kibana.SetAlertsStatus': {
    samples: () => [
      { connectorId: 'kibana', input: { signal_ids: ['a1', 'a2'], status: 'closed', reason: 'false_positive' } },
      { connectorId: 'kibana', input: { query: { ids: { values: ['a1'] } }, status: 'acknowledged', conflicts: 'proceed' } },
    ],
    signal: 'honours',
    io: { hang: 'hang-kibana', echo: 'echo-kibana' },
    bad: () => [{ connectorId: 'kibana', input: { signal_ids: ['a1'], status: 'done' } }, { connectorId: 'kibana', input: { status: 'closed' } }],
  },
  'kibana.SetAlertTags': {
    samples: () => [{ connectorId: 'kibana', input: { ids: ['a1'], tags: { tags_to_add: ['reviewed'], tags_to_remove: [] } } }],
    signal: 'honours',
    io: { hang: 'hang-kibana', echo: 'echo-kibana' },
    bad: () => [{ connectorId: 'kibana', input: { ids: ['a1'], tags: { tags_to_add: ['x'], tags_to_remove: ['x'] } } }],
  },
  'ai.agent': {
    samples: () => [
      { connectorId: 'kibana', input: { agent_id: 'security-analyst', message: 'Is srv-web-01 compromised?' } },
      { connectorId: 'kibana', input: { input: 'Verdict?', schema: { type: 'object', properties: { verdict: { enum: ['benign', 'malicious'] } }, required: ['verdict'] }, timeout: '2m' } },
    ],
    signal: 'honours',
    io: { hang: 'hang-kibana', echo: 'echo-kibana' },
    bad: () => [{ connectorId: 'kibana', input: { message: '' } }, { connectorId: 'kibana', input: { message: 'x', conversation_id: 'no-such-conversation' } }],
  },
  slack: {
    samples: () => [{ connectorId: 'slack', input: { message: 'Isolated *srv-web-01*' } }],
    signal: 'honours',
    io: { hang: 'hang-slack', echo: 'echo-slack' },
    bad: () => [{ connectorId: 'slack', input: { message: '' } }, { input: { message: 'no connector' } }, { connectorId: 'mail', input: { message: 'wrong type' } }],
  },
  email: {
    samples: () => [{ connectorId: 'mail', input: { to: ['soc@example.com'], cc: 'lead@example.com', subject: 'Isolated srv-web-01', message: 'done' } }],
    signal: 'honours',
    io: { hang: 'hang-mail', echo: 'echo-mail' },
    echoType: 'step_error',
    bad: () => [{ connectorId: 'mail', input: { to: 'nobody', subject: 's', message: 'm' } }, { connectorId: 'mail', input: { to: 'a@example.com', subject: 'a\nb', message: 'm' } }],
  },
};

/** Values of the wrong type that replace each field of a valid input in turn; MISSING removes the field (rendered input never holds undefined). */
const MISSING = Symbol('missing');
const WRONG: unknown[] = [MISSING, null, 0, -1, 1e300, true, '', 'text', '{"not": closed', [], [1, 'a', null], {}, { nested: { deep: [1] } }];

/* ---------- fixtures: Redis, the stand-ins, the connectors ---------- */

const registry = builtinRegistry().register(...connectorStepTypes());
const TYPES = registry.types().map((t) => [t.type, t] as const);

let redisServer: RedisServer;
let redis: IORedis;
let cases: CaseStore;
let fixtures: Fixtures;
let edr: EdrServer;
let es: ElasticsearchServer;
let ai: OpenAIServer;
let kibana: KibanaServer;
let slack: SlackServer;
let smtp: SmtpServer;
let hang: Awaited<ReturnType<typeof startHangServer>>;
let echo: Awaited<ReturnType<typeof listen>>;
let smtpHang: Awaited<ReturnType<typeof startSilentTcpServer>>;
let smtpEcho: Awaited<ReturnType<typeof startSmtpEchoServer>>;
let connectors: ConnectorRegistry;

/** A server that reads each request and never answers it. */
async function startHangServer() {
  const state = { received: 0 };
  const l = await listen(undefined, (req: IncomingMessage) => {
    state.received++;
    req.resume();
  });
  return { ...l, received: () => state.received };
}

/** A server that answers every request 400 with the request's path and headers in the error, as some APIs do; it says it is Elasticsearch. */
function startEchoServer() {
  return listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
    const r = await readRequest(req);
    const said = `bad request to ${r.url} with headers ${JSON.stringify(r.headers)}`;
    sendJson(res, 400, { error: { type: 'echo_exception', reason: said, message: said }, message: said, headers: r.headers }, { 'x-elastic-product': 'Elasticsearch' });
  });
}

/** A TCP server that accepts connections and never says a word (an SMTP server that never greets). */
async function startSilentTcpServer() {
  const state = { connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => state.connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An SMTP server that refuses every login with the credentials it was given in the reply. */
async function startSmtpEchoServer() {
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      const err = new Error(`no such user ${auth.username} with password ${auth.password}`) as Error & { responseCode: number };
      err.responseCode = 535;
      callback(err);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as net.AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What the never-answering servers received: HTTP requests, and SMTP connections left waiting for a greeting. */
const hangReceived = () => hang.received() + smtpHang.connections();

beforeAll(async () => {
  redisServer = await startRedis();
  redis = redisServer.client();
  await redis.ping(); // connected now: during the instant runs no new socket may be opened
  cases = new CaseStore(redis, new Keys(`contract${randomUUID().slice(0, 8)}`));
  const caseId = (await cases.create({ title: 'contract fixture', severity: 'low', tags: ['edr'] })).id;
  const observables = (await cases.attach(caseId, { observables: [{ typeKey: 'observable-type-ipv4', value: '10.0.0.1', description: null }, { typeKey: 'observable-type-ipv4', value: '10.0.0.2', description: null }] }))!.observables;
  const similar = (await cases.create({ title: 'contract similar', severity: 'low', tags: ['edr'] })).id;
  await cases.attach(similar, { observables: [{ typeKey: 'observable-type-ipv4', value: '10.0.0.1', description: null }] });
  fixtures = { caseId, doomedCaseId: (await cases.create({ title: 'contract doomed', severity: 'low' })).id, observableIds: [observables[0].id, observables[1].id] };
  [edr, es, ai, kibana, slack, smtp, hang, echo, smtpHang, smtpEcho] = await Promise.all([
    startEdrServer({ token: SECRET }),
    startElasticsearchServer({ apiKey: SECRET }),
    startOpenAIServer({ apiKey: SECRET }),
    startKibanaServer({ apiKey: SECRET }),
    startSlackServer(),
    startSmtpServer(),
    startHangServer(),
    startEchoServer(),
    startSilentTcpServer(),
    startSmtpEchoServer(),
  ]);
  const at = (port: number) => `http://127.0.0.1:${port}`;
  connectors = parseConnectors(
    [
      'connectors:',
      '  edr:',
      '    type: http',
      '    url: https://edr.example.com',
      `    targetUrl: ${edr.url}`,
      '    headers: { Authorization: "Bearer ${SECRET}", X-Api-Key: "${SECRET}" }',
      '  hang-http:',
      '    type: http',
      `    url: ${at(hang.port)}`,
      '    headers: { Authorization: "Bearer ${SECRET}" }',
      '  echo-http:',
      '    type: http',
      `    url: ${at(echo.port)}`,
      '    headers: { Authorization: "Bearer ${SECRET}", X-Api-Key: "${SECRET}" }',
      '  es:',
      '    type: elasticsearch',
      `    url: ${es.url}`,
      '    apiKey: ${SECRET}',
      '  hang-es:',
      '    type: elasticsearch',
      `    url: ${at(hang.port)}`,
      '    apiKey: ${SECRET}',
      '  echo-es:',
      '    type: elasticsearch',
      `    url: ${at(echo.port)}`,
      '    apiKey: ${SECRET}',
      '  ai:',
      '    type: openai',
      `    url: ${ai.url}`,
      '    apiKey: ${SECRET}',
      '    model: gpt-4o-mini',
      '    maxRetries: 0',
      '  hang-ai:',
      '    type: openai',
      `    url: ${at(hang.port)}/v1`,
      '    apiKey: ${SECRET}',
      '    model: gpt-4o-mini',
      '    maxRetries: 0',
      '  echo-ai:',
      '    type: openai',
      `    url: ${at(echo.port)}/v1`,
      '    apiKey: ${SECRET}',
      '    model: gpt-4o-mini',
      '    maxRetries: 0',
      '  kibana:',
      '    type: kibana',
      `    url: ${kibana.url}`,
      '    apiKey: ${SECRET}',
      '  hang-kibana:',
      '    type: kibana',
      `    url: ${at(hang.port)}`,
      '    apiKey: ${SECRET}',
      '  echo-kibana:',
      '    type: kibana',
      `    url: ${at(echo.port)}`,
      '    apiKey: ${SECRET}',
      '  slack:',
      '    type: slack',
      `    url: ${slack.webhookUrl}`,
      '  hang-slack:',
      '    type: slack',
      `    url: ${at(hang.port)}/services/T0/B0/\${SECRET}`,
      '  echo-slack:',
      '    type: slack',
      `    url: ${at(echo.port)}/services/T0/B0/\${SECRET}`,
      '  mail:',
      '    type: email',
      '    host: 127.0.0.1',
      `    port: ${smtp.port}`,
      '    from: flowgate@example.com',
      '  hang-mail:',
      '    type: email',
      '    host: 127.0.0.1',
      `    port: ${smtpHang.port}`,
      '    user: flowgate',
      '    password: ${SECRET}',
      '    from: flowgate@example.com',
      '  echo-mail:',
      '    type: email',
      '    host: 127.0.0.1',
      `    port: ${smtpEcho.port}`,
      '    user: flowgate',
      '    password: ${SECRET}',
      '    from: flowgate@example.com',
      '',
    ].join('\n'),
    { SECRET },
  );
}, 30_000);

afterAll(async () => {
  await Promise.all([hang?.close(), smtpHang?.close()]); // first: a call still hanging there would hold the connectors' close
  await connectors?.close();
  await Promise.all([edr?.close(), es?.close(), ai?.close(), kibana?.close(), slack?.close(), smtp?.close(), echo?.close(), smtpEcho?.close()]);
  await redisServer?.stop();
});

/* ---------- running a type ---------- */

const caseTemplates = caseTemplatesFromYaml('templates:\n  triage:\n    name: Triage\n    caseFields: { title: "Triage {{ host }}", severity: medium, tags: [triage], category: Intrusion }\n');

function servicesFor(connectorRegistry: ConnectorRegistry = connectors): StepServices {
  return { cases, connectors: connectorRegistry, httpAllowedHosts: [], caseTemplates };
}

function run(handler: StepType<StepServices>, type: string, sample: Sample, opts: { signal?: AbortSignal; services?: StepServices; path?: string } = {}): Promise<StepOutcome> {
  const ctx = makeCtx(sample.stepType ?? type, sample.input, {
    connectorId: sample.connectorId,
    params: sample.params,
    signal: opts.signal,
    path: opts.path ?? 'contract',
  });
  // run() is async: anything thrown synchronously still becomes a rejection
  return Promise.resolve().then(() => handler.run(ctx, opts.services ?? servicesFor()));
}

/** Every input a type gets in (b): each field of each sample replaced by each wrong value, an extra field, and the row's bad inputs. */
function badInputs(row: Row): Sample[] {
  const out: Sample[] = [];
  for (const sample of row.samples(fixtures)) {
    for (const where of ['input', 'params'] as const) {
      const fields = sample[where] ?? {};
      for (const key of Object.keys(fields)) {
        for (const value of WRONG) {
          const { [key]: _removed, ...rest } = fields;
          out.push({ ...sample, [where]: value === MISSING ? rest : { ...rest, [key]: value } });
        }
      }
    }
    out.push({ ...sample, input: {} });
    out.push({ ...sample, input: { ...sample.input, unexpected: { a: [1] } } });
  }
  // a bad input of a prefix type without its own stepType runs as the first sample's concrete type
  const stepType = row.samples(fixtures)[0].stepType;
  return [...out, ...(row.bad?.(fixtures) ?? [])].map((s) => ({ stepType, ...s }));
}

/** A settled run, checked against (b) and (c): a StepError without secrets, or an outcome that is JSON and free of secrets. */
function checkSettled(label: string, settled: PromiseSettledResult<StepOutcome>): StepError | StepOutcome {
  if (settled.status === 'rejected') {
    const err = settled.reason;
    if (!(err instanceof StepError)) throw new Error(`${label}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not a StepError`);
    const shown = JSON.stringify({ message: err.message, details: err.details ?? null, info: err.toInfo() });
    if (shown.includes(SECRET)) throw new Error(`${label}: the error holds a connector secret: ${shown}`);
    return err;
  }
  const outcome = settled.value;
  let text: string;
  try {
    text = JSON.stringify(outcome);
  } catch (e) {
    throw new Error(`${label}: the outcome is not JSON: ${(e as Error).message}`);
  }
  expect([label, JSON.parse(text)]).toStrictEqual([label, outcome]);
  if (text.includes(SECRET)) throw new Error(`${label}: the outcome holds a connector secret`);
  return outcome;
}

const settle = <T>(p: Promise<T>): Promise<PromiseSettledResult<T>> =>
  p.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason: unknown) => ({ status: 'rejected', reason }) as const,
  );

/* ---------- (d): no outside I/O ---------- */

type Patchable = Record<string, unknown>;

/** Runs `fn` while every way out of the process throws and is recorded; returns what was attempted. */
async function withoutOutsideIo<T>(fn: (services: StepServices) => Promise<T>): Promise<{ value: T; attempts: string[] }> {
  const attempts: string[] = [];
  const restore: (() => void)[] = [];
  const spy = (target: object, key: string, label: string) => {
    const t = target as Patchable;
    const original = t[key];
    t[key] = function outsideIo() {
      attempts.push(label);
      throw new Error(`outside I/O during an instant step: ${label}`);
    };
    restore.push(() => {
      t[key] = original;
    });
  };
  spy(http, 'request', 'http.request');
  spy(http, 'get', 'http.get');
  spy(https, 'request', 'https.request');
  spy(https, 'get', 'https.get');
  spy(net, 'connect', 'net.connect');
  spy(net, 'createConnection', 'net.createConnection');
  spy(net.Socket.prototype, 'connect', 'net.Socket#connect');
  spy(tls, 'connect', 'tls.connect');
  spy(dns, 'lookup', 'dns.lookup');
  spy(dns.promises, 'lookup', 'dns.promises.lookup');
  spy(dgram, 'createSocket', 'dgram.createSocket');
  spy(globalThis, 'fetch', 'fetch');
  const recording = new Proxy(connectors, {
    get(target, key, receiver) {
      attempts.push(`connectors.${String(key)}`);
      return Reflect.get(target, key, receiver);
    },
  });
  try {
    return { value: await fn(servicesFor(recording)), attempts };
  } finally {
    for (const r of restore.reverse()) r();
  }
}

/* ---------- the checks ---------- */

test('every row of the contract is a registered step type (no stale rows)', () => {
  const registered = TYPES.map(([type]) => type);
  expect(Object.keys(CONTRACT).filter((type) => !registered.includes(type))).toEqual([]);
});

describe.each(TYPES)('%s', (type, handler) => {
  const row = CONTRACT[type] as Row | undefined;

  test('has a contract row: valid samples and how it treats its abort signal', () => {
    expect(row).toBeDefined();
  });
  if (!row) return;

  const instant = handler.instant === true;

  if (typeof row.signal === 'object') {
    test(`(a) ignores its signal by design (${row.signal.ignores}): only an instant type may`, () => {
      expect(instant).toBe(true);
    });
  } else {
    test('(a) an already aborted signal: rejects at once with cancelled or timeout', async () => {
      for (const sample of row.samples(fixtures)) {
        const controller = new AbortController();
        controller.abort();
        const started = Date.now();
        const settled = await settle(run(handler, type, sample, { signal: controller.signal }));
        const elapsed = Date.now() - started;
        const err = checkSettled(`${sample.stepType ?? type} (aborted)`, settled);
        expect(err).toBeInstanceOf(StepError);
        expect(['cancelled', 'timeout']).toContain((err as StepError).type);
        expect(elapsed).toBeLessThan(1000);
      }
    });

    test('(a) aborted while the server never answers: rejects within a second, the executor\'s retryable timeout kept', async () => {
      expect(row.io).toBeDefined(); // a type with I/O names the connectors that stand in for its sample's
      for (const sample of row.samples(fixtures)) {
        const controller = new AbortController();
        const before = hangReceived();
        const pending = settle(run(handler, type, { ...sample, connectorId: row.io!.hang }, { signal: controller.signal }));
        const deadline = Date.now() + 5000;
        while (hangReceived() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(hangReceived()).toBeGreaterThan(before); // the call is out and hanging
        const started = Date.now();
        controller.abort(new StepError('timeout', 'step "contract" timed out after 100 ms', { retryable: true }));
        const settled = await pending;
        const elapsed = Date.now() - started;
        const err = checkSettled(`${sample.stepType ?? type} (hanging)`, settled);
        expect(err).toBeInstanceOf(StepError);
        expect({ type: (err as StepError).type, retryable: (err as StepError).retryable }).toEqual({ type: 'timeout', retryable: true });
        expect(elapsed).toBeLessThan(1000);
      }
    });
  }

  test('(c) valid samples give JSON outcomes that round-trip' + (row.fails ? ` (this type fails by design: ${row.fails})` : ''), async () => {
    const go = (services: StepServices) => Promise.all(row.samples(fixtures).map((sample, i) => settle(run(handler, type, sample, { services, path: `sample${i}` }))));
    const { value: results, attempts } = instant ? await withoutOutsideIo(go) : { value: await go(servicesFor()), attempts: [] };
    results.forEach((settled, i) => {
      const checked = checkSettled(`sample ${i}`, settled);
      if (row.fails) expect(checked).toMatchObject({ type: row.fails });
      else if (checked instanceof StepError) throw new Error(`sample ${i} failed: ${checked.type}: ${checked.message}`);
    });
    expect(attempts).toEqual([]);
  });

  test('(b) bad inputs: only StepErrors, never a secret' + (instant ? '; (d) no outside I/O' : ' (against a server echoing the secret)'), async () => {
    const inputs = badInputs(row).map((s) => (row.io && s.connectorId !== undefined && s.connectorId === row.samples(fixtures)[0].connectorId ? { ...s, connectorId: row.io.echo } : s));
    const go = async (services: StepServices) => {
      const out: PromiseSettledResult<StepOutcome>[] = [];
      for (const [i, sample] of inputs.entries()) out.push(await settle(run(handler, type, sample, { services, path: `bad${i}` })));
      return out;
    };
    const { value: results, attempts } = instant ? await withoutOutsideIo(go) : { value: await go(servicesFor()), attempts: [] };
    results.forEach((settled, i) => checkSettled(JSON.stringify(inputs[i]), settled));
    // the row's own bad inputs (last in the list) all fail
    const named = row.bad?.(fixtures).length ?? 0;
    results.slice(results.length - named).forEach((settled, i) => expect([i, settled.status]).toEqual([i, 'rejected']));
    expect(attempts).toEqual([]);
  });

  const io = row.io;
  if (io) {
    test('(b) a server echoing the request headers into its error: the error is a StepError without the secret', async () => {
      for (const sample of row.samples(fixtures)) {
        const settled = await settle(run(handler, type, { ...sample, connectorId: io.echo }));
        const err = checkSettled(`${sample.stepType ?? type} (echo)`, settled);
        expect(err).toBeInstanceOf(StepError);
        expect((err as StepError).type).toBe(row.echoType ?? 'http_error');
        // the secret did reach the error (the server echoed it), and was redacted from it
        expect(JSON.stringify({ message: (err as StepError).message, details: (err as StepError).details })).toContain('[REDACTED]');
      }
    });
  }
});
