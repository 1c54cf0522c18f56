/**
 * The `http` step (docs/workflows.md "Built-in step types", docs/connectors.md), called through its run() with a hand-made StepRunContext, against
 * REAL loopback servers over real connections (undici): the EDR stand-in of test/fixtures behind a
 * connector with targetUrl, and a playground server defined here (echo, redirects, big and slow
 * bodies, error statuses). Covers the URL rules, the origin check, targetUrl keeping Host, the
 * no-connector allowlist and SSRF refusals (literal IPs, and host names resolving to non-public
 * addresses), redirects, the size cap, timeouts, Idempotency-Key, connector headers and redaction.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeGuardedDispatchers, guardedDispatcher, httpCall, parseConnectors, type ConnectorRegistry, type Resolver } from '@flowgate/connectors';
import { StepError } from '@flowgate/engine';
import { httpStep } from '../src/types/http';
import { startEdrServer, type EdrServer } from '../../../test/fixtures/edr-server';
import { listen, readRequest, sendJson } from '../../../test/fixtures/http-util';
import { makeCtx, outputOf, services, stepErrorOf } from './connector-helpers';

const EDR_TOKEN = 'edr-secret-token-0123456789';
const PLAY_TOKEN = 'play-secret-abcdef123456';

/** A server with the behaviours the http step must cope with. */
async function startPlayground() {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; text: string }[] = [];
  const l = await listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
    const r = await readRequest(req);
    seen.push({ method: r.method, url: r.url, headers: r.headers, text: r.text });
    const p = r.path;
    let m: RegExpExecArray | null;
    if (p.endsWith('/echo')) return sendJson(res, 200, { method: r.method, url: r.url, headers: r.headers, body: r.body });
    if (p === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain text');
    }
    if (p === '/redirect') {
      res.writeHead(Number(r.query.status ?? 302), { location: r.query.to });
      return res.end();
    }
    if ((m = /^\/chain\/(\d+)$/.exec(p))) {
      const n = Number(m[1]);
      if (n === 0) return sendJson(res, 200, { done: true });
      res.writeHead(302, { location: `/chain/${n - 1}` });
      return res.end();
    }
    if (p === '/big') {
      // chunked: no content-length, so only counting stops it
      res.writeHead(200, { 'content-type': 'text/plain' });
      const total = Number(r.query.bytes);
      let sent = 0;
      const chunk = 'x'.repeat(1000);
      const write = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', write);
        }
        res.end();
      };
      return write();
    }
    if (p === '/big-declared') {
      const body = 'y'.repeat(Number(r.query.bytes));
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      return res.end(body);
    }
    if (p === '/slow') {
      const t = setTimeout(() => sendJson(res, 200, { slow: true }), 3000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if ((m = /^\/status\/(\d+)$/.exec(p))) {
      const text = `failure with ${r.headers.authorization ?? ''} ${'z'.repeat(2000)}`;
      res.writeHead(Number(m[1]), { 'content-type': 'text/plain' });
      return res.end(text);
    }
    sendJson(res, 404, { error: 'no route' });
  });
  return { ...l, url: `http://127.0.0.1:${l.port}`, seen };
}

let edr: EdrServer;
let play: Awaited<ReturnType<typeof startPlayground>>;
let registry: ConnectorRegistry;
let closedPort: number;

beforeAll(async () => {
  edr = await startEdrServer();
  play = await startPlayground();
  const tmp = await listen(undefined, () => undefined);
  closedPort = tmp.port;
  await tmp.close();
  registry = parseConnectors(
    [
      'connectors:',
      '  edr-connector:',
      '    type: http',
      '    url: https://edr.example.com',
      '    headers: { Authorization: "Bearer ${EDR_TOKEN}" }',
      `    targetUrl: ${edr.url}`,
      '  play:',
      '    type: http',
      `    url: ${play.url}/api`,
      '    headers: { Authorization: "Bearer ${PLAY_TOKEN}", X-Tenant: acme-tenant-1 }',
      '  remote:',
      '    type: http',
      '    url: https://api.remote.test',
      '    headers: { X-Api-Key: "${PLAY_TOKEN}" }',
      `    targetUrl: ${play.url}`,
      '  down:',
      '    type: http',
      `    url: http://127.0.0.1:${closedPort}`,
      '  ai:',
      '    type: openai',
      '    url: https://api.openai.com/v1',
      '    model: m',
      '',
    ].join('\n'),
    { EDR_TOKEN, PLAY_TOKEN },
    'connectors.yaml',
  );
});

