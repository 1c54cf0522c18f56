/**
 * The `elasticsearch.*` steps (docs/workflows.md "Built-in step types"), called through run() with a hand-made StepRunContext,
 * through the REAL official @elastic/elasticsearch client (v8) against the Elasticsearch stand-in
 * of test/fixtures (a loopback server speaking the REST protocol, with the x-elastic-product header
 * the client checks). Covers search (the reference case's term query on host.name), index,
 * request, esql.query, other APIs by dotted path, the refused client members, the default
 * `elasticsearch` connector, targetUrl, and error mapping (connection refused → retryable).
 */
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { elasticsearchStep } from '../src/types/elasticsearch';
import { startElasticsearchServer, type ElasticsearchServer } from '../../../test/fixtures/elasticsearch-server';
import { listen } from '../../../test/fixtures/http-util';
import { makeCtx, outputOf, services, stepErrorOf } from './connector-helpers';

const API_KEY = 'es-test-api-key-0123456789';

let es: ElasticsearchServer;
let registry: ConnectorRegistry;
let closedPort: number;

beforeAll(async () => {
  es = await startElasticsearchServer({ apiKey: API_KEY });
  const tmp = await listen(undefined, () => undefined);
  closedPort = tmp.port;
  await tmp.close();
  registry = parseConnectors(
    [
      'connectors:',
      '  elasticsearch:',
      '    type: elasticsearch',
      `    url: ${es.url}`,
      '    apiKey: ${ES_API_KEY}',
      '  cloud:',
      '    type: elasticsearch',
      '    url: https://my-deployment.es.us-east-1.aws.elastic.cloud',
      '    apiKey: ${ES_API_KEY}',
      `    targetUrl: ${es.url}`,
      '  down:',
      '    type: elasticsearch',
      `    url: http://127.0.0.1:${closedPort}`,
      '  wrongkey:',
      '    type: elasticsearch',
      `    url: ${es.url}`,
      '    apiKey: not-the-right-key',
      '  web:',
      '    type: http',
      '    url: https://example.com',
      '',
    ].join('\n'),
    { ES_API_KEY: API_KEY },
  );
});

afterAll(async () => {
  await registry.close();
  await es.close();
});

const run = (type: string, input: Record<string, unknown>, opts: Parameters<typeof makeCtx>[2] = {}, reg: ConnectorRegistry | null = registry) =>
  elasticsearchStep.run(makeCtx(type, input, opts), services(reg ? { connectors: reg } : {}));

describe('elasticsearch.search', () => {
  test('the reference case: term on host.name over logs-*, default connector, API key sent', async () => {
    const out = outputOf(await run('elasticsearch.search', { index: 'logs-*', query: { term: { 'host.name': 'srv-web-01' } } }));
    expect(out.hits.total.value).toBe(3);
    expect(out.hits.hits).toHaveLength(3);
    for (const hit of out.hits.hits) expect(hit._source.host.name).toBe('srv-web-01');
    expect(JSON.stringify(out.hits.hits)).toContain('mimikatz');
    const req = es.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/logs-*/_search');
    expect(req.headers.authorization).toBe(`ApiKey ${API_KEY}`);
    expect(req.body).toEqual({ query: { term: { 'host.name': 'srv-web-01' } } });
  });

  test('a host without logs: no hits', async () => {
    const out = outputOf(await run('elasticsearch.search', { index: 'logs-*', query: { term: { 'host.name': 'unknown-host' } } }));
    expect(out.hits.hits).toEqual([]);
  });

  test('size, sort, _source and aggs are passed through', async () => {
    const out = outputOf(
      await run('elasticsearch.search', {
        index: 'logs-*',
        query: { match_all: {} },
        size: 1,
        sort: [{ '@timestamp': { order: 'desc' } }],
        _source: ['host', '@timestamp'],
        aggs: { hosts: { terms: { field: 'host.name' } } },
      }),
    );
    expect(out.hits.hits).toHaveLength(1);
    expect(Object.keys(out.hits.hits[0]._source).sort()).toEqual(['@timestamp', 'host']);
    expect(out.aggregations.hosts.buckets).toEqual([
      { key: 'srv-web-01', doc_count: 3 },
      { key: 'wks-042', doc_count: 2 },
    ]);
    expect(es.requests.at(-1)!.body).toMatchObject({ size: 1, _source: ['host', '@timestamp'] });
  });

  test('an unknown concrete index: 404 → http_error, not retryable, with the Elasticsearch reason', async () => {
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'nope', query: { match_all: {} } }));
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('elasticsearch.search: Elasticsearch answered 404: index_not_found_exception: no such index [nope]');
    expect(err.details).toEqual({ status: 404, type: 'index_not_found_exception', reason: 'no such index [nope]' });
  });
});

