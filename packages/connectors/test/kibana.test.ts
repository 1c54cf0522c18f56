/**
 * The `kibana` connector (docs/connectors.md "type: kibana"): its connectors.yaml fields with one-line
 * errors naming the field, and its client (kibanaCall) — headers, space prefix, Kibana's errors, the
 * retryable flags, the abort signal and secret redaction.
 *
 * The far side is a LOCAL STAND-IN speaking Kibana's HTTP protocol on loopback
 * (test/fixtures/kibana-server.ts), not Kibana; two small servers defined here stand for a Kibana that
 * never answers and one that echoes the request's headers into its error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { StepError } from '@flowgate/engine';
import { ConnectorConfigError, kibanaCall, kibanaPath, parseConnectors, type KibanaConnector } from '@flowgate/connectors';
import { startKibanaServer, type KibanaServer } from '../../../test/fixtures/kibana-server';
import { listen, readRequest, sendJson } from '../../../test/fixtures/http-util';

const API_KEY = 'a2liYW5hLWtleS1zZWNyZXQ6OTk5OQ==';

function configError(yaml: string, env: Record<string, string> = { KIBANA_API_KEY: API_KEY }): string {
  try {
    parseConnectors(`connectors:\n${yaml}`, env, 'conf/connectors.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConnectorConfigError');
}

describe('connectors.yaml: type kibana', () => {
  it('reads url, apiKey from the environment, space and default', () => {
    const r = parseConnectors(
      'connectors:\n  kibana:\n    type: kibana\n    url: https://kb.example.com:5601/\n    apiKey: ${KIBANA_API_KEY}\n    space: security\n    default: true\n',
      { KIBANA_API_KEY: API_KEY },
    );
    expect(r.get('kibana')).toEqual({ id: 'kibana', type: 'kibana', url: 'https://kb.example.com:5601', headers: {}, apiKey: API_KEY, space: 'security', default: true });
    expect(r.describe()).toEqual({ kibana: { type: 'kibana' } });
    // the key, alone and as sent, is a secret
    expect(r.redact(`ApiKey ${API_KEY} and ${API_KEY}`)).toBe('[REDACTED] and [REDACTED]');
  });

  it('takes an Authorization header instead of apiKey (Basic credentials)', () => {
    const r = parseConnectors('connectors:\n  kb:\n    type: kibana\n    url: http://127.0.0.1:5601\n    headers: { Authorization: "Basic ${B}" }\n', { B: 'ZWxhc3RpYzpjaGFuZ2VtZQ==' });
    expect((r.get('kb') as KibanaConnector).apiKey).toBeUndefined();
    expect(r.redact('ZWxhc3RpYzpjaGFuZ2VtZQ==')).toBe('[REDACTED]');
  });

  it.each([
    ['without url', '  k: { type: kibana, apiKey: "${KIBANA_API_KEY}" }\n', 'conf/connectors.yaml: connector "k": url: is required'],
    ['url with credentials', '  k: { type: kibana, url: "https://u:p@kb.example", apiKey: x1234567 }\n', 'conf/connectors.yaml: connector "k": url: must not contain credentials (use apiKey, username/password or headers, with ${ENV} references)'],
    ['without apiKey', '  k: { type: kibana, url: "https://kb.example" }\n', 'conf/connectors.yaml: connector "k": apiKey: is required (a Kibana API key, taken from the environment; or an Authorization header in headers)'],
    ['apiKey from an unset variable', '  k: { type: kibana, url: "https://kb.example", apiKey: "${NOPE}" }\n', 'conf/connectors.yaml: connector "k": apiKey: environment variable NOPE is not set'],
    ['apiKey and an Authorization header', '  k: { type: kibana, url: "https://kb.example", apiKey: abcdef123, headers: { authorization: "Basic x" } }\n', 'conf/connectors.yaml: connector "k": apiKey: set either apiKey or an Authorization header, not both'],
    ['a space with capitals', '  k: { type: kibana, url: "https://kb.example", apiKey: abcdef123, space: "Security Ops" }\n', 'conf/connectors.yaml: connector "k": space: expected a Kibana space id (lower-case letters, digits, "_" and "-"), got "Security Ops"'],
    ['default not a boolean', '  k: { type: kibana, url: "https://kb.example", apiKey: abcdef123, default: yes-please }\n', 'conf/connectors.yaml: connector "k": default: expected true or false'],
    ['two defaults', '  a: { type: kibana, url: "https://a.example", apiKey: abcdef123, default: true }\n  b: { type: kibana, url: "https://b.example", apiKey: abcdef123, default: true }\n', 'conf/connectors.yaml: connector "b": default: only one connector of type kibana may be the default'],
    ['an unknown field', '  k: { type: kibana, url: "https://kb.example", apiKey: abcdef123, spaceId: x }\n', 'conf/connectors.yaml: connector "k": spaceId: unknown field for a connector of type kibana (expected one of type, description, url, targetUrl, headers, tls, apiKey, space, default)'],
  ])('refuses %s, naming the field', (_what, yaml, message) => {
    expect(configError(yaml)).toBe(message);
  });
});

describe('kibanaPath: the space prefix', () => {
  it.each([
    [undefined, '/api/status', '/api/status'],
    ['default', '/api/status', '/api/status'],
    ['security', '/api/status', '/s/security/api/status'],
    ['security', '/s/other/api/status', '/s/other/api/status'],
    ['security', '/api/status?v8format=true', '/s/security/api/status?v8format=true'],
  ])('space %s, path %s → %s', (space, path, expected) => {
    expect(kibanaPath({ space }, path, 'kibana.request')).toBe(expected);
  });

  it.each([[''], ['api/status'], ['https://evil.example/api'], ['//evil.example/api'], [42]])('refuses %j with a validation_error naming with.path', (path) => {
    expect(() => kibanaPath({}, path, 'kibana.request')).toThrow(expect.objectContaining({ type: 'validation_error', message: expect.stringContaining('with.path') }));
  });
});

describe('kibanaCall against the Kibana stand-in', () => {
  let kibana: KibanaServer;
  let dispatcher: Agent;
  const connector = (extra: Partial<KibanaConnector> = {}): KibanaConnector => ({ id: 'kibana', type: 'kibana', url: kibana.url, headers: {}, apiKey: API_KEY, ...extra });
  const call = (c: KibanaConnector, request: Parameters<typeof kibanaCall>[1], signal?: AbortSignal) =>
    kibanaCall(c, request, { label: 'kibana.request', dispatcher, idempotencyKey: '01JEXEC:step', maxBodyBytes: 1 << 20, ...(signal ? { signal } : {}) });
  const errorOf = async (p: Promise<unknown>): Promise<StepError> => {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(StepError);
      return err as StepError;
    }
    throw new Error('expected a StepError');
  };

  beforeAll(async () => {
    kibana = await startKibanaServer({ apiKey: API_KEY });
    dispatcher = new Agent();
  });
  afterAll(async () => {
    await dispatcher.close();
    await kibana.close();
  });
  beforeEach(() => kibana.reset());

  it('sends the API key, kbn-xsrf and JSON, and answers the parsed body', async () => {
    const result = await call(connector(), { method: 'POST', path: '/api/detection_engine/signals/status', body: { signal_ids: ['a1'], status: 'closed' } });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ updated: 1, total: 1 });
    const [req] = kibana.requests;
    expect(req.headers).toMatchObject({ authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': '01JEXEC:step' });
    expect(req.body).toEqual({ signal_ids: ['a1'], status: 'closed' });
    expect(kibana.alerts.get('a1')?.status).toBe('closed');
  });

  it('a step cannot replace the credentials or kbn-xsrf with its own headers', async () => {
    await call(connector(), { method: 'POST', path: '/api/anything', headers: { Authorization: 'ApiKey stolen', 'kbn-xsrf': 'no', 'X-Trace': 't1' } });
    expect(kibana.requests[0].headers).toMatchObject({ authorization: `ApiKey ${API_KEY}`, 'kbn-xsrf': 'true', 'x-trace': 't1' });
  });

  it('puts /s/<space> in front of the path, and keeps the connector url\'s base path', async () => {
    await call(connector({ space: 'security' }), { method: 'GET', path: '/api/status', query: { v8format: true } });
    expect(kibana.requests[0]).toMatchObject({ space: 'security', path: '/api/status', url: '/s/security/api/status?v8format=true' });
    const based = await call(connector({ url: `${kibana.url}/kibana`, space: 'ops' }), { path: '/api/cases/_find' });
    expect(kibana.requests[1].url).toBe('/kibana/s/ops/api/cases/_find');
    expect(based.body).toMatchObject({ method: 'GET' });
  });

  it('a wrong API key: Kibana\'s 401 as a non-retryable http_error, in one line, without the key', async () => {
    const err = await errorOf(call(connector({ apiKey: 'd3Jvbmcta2V5LXZhbHVl' }), { path: '/api/status' }));
    expect(err).toMatchObject({ type: 'http_error', retryable: false, message: 'kibana.request: Kibana answered 401: Unauthorized: Unauthorized' });
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('d3Jvbmcta2V5LXZhbHVl');
  });

  it('without kbn-xsrf Kibana answers 400: the stand-in checks it as Kibana does', async () => {
    const res = await fetch(`${kibana.url}/api/detection_engine/signals/tags`, { method: 'POST', headers: { authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' });
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [404, false],
    [400, false],
  ])('an answer %i is retryable: %s', async (status, retryable) => {
    kibana.failNext(1, status);
    const err = await errorOf(call(connector(), { method: 'POST', path: '/api/detection_engine/signals/status', body: { signal_ids: ['a'], status: 'open' } }));
    expect(err).toMatchObject({ type: 'http_error', retryable });
    expect(err.message).toMatch(new RegExp(`^kibana.request: Kibana answered ${status}: .+: Kibana stand-in: simulated failure$`));
    expect(err.details).toMatchObject({ status });
  });

  it('Kibana\'s validation answer comes through in the message', async () => {
    const err = await errorOf(call(connector(), { method: 'POST', path: '/api/detection_engine/signals/status', body: { signal_ids: ['a'], status: 'done' } }));
    expect(err.message).toBe('kibana.request: Kibana answered 400: Bad Request: [request body.status]: expected one of open, closed, acknowledged, in-progress but got "done"');
  });

  it('a Kibana that is not there: a retryable network error naming the origin', async () => {
    const closed = await listen(undefined, () => undefined);
    await closed.close();
    const err = await errorOf(call(connector({ url: `http://127.0.0.1:${closed.port}` }), { path: '/api/status' }));
    expect(err).toMatchObject({ type: 'network', retryable: true });
    expect(err.message).toBe(`kibana.request: cannot reach http://127.0.0.1:${closed.port} (ECONNREFUSED)`);
  });

  it('honours the abort signal: the caller\'s reason (a step timeout) is kept', async () => {
    const hang = await listen(undefined, (req: IncomingMessage) => void req.resume());
    try {
      const controller = new AbortController();
      const pending = errorOf(call(connector({ url: `http://127.0.0.1:${hang.port}` }), { path: '/api/status' }, controller.signal));
      setTimeout(() => controller.abort(new StepError('timeout', 'step "x" timed out after 100 ms', { retryable: true })), 100);
      const started = Date.now();
      const err = await pending;
      expect(err).toMatchObject({ type: 'timeout', retryable: true, message: 'step "x" timed out after 100 ms' });
      expect(Date.now() - started).toBeLessThan(1000);
      const plain = new AbortController();
      plain.abort();
      expect(await errorOf(call(connector(), { path: '/api/status' }, plain.signal))).toMatchObject({ type: 'cancelled' });
    } finally {
      await hang.close();
    }
  });

  it('its own deadline: a Kibana that never answers fails with a retryable timeout', async () => {
    const hang = await listen(undefined, (req: IncomingMessage) => void req.resume());
    try {
      const err = await errorOf(kibanaCall(connector({ url: `http://127.0.0.1:${hang.port}` }), { path: '/api/status' }, { label: 'ai.agent', dispatcher, idempotencyKey: 'k', maxBodyBytes: 1024, timeoutMs: 150 }));
      expect(err).toMatchObject({ type: 'timeout', retryable: true });
      expect(err.message).toBe('ai.agent: Kibana did not answer within 0.15 s');
    } finally {
      await hang.close();
    }
  });

  it('a Kibana echoing the request headers into its error: the API key is redacted from message and details', async () => {
    const echo = await listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
      const r = await readRequest(req);
      sendJson(res, 400, { statusCode: 400, error: 'Bad Request', message: `bad request with headers ${JSON.stringify(r.headers)}` });
    });
    try {
      const err = await errorOf(call(connector({ url: `http://127.0.0.1:${echo.port}` }), { method: 'POST', path: '/api/x', body: {} }));
      const shown = JSON.stringify({ message: err.message, details: err.details });
      expect(shown).not.toContain(API_KEY);
      expect(shown).toContain('authorization\\":\\"[REDACTED]'); // the whole header value, as sent
    } finally {
      await echo.close();
    }
  });

  it('an answer over maxBodyBytes fails with size_exceeded', async () => {
    const err = await errorOf(kibanaCall(connector(), { method: 'POST', path: '/api/big', body: { pad: 'x'.repeat(4000) } }, { label: 'kibana.request', dispatcher, idempotencyKey: 'k', maxBodyBytes: 1000 }));
    expect(err).toMatchObject({ type: 'size_exceeded', retryable: false });
  });
});