afterAll(async () => {
  await registry.close();
  await closeGuardedDispatchers();
  await edr.close();
  await play.close();
});

const run = (input: Record<string, unknown>, opts: Parameters<typeof makeCtx>[2] = {}, allowed: string[] = []) =>
  httpStep.run(makeCtx('http', input, opts), services({ connectors: registry, httpAllowedHosts: allowed }));

describe('through a connector with targetUrl (the reference case)', () => {
  test('isolate: the absolute URL on the connector origin reaches the target, Host stays the connector\'s', async () => {
    const out = outputOf(
      await run(
        { method: 'POST', url: 'https://edr.example.com/isolate', body: { host: 'srv-web-01', reason: 'Confirmed malicious' } },
        { connectorId: 'edr-connector', path: 'isolate', executionId: '01JEXECREFERENCE' },
      ),
    );
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ status: 'isolated', host: 'srv-web-01' });
    expect(out.headers['content-type']).toBe('application/json');
    const req = edr.isolations.at(-1)!;
    expect(req.headers.host).toBe('edr.example.com');
    expect(req.headers.authorization).toBe(`Bearer ${EDR_TOKEN}`);
    expect(req.headers['idempotency-key']).toBe('01JEXECREFERENCE:isolate');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({ host: 'srv-web-01', reason: 'Confirmed malicious' });
  });

  test('a relative URL joins the connector url', async () => {
    const out = outputOf(await run({ method: 'POST', url: '/isolate', body: { host: 'h1' } }, { connectorId: 'edr-connector' }));
    expect(out.body.host).toBe('h1');
    expect(edr.requests.at(-1)!.path).toBe('/isolate');
  });

  test('an absolute URL on another origin fails url_not_allowed, and nothing is sent', async () => {
    const before = edr.requests.length;
    for (const url of ['https://evil.example.com/isolate', 'http://edr.example.com/isolate', 'https://edr.example.com:444/isolate']) {
      const err = await stepErrorOf(run({ method: 'POST', url, body: {} }, { connectorId: 'edr-connector' }));
      expect(err.type).toBe('url_not_allowed');
      expect(err.retryable).toBe(false);
    }
    expect(edr.requests.length).toBe(before);
  });

  test('a 500 from the EDR fails retryable with the status; the next attempt succeeds', async () => {
    edr.failNext(1, 500);
    const err = await stepErrorOf(run({ method: 'POST', url: '/isolate', body: { host: 'h2' } }, { connectorId: 'edr-connector' }));
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ status: 500 });
    expect(outputOf(await run({ method: 'POST', url: '/isolate', body: { host: 'h2' } }, { connectorId: 'edr-connector' })).status).toBe(200);
  });
});