describe('elasticsearch.index, request, esql.query and other APIs by dotted path', () => {
  test('index then get the document back', async () => {
    const out = outputOf(await run('elasticsearch.index', { index: 'flowgate-decisions', id: 'exec-1', document: { host: 'srv-web-01', approved: true } }));
    expect(out).toMatchObject({ _index: 'flowgate-decisions', _id: 'exec-1', result: 'created' });
    expect(es.requests.at(-1)!.method).toBe('PUT');
    expect(es.requests.at(-1)!.path).toBe('/flowgate-decisions/_doc/exec-1');
    const got = outputOf(await run('elasticsearch.get', { index: 'flowgate-decisions', id: 'exec-1' }));
    expect(got._source).toEqual({ host: 'srv-web-01', approved: true });
  });

  test('index without id lets the server choose one', async () => {
    const out = outputOf(await run('elasticsearch.index', { index: 'flowgate-decisions', document: { a: 1 } }));
    expect(out.result).toBe('created');
    expect(typeof out._id).toBe('string');
  });

  test('index needs index and document', async () => {
    expect((await stepErrorOf(run('elasticsearch.index', { document: { a: 1 } }))).type).toBe('validation_error');
    expect((await stepErrorOf(run('elasticsearch.index', { index: 'x', document: 'text' }))).type).toBe('validation_error');
  });

  test('request: method, path, body, query through client.transport.request', async () => {
    const out = outputOf(await run('elasticsearch.request', { method: 'POST', path: '/logs-*/_count', body: { query: { term: { 'host.name': 'wks-042' } } }, query: { ignore_unavailable: true } }));
    expect(out.count).toBe(2);
    const req = es.requests.at(-1)!;
    expect(req.url).toBe('/logs-*/_count?ignore_unavailable=true');
    expect(req.headers.authorization).toBe(`ApiKey ${API_KEY}`);
    const info = outputOf(await run('elasticsearch.request', { path: '/' }));
    expect(info.tagline).toBe('You Know, for Search');
  });

  test('request refuses a URL as path', async () => {
    expect((await stepErrorOf(run('elasticsearch.request', { path: 'http://evil.example/' }))).type).toBe('validation_error');
  });

  test('esql.query', async () => {
    const out = outputOf(await run('elasticsearch.esql.query', { query: 'FROM logs-* | WHERE host.name == "srv-web-01" | KEEP host.name, process.name | LIMIT 2' }));
    expect(out.columns).toEqual([
      { name: 'host.name', type: 'keyword' },
      { name: 'process.name', type: 'keyword' },
    ]);
    expect(out.values).toEqual([
      ['srv-web-01', 'mimikatz.exe'],
      ['srv-web-01', 'powershell.exe'],
    ]);
    expect(es.requests.at(-1)!.path).toBe('/_query');
  });

  test('indices.create, indices.exists, count, bulk', async () => {
    expect(outputOf(await run('elasticsearch.indices.create', { index: 'flowgate-new' }))).toMatchObject({ acknowledged: true, index: 'flowgate-new' });
    expect(es.requests.at(-1)!.method).toBe('PUT');
    expect(outputOf(await run('elasticsearch.indices.exists', { index: 'flowgate-new' }))).toBe(true);
    const again = await stepErrorOf(run('elasticsearch.indices.create', { index: 'flowgate-new' }));
    expect(again.message).toMatch(/400: resource_already_exists_exception/);
    const bulk = outputOf(
      await run('elasticsearch.bulk', {
        operations: [{ index: { _index: 'flowgate-new', _id: 'b1' } }, { n: 1 }, { index: { _index: 'flowgate-new', _id: 'b2' } }, { n: 2 }],
      }),
    );
    expect(bulk.errors).toBe(false);
    expect(outputOf(await run('elasticsearch.count', { index: 'flowgate-new' })).count).toBe(2);
  });

  test.each(['transport', 'transport.request', 'close', 'helpers.search', 'child', 'extend', 'diagnostic', 'connectionPool', 'indices.transport.connectionPool.empty', 'indices.transport.request', 'cat.helpers.search'])(
    'elasticsearch.%s is refused',
    async (api) => {
      const before = es.requests.length;
      const err = await stepErrorOf(run(`elasticsearch.${api}`, {}));
      expect(err.type).toBe('configuration_error');
      expect(err.retryable).toBe(false);
      expect(es.requests.length).toBe(before);
    },
  );

  test.each(['noSuchApi', 'indices.nope', 'constructor', 'search.call', 'indices.__proto__', 'name'])('elasticsearch.%s is not an API', async (api) => {
    const err = await stepErrorOf(run(`elasticsearch.${api}`, {}));
    expect(err.type).toBe('configuration_error');
    expect(err.message).toMatch(/is not an API of the Elasticsearch client/);
  });
});

