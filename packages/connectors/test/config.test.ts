/**
 * connectors.yaml (docs/connectors.md): parsing, ${ENV} substitution, one-line errors naming the connector and
 * the field, describe() for validateWorkflow, and redaction of secrets. Pure: no servers needed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorConfigError, Redactor, loadConnectorsFile, parseConnectors, substituteEnv } from '@flowgate/connectors';

const SPEC_EXAMPLE = `
connectors:
  my-openai:
    type: openai                 # any OpenAI-compatible chat-completions API
    url: https://api.openai.com/v1
    apiKey: \${OPENAI_API_KEY}
    model: gpt-4o-mini
  edr-connector:
    type: http
    url: https://edr.example.com            # absolute step URLs must be on this origin
    headers: { Authorization: "Bearer \${EDR_TOKEN}" }
    targetUrl: http://127.0.0.1:9100        # optional: where requests for \`url\`'s origin really go
  pager:
    type: http
    url: https://pager.example.com
    headers: { Authorization: "Bearer \${PAGER_TOKEN}" }
  elasticsearch:                            # the default for elasticsearch.* steps without connector-id
    type: elasticsearch
    url: http://127.0.0.1:9200
    apiKey: \${ES_API_KEY}
`;

const ENV = { OPENAI_API_KEY: 'sk-test-openai-123456', EDR_TOKEN: 'edr-secret-token-42', PAGER_TOKEN: 'pager-secret-99', ES_API_KEY: 'es-api-key-abcdef' };

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorConfigError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseConnectors: the docs/connectors.md example', () => {
  const registry = parseConnectors(SPEC_EXAMPLE, ENV, 'connectors.yaml');

  test('every connector, with ${ENV} substituted', () => {
    expect(registry.ids()).toEqual(['my-openai', 'edr-connector', 'pager', 'elasticsearch']);
    expect(registry.get('my-openai')).toMatchObject({
      type: 'openai',
      url: 'https://api.openai.com/v1',
      apiKey: 'sk-test-openai-123456',
      model: 'gpt-4o-mini',
      maxInputTokens: 8000,
      maxRetries: 2,
      retryDelayMs: 500,
    });
    expect(registry.get('edr-connector')).toMatchObject({
      type: 'http',
      url: 'https://edr.example.com',
      headers: { Authorization: 'Bearer edr-secret-token-42' },
      targetUrl: 'http://127.0.0.1:9100',
    });
    expect(registry.get('elasticsearch')).toMatchObject({ type: 'elasticsearch', url: 'http://127.0.0.1:9200', apiKey: 'es-api-key-abcdef', maxRetries: 0 });
    expect(registry.get('nope')).toBeUndefined();
  });

  test('describe() is what validateWorkflow takes', () => {
    expect(registry.describe()).toEqual({
      'my-openai': { type: 'openai' },
      'edr-connector': { type: 'http' },
      pager: { type: 'http' },
      elasticsearch: { type: 'elasticsearch' },
    });
  });

  test('redact() replaces every secret, in strings, nested values and keys', () => {
    const leaked = {
      message: 'sent Authorization: Bearer edr-secret-token-42 and key sk-test-openai-123456',
      nested: [{ auth: 'ApiKey es-api-key-abcdef' }, 'pager-secret-99'],
      'edr-secret-token-42': 1,
      encoded: `?token=${encodeURIComponent('edr-secret-token-42')}`,
      number: 42,
      nothing: null,
    };
    const clean = registry.redact(leaked);
    const text = JSON.stringify(clean);
    for (const secret of Object.values(ENV)) expect(text).not.toContain(secret);
    expect(clean.message).toBe('sent Authorization: [REDACTED] and key [REDACTED]');
    expect(clean.nested).toEqual([{ auth: '[REDACTED]' }, '[REDACTED]']);
    expect(clean.number).toBe(42);
    expect(clean.nothing).toBeNull();
    expect(leaked.message).toContain('edr-secret-token-42'); // the input is not modified
    expect(registry.redact('no secret here')).toBe('no secret here');
  });

  test('redactError() redacts message and details and keeps type and retryable', () => {
    const err = registry.redactError(Object.assign(new Error('boom with ApiKey es-api-key-abcdef'), {}));
    expect(err.message).toBe('boom with [REDACTED]');
  });

  test('require() checks the type', () => {
    expect(registry.require('pager', 'http', 'http').url).toBe('https://pager.example.com');
    expect(() => registry.require('pager', 'openai', 'ai.classify')).toThrow('ai.classify: connector "pager" is of type http');
    expect(() => registry.require('ghost', 'http', 'http')).toThrow('http: connector "ghost" is not configured');
  });
});

describe('parseConnectors: errors are one line naming the connector and the field', () => {
  const one = (body: string, env: Record<string, string> = ENV) => errorOf(() => parseConnectors(`connectors:\n${body}`, env, 'conf/connectors.yaml'));

  test('a relative or non-http url', () => {
    expect(one('  edr-connector:\n    type: http\n    url: edr.example.com\n')).toBe('conf/connectors.yaml: connector "edr-connector": url: expected an absolute http(s) URL');
    expect(one('  edr-connector:\n    type: http\n    url: ftp://edr.example.com\n')).toBe('conf/connectors.yaml: connector "edr-connector": url: expected an absolute http(s) URL');
  });

  test('a missing environment variable', () => {
    expect(one('  edr-connector:\n    type: http\n    url: https://edr.example.com\n    headers: { Authorization: "Bearer ${EDR_TOKEN}" }\n', {})).toBe(
      'conf/connectors.yaml: connector "edr-connector": headers.Authorization: environment variable EDR_TOKEN is not set',
    );
    expect(one('  my-openai:\n    type: openai\n    url: https://api.openai.com/v1\n    apiKey: ${OPENAI_API_KEY}\n    model: m\n', {})).toBe(
      'conf/connectors.yaml: connector "my-openai": apiKey: environment variable OPENAI_API_KEY is not set',
    );
    expect(one('  x:\n    type: http\n    url: ${BASE_URL}\n', {})).toBe('conf/connectors.yaml: connector "x": url: environment variable BASE_URL is not set');
  });

  test('a variable that is set but empty leaves an empty field', () => {
    expect(one('  my-openai:\n    type: openai\n    url: https://api.openai.com/v1\n    apiKey: ${OPENAI_API_KEY}\n    model: m\n', { OPENAI_API_KEY: '' })).toBe(
      'conf/connectors.yaml: connector "my-openai": apiKey: is empty (after substituting "${OPENAI_API_KEY}")',
    );
  });

  test('type: missing, unknown', () => {
    expect(one('  x:\n    url: https://a.example\n')).toBe('conf/connectors.yaml: connector "x": type: is required (one of http, elasticsearch, openai, kibana, slack, slack_api, email)');
    expect(one('  x:\n    type: pagerduty\n    url: https://a.example\n')).toBe(
      'conf/connectors.yaml: connector "x": type: unknown connector type "pagerduty" (expected one of http, elasticsearch, openai, kibana, slack, slack_api, email)',
    );
  });

  test('unknown and missing fields', () => {
    expect(one('  x:\n    type: http\n    url: https://a.example\n    apikey: k\n')).toMatch(/^conf\/connectors\.yaml: connector "x": apikey: unknown field for a connector of type http/);
    expect(one('  x:\n    type: http\n')).toBe('conf/connectors.yaml: connector "x": url: is required');
    expect(one('  ai:\n    type: openai\n    url: https://api.openai.com/v1\n')).toBe('conf/connectors.yaml: connector "ai": model: is required');
  });

  test('targetUrl must be an origin; urls carry no credentials, query or fragment', () => {
    expect(one('  x:\n    type: http\n    url: https://a.example\n    targetUrl: http://127.0.0.1:9100/path\n')).toMatch(/connector "x": targetUrl: expected an origin only/);
    expect(one('  x:\n    type: http\n    url: https://user:pw@a.example\n')).toMatch(/connector "x": url: must not contain credentials/);
    expect(one('  x:\n    type: http\n    url: https://a.example/?token=1\n')).toBe('conf/connectors.yaml: connector "x": url: must not have a query or a fragment');
  });

  test('headers: not a mapping, CR/LF, reserved names', () => {
    expect(one('  x:\n    type: http\n    url: https://a.example\n    headers: [a]\n')).toMatch(/connector "x": headers: expected a mapping/);
    expect(one('  x:\n    type: http\n    url: https://a.example\n    headers: { X-Token: "${T}" }\n', { T: 'a\r\nInjected: yes' })).toMatch(
      /connector "x": headers.X-Token: contains a character not allowed/,
    );
    expect(one('  x:\n    type: http\n    url: https://a.example\n    headers: { Host: other.example }\n')).toMatch(/connector "x": headers.Host: cannot be set by a connector/);
  });

  test('elasticsearch credentials: apiKey or username/password', () => {
    expect(one('  es:\n    type: elasticsearch\n    url: http://127.0.0.1:9200\n    username: elastic\n')).toBe('conf/connectors.yaml: connector "es": password: is required with username');
    expect(one('  es:\n    type: elasticsearch\n    url: http://127.0.0.1:9200\n    apiKey: k12345\n    username: u\n    password: p\n')).toMatch(/connector "es": apiKey: set either apiKey or username\/password/);
  });

  test('numbers and durations', () => {
    expect(one('  ai:\n    type: openai\n    url: https://a.example/v1\n    model: m\n    maxInputTokens: 0\n')).toMatch(/connector "ai": maxInputTokens: expected an integer ≥ 1/);
    expect(one('  ai:\n    type: openai\n    url: https://a.example/v1\n    model: m\n    retryDelay: soon\n')).toMatch(/connector "ai": retryDelay: expected a duration/);
    const r = parseConnectors('connectors:\n  ai:\n    type: openai\n    url: https://a.example/v1\n    model: m\n    maxInputTokens: 100\n    maxRetries: 5\n    retryDelay: 20ms\n', {});
    expect(r.get('ai')).toMatchObject({ maxInputTokens: 100, maxRetries: 5, retryDelayMs: 20 });
  });

  test('invalid connector ids and file shapes', () => {
    expect(one('  "bad id":\n    type: http\n    url: https://a.example\n')).toMatch(/connector "bad id": is not a valid connector id/);
    expect(errorOf(() => parseConnectors('', {}, 'c.yaml'))).toBe('c.yaml: expected a mapping with a "connectors" key (the file is empty)');
    expect(errorOf(() => parseConnectors('conectors: {}\n', {}, 'c.yaml'))).toBe('c.yaml: unknown top-level key "conectors" (expected "connectors")');
    expect(errorOf(() => parseConnectors('connectors: [a]\n', {}, 'c.yaml'))).toMatch(/^c\.yaml: connectors: expected a mapping of connector ids/);
    expect(errorOf(() => parseConnectors('connectors:\n  a: {type: http\n', {}, 'c.yaml'))).toMatch(/^c\.yaml:\d+:\d+: /);
    expect(parseConnectors('connectors:\n', {}).ids()).toEqual([]);
  });
});

describe('loadConnectorsFile', () => {
  test('reads a file; errors name the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowgate-connectors-'));
    const file = join(dir, 'connectors.yaml');
    writeFileSync(file, SPEC_EXAMPLE);
    expect(loadConnectorsFile(file, ENV).ids()).toHaveLength(4);
    expect(errorOf(() => loadConnectorsFile(file, {}))).toBe(`${file}: connector "my-openai": apiKey: environment variable OPENAI_API_KEY is not set`);
    expect(errorOf(() => loadConnectorsFile(join(dir, 'missing.yaml'), ENV))).toBe(`${join(dir, 'missing.yaml')}: cannot read the connectors file (ENOENT)`);
  });
});

describe('substituteEnv', () => {
  test('references, escapes and malformed references', () => {
    expect(substituteEnv('Bearer ${T}', { T: 'x' })).toBe('Bearer x');
    expect(substituteEnv('${A}-${B}', { A: '1', B: '2' })).toBe('1-2');
    expect(substituteEnv('literal $${T}', { T: 'x' })).toBe('literal ${T}');
    expect(substituteEnv('no refs $HOME', {})).toBe('no refs $HOME');
    expect(() => substituteEnv('${A B}', {})).toThrow('is not a valid environment variable reference');
    expect(() => substituteEnv('${A', {})).toThrow('unterminated');
  });
});

describe('Redactor', () => {
  test('short values are not secrets; longest secrets go first', () => {
    const r = new Redactor(['abc', 'token-123456', 'Bearer token-123456']);
    expect(r.redactString('abc Bearer token-123456 token-123456')).toBe('abc [REDACTED] [REDACTED]');
  });

  test('public connector headers (Content-Type, Accept) are not secrets', () => {
    const reg = parseConnectors('connectors:\n  x:\n    type: http\n    url: https://a.example\n    headers: { Accept: application/json, X-Api-Key: k-0123456789 }\n', {});
    expect(reg.redact({ 'content-type': 'application/json', echo: 'k-0123456789' })).toEqual({ 'content-type': 'application/json', echo: '[REDACTED]' });
  });

  test('basic credentials of an elasticsearch connector are redacted in base64 too', () => {
    const reg = parseConnectors('connectors:\n  es:\n    type: elasticsearch\n    url: http://127.0.0.1:9200\n    username: elastic\n    password: changeme-please\n', {});
    const basic = Buffer.from('elastic:changeme-please').toString('base64');
    expect(reg.redact(`Authorization: Basic ${basic} / changeme-please`)).toBe('Authorization: Basic [REDACTED] / [REDACTED]');
  });
});