describe('headers and Idempotency-Key', () => {
  test('connector headers win over step headers; Idempotency-Key is always Flowgate\'s; secrets never reach the output', async () => {
    const out = outputOf(
      await run(
        {
          url: 'echo',
          headers: { authorization: 'Bearer step-supplied', 'x-tenant': 'other', 'Idempotency-Key': 'mine', 'X-Step': 'kept', Host: 'ignored.example' },
        },
        { connectorId: 'play', path: 'hosts[2]/call', executionId: 'EXEC1' },
      ),
    );
    const seen = play.seen.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${PLAY_TOKEN}`);
    expect(seen.headers['x-tenant']).toBe('acme-tenant-1');
    expect(seen.headers['idempotency-key']).toBe('EXEC1:hosts[2]/call');
    expect(seen.headers['x-step']).toBe('kept');
    expect(seen.headers.host).toBe(`127.0.0.1:${play.port}`);
    // The server echoed the headers back: the connector's secrets are redacted from the output.
    const text = JSON.stringify(out);
    expect(text).not.toContain(PLAY_TOKEN);
    expect(text).not.toContain('acme-tenant-1');
    expect(out.body.headers.authorization).toBe('[REDACTED]');
    expect(out.body.headers['x-step']).toBe('kept');
  });

  test('targetUrl keeps the connector Host (api.remote.test) while connecting to the target', async () => {
    const out = outputOf(await run({ url: 'https://api.remote.test/echo?q=1' }, { connectorId: 'remote' }));
    expect(out.status).toBe(200);
    expect(play.seen.at(-1)!.headers.host).toBe('api.remote.test');
    expect(play.seen.at(-1)!.headers['x-api-key']).toBe(PLAY_TOKEN);
    expect(out.body.url).toBe('/echo?q=1');
  });

  test('a header value with CR/LF (e.g. from an alert field) fails validation, nothing is sent', async () => {
    const before = play.seen.length;
    const err = await stepErrorOf(run({ url: 'echo', headers: { 'X-Host': 'a\r\nInjected: 1' } }, { connectorId: 'play' }));
    expect(err.type).toBe('validation_error');
    expect(play.seen.length).toBe(before);
  });
});

describe('request and response shapes', () => {
  test('body object → JSON, query → search params, method default GET', async () => {
    const out = outputOf(await run({ method: 'put', url: '/echo?x=0', query: { a: 1, b: ['p', 'q'], skip: null }, body: { n: 1, list: [true] } }, { connectorId: 'play' }));
    expect(out.body.method).toBe('PUT');
    expect(out.body.url).toBe('/api/echo?x=0&a=1&b=p&b=q');
    expect(out.body.headers['content-type']).toBe('application/json');
    expect(out.body.body).toEqual({ n: 1, list: [true] });
    const get = outputOf(await run({ url: 'echo' }, { connectorId: 'play' }));
    expect(get.body.method).toBe('GET');
  });

  test('a string body is sent as is; a non-JSON answer is text', async () => {
    await run({ method: 'POST', url: 'echo', body: 'hello' }, { connectorId: 'play' });
    expect(play.seen.at(-1)!.text).toBe('hello');
    expect(play.seen.at(-1)!.headers['content-type']).toBe('text/plain; charset=utf-8');
    const text = outputOf(await run({ url: `${play.url}/text` }, { connectorId: 'play' }));
    expect(text).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'text/plain' }), body: 'plain text' });
  });

  test.each([
    [503, true],
    [500, true],
    [429, true],
    [408, true],
    [404, false],
    [400, false],
    [401, false],
  ])('status %i fails http_error, retryable %s, with a redacted excerpt of ≤ 500 characters', async (status, retryable) => {
    const err = await stepErrorOf(run({ url: `/status/${status}` }, { connectorId: 'remote' }));
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(retryable);
    const details = err.details as { status: number; body: string };
    expect(details.status).toBe(status);
    expect(details.body.length).toBeLessThanOrEqual(501);
    expect(err.message).toContain(`answered ${status}`);
    expect(JSON.stringify(err.details) + err.message).not.toContain(PLAY_TOKEN);
  });
});

describe('redirects (at most 5, same origin only, remapped through targetUrl)', () => {
  test('same-origin redirects are followed with the connector Host', async () => {
    const out = outputOf(await run({ url: '/redirect?to=/echo' }, { connectorId: 'remote' }));
    expect(out.status).toBe(200);
    expect(out.body.url).toBe('/echo');
    expect(play.seen.at(-1)!.headers.host).toBe('api.remote.test');
    expect(play.seen.at(-1)!.headers['idempotency-key']).toBeDefined();
  });

  test('a redirect to the target\'s own address is the same server', async () => {
    const out = outputOf(await run({ url: `/redirect?to=${encodeURIComponent(`${play.url}/echo`)}` }, { connectorId: 'remote' }));
    expect(out.body.url).toBe('/echo');
    expect(play.seen.at(-1)!.headers.host).toBe('api.remote.test');
  });

  test('303 after POST becomes GET without body', async () => {
    const out = outputOf(await run({ method: 'POST', url: '/redirect?status=303&to=/echo', body: { a: 1 } }, { connectorId: 'remote' }));
    expect(out.body.method).toBe('GET');
    expect(out.body.body).toBeNull();
  });

  test('5 redirects pass, 6 fail', async () => {
    expect(outputOf(await run({ url: '/chain/5' }, { connectorId: 'remote' })).body).toEqual({ done: true });
    const err = await stepErrorOf(run({ url: '/chain/6' }, { connectorId: 'remote' }));
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(err.retryable).toBe(false);
  });

  test('a redirect to another origin is refused (url_not_allowed)', async () => {
    const before = edr.requests.length;
    const err = await stepErrorOf(run({ url: `/redirect?to=${encodeURIComponent(`${edr.url}/isolate`)}` }, { connectorId: 'remote' }));
    expect(err.type).toBe('url_not_allowed');
    expect(edr.requests.length).toBe(before);
  });
});

describe('size cap, timeouts, network errors', () => {
  test('a chunked body over max-step-size stops reading and fails size_exceeded', async () => {
    const err = await stepErrorOf(run({ url: '/big?bytes=200000' }, { connectorId: 'remote', maxStepSize: 10_000 }));
    expect(err.type).toBe('size_exceeded');
    expect(err.retryable).toBe(false);
    expect(outputOf(await run({ url: '/big?bytes=5000' }, { connectorId: 'remote', maxStepSize: 10_000 })).body).toHaveLength(5000);
  });

  test('a declared content-length over max-step-size fails at once', async () => {
    const err = await stepErrorOf(run({ url: '/big-declared?bytes=50000' }, { connectorId: 'remote', maxStepSize: 10_000 }));
    expect(err.type).toBe('size_exceeded');
    expect(err.message).toContain('50000 bytes');
  });

  test('the step timeout (ctx.signal) aborts the request with its retryable timeout error', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new StepError('timeout', 'step "call" timed out after 150 ms', { retryable: true })), 150);
    const err = await stepErrorOf(run({ url: '/slow' }, { connectorId: 'remote', signal: controller.signal }));
    expect(err.type).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe('step "call" timed out after 150 ms');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  test('a cancel (abort without a StepError reason) fails cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await stepErrorOf(run({ url: '/slow' }, { connectorId: 'remote', signal: controller.signal }));
    expect(err.type).toBe('cancelled');
  });

  test('connection refused is a retryable network error', async () => {
    const err = await stepErrorOf(run({ url: '/x' }, { connectorId: 'down' }));
    expect(err.type).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`http: cannot reach http://127.0.0.1:${closedPort} (ECONNREFUSED)`);
  });
});