describe('connectors and errors', () => {
  test('targetUrl: an Elastic Cloud URL served by the stand-in, Host kept', async () => {
    const out = outputOf(await run('elasticsearch.search', { index: 'logs-*', query: { term: { 'host.name': 'wks-042' } } }, { connectorId: 'cloud' }));
    expect(out.hits.total.value).toBe(2);
    expect(es.requests.at(-1)!.headers.host).toBe('my-deployment.es.us-east-1.aws.elastic.cloud');
  });

  test('connection refused → retryable network error with a clear message', async () => {
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'logs-*' }, { connectorId: 'down' }));
    expect(err.type).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`elasticsearch.search: cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
  });

  test('a 401 is not retryable and the key never shows', async () => {
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'logs-*' }, { connectorId: 'wrongkey' }));
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/401: security_exception/);
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('not-the-right-key');
  });

  test('no default connector, wrong connector type', async () => {
    const empty = parseConnectors('connectors:\n', {});
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'x' }, {}, empty));
    expect(err.type).toBe('configuration_error');
    expect(err.message).toMatch(/no connector named "elasticsearch" is configured/);
    expect((await stepErrorOf(run('elasticsearch.search', { index: 'x' }, {}, null))).type).toBe('configuration_error');
    expect((await stepErrorOf(run('elasticsearch.search', { index: 'x' }, { connectorId: 'web' }))).message).toMatch(/is of type http/);
  });

  test('a response over max-step-size fails size_exceeded', async () => {
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'logs-*', query: { match_all: {} } }, { maxStepSize: 300 }));
    expect(err.type).toBe('size_exceeded');
    expect(err.retryable).toBe(false);
  });

  test('a chunked answer (no content-length) over max-step-size stops being read', async () => {
    const big = await listen(undefined, (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.write('{"hits":{"hits":[');
      for (let i = 0; i < 200; i++) res.write(`${i ? ',' : ''}{"_id":"${i}","_source":{"message":"${'m'.repeat(500)}"}}`);
      res.end(']}}');
    });
    const reg = parseConnectors(`connectors:\n  elasticsearch:\n    type: elasticsearch\n    url: http://127.0.0.1:${big.port}\n`, {});
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'logs-*' }, { maxStepSize: 10_000 }, reg));
    expect(err.type).toBe('size_exceeded');
    expect(outputOf(await run('elasticsearch.search', { index: 'logs-*' }, { maxStepSize: 1_000_000 }, reg)).hits.hits).toHaveLength(200);
    await reg.close();
    await big.close();
  });

  test('the step signal aborts the request', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await stepErrorOf(run('elasticsearch.search', { index: 'logs-*' }, { signal: controller.signal }));
    expect(err.type).toBe('cancelled');
  });
});