describe('connector problems', () => {
  test('unknown connector, wrong type', async () => {
    expect((await stepErrorOf(run({ url: '/x' }, { connectorId: 'ghost' }))).message).toBe('http: connector "ghost" is not configured');
    const err = await stepErrorOf(run({ url: '/x' }, { connectorId: 'ai' }));
    expect(err.type).toBe('configuration_error');
    expect(err.message).toMatch(/is of type openai/);
  });

  test('no registry at all (no FLOWGATE_CONNECTORS): connector-id fails configuration_error', async () => {
    const err = await stepErrorOf(httpStep.run(makeCtx('http', { url: '/x' }, { connectorId: 'edr-connector' }), services({})));
    expect(err.type).toBe('configuration_error');
  });
});

describe('without connector-id: FLOWGATE_HTTP_ALLOWED_HOSTS and SSRF', () => {
  const port = () => play.port;

  test('no allowlist: nothing may be reached', async () => {
    const err = await stepErrorOf(run({ url: 'https://example.com/' }));
    expect(err.type).toBe('url_not_allowed');
    expect(err.message).toMatch(/not allowed/);
  });

  test('a relative URL needs a connector', async () => {
    expect((await stepErrorOf(run({ url: '/echo' }, {}, ['example.com']))).type).toBe('validation_error');
  });

  test('only http and https', async () => {
    expect((await stepErrorOf(run({ url: 'file:///etc/passwd' }, {}, ['*.example.com']))).type).toBe('url_not_allowed');
  });

  test.each([
    ['http://127.0.0.1:PORT/echo'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://10.0.0.8/admin'],
    ['http://[::1]:PORT/echo'],
    ['http://[::ffff:127.0.0.1]:PORT/echo'],
    ['http://0x7f000001:PORT/echo'],
  ])('%s is refused when its literal IP is not listed', async (url) => {
    const before = play.seen.length;
    const err = await stepErrorOf(run({ url: url.replace('PORT', String(port())) }, {}, ['*.example.com', 'api.example.org']));
    expect(err.type).toBe('url_not_allowed');
    expect(err.retryable).toBe(false);
    expect(play.seen.length).toBe(before);
  });

  test('an allowed host name that resolves to loopback (localhost) is refused', async () => {
    const before = play.seen.length;
    const err = await stepErrorOf(run({ url: `http://localhost:${port()}/echo` }, {}, ['localhost']));
    expect(err.type).toBe('url_not_allowed');
    expect(err.message).toMatch(/localhost resolves to .*(loopback)/);
    expect(play.seen.length).toBe(before);
  });

  test('... unless the literal IP is listed too', async () => {
    const out = outputOf(await run({ url: `http://localhost:${port()}/echo` }, {}, ['localhost', '127.0.0.1']));
    expect(out.status).toBe(200);
    expect(play.seen.at(-1)!.headers.host).toBe(`localhost:${port()}`);
  });

  test('a listed literal IP may be reached, and gets Idempotency-Key', async () => {
    const out = outputOf(await run({ url: `http://127.0.0.1:${port()}/echo` }, { path: 'notify', executionId: 'E2' }, [`127.0.0.1:${port()}`]));
    expect(out.status).toBe(200);
    expect(out.body.headers['idempotency-key']).toBe('E2:notify');
  });

  test('redirects stay on the origin without a connector too', async () => {
    const allowed = [`127.0.0.1:${port()}`];
    expect(outputOf(await run({ url: `http://127.0.0.1:${port()}/redirect?to=/echo` }, {}, allowed)).body.url).toBe('/echo');
    const err = await stepErrorOf(run({ url: `http://127.0.0.1:${port()}/redirect?to=${encodeURIComponent(`${edr.url}/isolate`)}` }, {}, allowed));
    expect(err.type).toBe('url_not_allowed');
  });

  describe('host names resolving to non-public addresses (a fake resolver, real connections)', () => {
    const resolver: Resolver = async (host) => {
      const table: Record<string, { address: string; family: number }[]> = {
        'metadata.test': [{ address: '169.254.169.254', family: 4 }],
        'intranet.test': [{ address: '10.1.2.3', family: 4 }],
        'sneaky.test': [
          { address: '::1', family: 6 },
          { address: '::ffff:127.0.0.1', family: 6 },
        ],
        'rebind.test': [{ address: '127.0.0.1', family: 4 }],
      };
      const hit = table[host];
      if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return hit;
    };
    const call = (url: string, allowed: string[]) =>
      httpCall(
        { allowedHosts: allowed, dispatcher: guardedDispatcher(allowed, resolver) },
        { url },
        { idempotencyKey: 'e:s', maxBodyBytes: 1e6 },
      );

    test.each(['metadata.test', 'intranet.test', 'sneaky.test', 'rebind.test'])('%s is refused', async (host) => {
      const before = play.seen.length;
      const err = await stepErrorOf(call(`http://${host}:${port()}/echo`, [host]));
      expect(err.type).toBe('url_not_allowed');
      expect(play.seen.length).toBe(before);
    });

    test('rebind.test → 127.0.0.1 is allowed once 127.0.0.1 is listed', async () => {
      const out = await call(`http://rebind.test:${port()}/echo`, ['rebind.test', '127.0.0.1']);
      expect(out.status).toBe(200);
      expect(play.seen.at(-1)!.headers.host).toBe(`rebind.test:${port()}`);
    });

    test('an unknown host is a retryable network error', async () => {
      const err = await stepErrorOf(call('http://nowhere.test/', ['nowhere.test']));
      expect(err.type).toBe('network');
      expect(err.retryable).toBe(true);
    });
  });
});
