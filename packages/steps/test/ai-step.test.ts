/**
 * The `ai.*` steps (docs/workflows.md "Built-in step types", docs/connectors.md), called through run() with a hand-made StepRunContext, through
 * the REAL official `openai` client (v4) against the OpenAI-compatible stand-in of test/fixtures (a
 * loopback server answering `POST /v1/chat/completions` like OpenAI, deterministically). Covers the
 * request (model, json_schema response_format, API key), classify (valid answer, unknown category →
 * fallback, unknown without fallback → fails), retries on 429/500 with backoff, truncation to the
 * token budget, summarize, prompt with and without a schema, targetUrl and errors.
 */
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { StepError } from '@flowgate/engine';
import { aiClassify, aiPrompt, aiSummarize } from '../src/types/ai';
import { startElasticsearchServer } from '../../../test/fixtures/elasticsearch-server';
import { startOpenAIServer, type OpenAIServer } from '../../../test/fixtures/openai-server';
import { listen } from '../../../test/fixtures/http-util';
import { makeCtx, outputOf, services, stepErrorOf } from './connector-helpers';

const API_KEY = 'sk-test-0123456789abcdef';
const CATEGORIES = ['confirmed_compromise', 'likely_benign', 'needs_review'];

let ai: OpenAIServer;
let registry: ConnectorRegistry;
let closedPort: number;
let maliciousHits: unknown[];

beforeAll(async () => {
  ai = await startOpenAIServer({ apiKey: API_KEY });
  const tmp = await listen(undefined, () => undefined);
  closedPort = tmp.port;
  await tmp.close();
  registry = parseConnectors(
    [
      'connectors:',
      '  my-openai:',
      '    type: openai',
      `    url: ${ai.url}`,
      '    apiKey: ${OPENAI_API_KEY}',
      '    model: gpt-4o-mini',
      '    retryDelay: 10ms',
      '  small:',
      '    type: openai',
      `    url: ${ai.url}`,
      '    apiKey: ${OPENAI_API_KEY}',
      '    model: small-model',
      '    maxInputTokens: 300',
      '    retryDelay: 10ms',
      '  noretry:',
      '    type: openai',
      `    url: ${ai.url}`,
      '    apiKey: ${OPENAI_API_KEY}',
      '    model: gpt-4o-mini',
      '    maxRetries: 0',
      '  remote:',
      '    type: openai',
      '    url: https://api.openai.com/v1',
      '    apiKey: ${OPENAI_API_KEY}',
      '    model: gpt-4o',
      `    targetUrl: http://127.0.0.1:${ai.port}`,
      '    retryDelay: 10ms',
      '  down:',
      '    type: openai',
      `    url: http://127.0.0.1:${closedPort}/v1`,
      '    apiKey: ${OPENAI_API_KEY}',
      '    model: m',
      '    maxRetries: 0',
      '',
    ].join('\n'),
    { OPENAI_API_KEY: API_KEY },
  );
  // Real log hits, as the reference case's investigate step returns them.
  const es = await startElasticsearchServer();
  const res = await fetch(`${es.url}/logs-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { term: { 'host.name': 'srv-web-01' } } }),
  });
  maliciousHits = ((await res.json()) as { hits: { hits: unknown[] } }).hits.hits;
  await es.close();
});

afterAll(async () => {
  await registry.close();
  await ai.close();
});

beforeEach(() => ai.configure({ unknownCategory: undefined, reply: undefined, failTimes: 0 }));

const classify = (input: Record<string, unknown>, opts: Parameters<typeof makeCtx>[2] = { connectorId: 'my-openai' }) =>
  aiClassify.run(makeCtx('ai.classify', input, opts), services({ connectors: registry }));

describe('ai.classify', () => {
  test('the reference case: log hits mentioning mimikatz → confirmed_compromise with a rationale', async () => {
    const out = outputOf(await classify({ input: maliciousHits, categories: CATEGORIES, includeRationale: true }));
    expect(out.category).toBe('confirmed_compromise');
    expect(out.rationale).toMatch(/mimikatz/);
    expect(out.confidence).toBeGreaterThan(0.5);
    expect(out.truncated).toBeUndefined();

    const req = ai.requests.at(-1)!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const chat = ai.chats.at(-1)!;
    expect(chat.model).toBe('gpt-4o-mini');
    expect(chat.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'classification',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            category: { type: 'string', enum: CATEGORIES, description: expect.any(String) },
            rationale: { type: 'string', description: expect.any(String) },
            confidence: { type: 'number', description: expect.any(String) },
          },
          required: ['category', 'rationale', 'confidence'],
          additionalProperties: false,
        },
      },
    });
    // `input` is sent as JSON
    expect(chat.messages.find((m) => m.role === 'user')!.content).toBe(JSON.stringify(maliciousHits));
    expect(chat.messages.find((m) => m.role === 'system')!.content).toContain(JSON.stringify(CATEGORIES));
  });

  test('no hits → needs_review; includeRationale false leaves rationale out (schema and output)', async () => {
    const out = outputOf(await classify({ input: [], categories: CATEGORIES }));
    expect(out.category).toBe('needs_review');
    expect(out).not.toHaveProperty('rationale');
    expect(Object.keys((ai.chats.at(-1)!.response_format!.json_schema!.schema as { properties: object }).properties)).toEqual(['category', 'confidence']);
  });

  test('instructions reach the model', async () => {
    await classify({ input: { a: 1 }, categories: ['a', 'b'], instructions: 'Prefer b for lab hosts.' });
    expect(ai.chats.at(-1)!.messages[0].content).toContain('Prefer b for lab hosts.');
  });

  test('a category outside the list becomes fallbackCategory', async () => {
    ai.configure({ unknownCategory: 'totally_fine' });
    const logs: string[] = [];
    const out = outputOf(
      await classify({ input: maliciousHits, categories: ['malicious', 'benign', 'needs_review'], fallbackCategory: 'needs_review', includeRationale: true }, { connectorId: 'my-openai', logs }),
    );
    expect(out.category).toBe('needs_review');
    expect(typeof out.rationale).toBe('string');
    expect(logs.join('\n')).toMatch(/totally_fine/);
  });

  test('a category outside the list without fallbackCategory fails the step (not retryable)', async () => {
    ai.configure({ unknownCategory: 'totally_fine' });
    const err = await stepErrorOf(classify({ input: maliciousHits, categories: CATEGORIES }));
    expect(err.type).toBe('ai_invalid_response');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/"totally_fine", not one of confirmed_compromise, likely_benign, needs_review/);
  });

  test('a category differing only in case is the listed one', async () => {
    ai.configure({ unknownCategory: 'Likely_Benign' });
    expect(outputOf(await classify({ input: [{ x: 1 }], categories: CATEGORIES })).category).toBe('likely_benign');
  });

  test('an answer that is not JSON fails ai_invalid_response', async () => {
    ai.configure({ reply: () => 'I think it is malicious.' });
    const err = await stepErrorOf(classify({ input: [], categories: CATEGORIES, fallbackCategory: 'needs_review' }));
    expect(err.type).toBe('ai_invalid_response');
  });

  test('429 twice, then success: the client retries with backoff', async () => {
    ai.failNext(2, 429);
    const before = ai.chats.length;
    const started = Date.now();
    const out = outputOf(await classify({ input: maliciousHits, categories: CATEGORIES }));
    expect(out.category).toBe('confirmed_compromise');
    expect(ai.chats.length - before).toBe(3);
    // retryDelay: 10ms (10 ms, then 20 ms), not the client's default 0.5 s + 1 s
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('500 then success', async () => {
    ai.failNext(1, 500);
    expect(outputOf(await classify({ input: [], categories: CATEGORIES })).category).toBe('needs_review');
  });

  test('429 beyond the retries fails retryable (the on-failure policy may retry later)', async () => {
    ai.failNext(5, 429);
    const before = ai.chats.length;
    const err = await stepErrorOf(classify({ input: [], categories: CATEGORIES }, { connectorId: 'noretry' }));
    expect(ai.chats.length - before).toBe(1);
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ status: 429 });
    expect(err.message).toMatch(/connector "noretry" answered 429/);
  });

  test('a 401 is not retryable and never shows the key', async () => {
    const wrong = parseConnectors(`connectors:\n  k:\n    type: openai\n    url: ${ai.url}\n    apiKey: sk-wrong-key-987654321\n    model: m\n`, {});
    const err = await stepErrorOf(aiClassify.run(makeCtx('ai.classify', { input: [], categories: CATEGORIES }, { connectorId: 'k' }), services({ connectors: wrong })));
    await wrong.close();
    expect(err.type).toBe('http_error');
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('sk-wrong-key-987654321');
  });

  test('input over the token budget is cut, with truncated: true', async () => {
    const big = Array.from({ length: 200 }, (_, i) => ({ i, message: `event ${i} with some padding text to make it longer` }));
    const out = outputOf(await classify({ input: big, categories: CATEGORIES }, { connectorId: 'small' }));
    expect(out.truncated).toBe(true);
    const user = ai.chats.at(-1)!.messages.find((m) => m.role === 'user')!.content;
    const system = ai.chats.at(-1)!.messages.find((m) => m.role === 'system')!.content;
    expect(user.length).toBeLessThanOrEqual(Math.max(1000, 300 * 4 - system.length));
    expect(user).toMatch(/\[truncated: the input was \d+ characters/);
  });

  test('categories: at least 2 distinct strings', async () => {
    expect((await stepErrorOf(classify({ input: [], categories: ['only'] }))).type).toBe('validation_error');
    expect((await stepErrorOf(classify({ input: [], categories: ['a', 'a'] }))).type).toBe('validation_error');
  });

  test('targetUrl: the api.openai.com URL served by the stand-in, Host kept', async () => {
    const out = outputOf(await classify({ input: maliciousHits, categories: CATEGORIES }, { connectorId: 'remote' }));
    expect(out.category).toBe('confirmed_compromise');
    expect(ai.requests.at(-1)!.headers.host).toBe('api.openai.com');
    expect(ai.chats.at(-1)!.model).toBe('gpt-4o');
  });

  test('connection refused → retryable network error', async () => {
    const err = await stepErrorOf(classify({ input: [], categories: CATEGORIES }, { connectorId: 'down' }));
    expect(err.type).toBe('network');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`ai.classify: cannot reach http://127.0.0.1:${closedPort}/v1 (ECONNREFUSED)`);
  });

  test('the step signal aborts the call with its own error', async () => {
    const controller = new AbortController();
    ai.configure({ reply: () => new Promise(() => undefined) as never });
    controller.abort(new StepError('timeout', 'step "classify" timed out after 5 ms', { retryable: true }));
    const err = await stepErrorOf(classify({ input: [], categories: CATEGORIES }, { connectorId: 'my-openai', signal: controller.signal }));
    expect(err.type).toBe('timeout');
    expect(err.retryable).toBe(true);
  });

  test('connector: required unless one openai connector is the default (default: true, or the only one); must be of type openai', async () => {
    const err = await stepErrorOf(classify({ input: [], categories: CATEGORIES }, {}));
    expect(err.type).toBe('configuration_error');
    expect(err.message).toMatch(/no connector-id and no default AI connector: several connectors of type openai/);
    const single = parseConnectors(`connectors:\n  only:\n    type: openai\n    url: ${ai.url}\n    apiKey: ${API_KEY}\n    model: solo\n`, {});
    const out = outputOf(await aiClassify.run(makeCtx('ai.classify', { input: [], categories: CATEGORIES }), services({ connectors: single })));
    await single.close();
    expect(out.category).toBe('needs_review');
    expect(ai.chats.at(-1)!.model).toBe('solo');
  });
});

describe('ai.summarize', () => {
  test('→ { content }', async () => {
    const out = outputOf(await aiSummarize.run(makeCtx('ai.summarize', { input: maliciousHits, instructions: 'One line.' }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(out).toEqual({ content: expect.stringMatching(/mimikatz/) });
    const chat = ai.chats.at(-1)!;
    expect(chat.response_format!.json_schema).toMatchObject({ name: 'summary', strict: true, schema: { required: ['content'] } });
    expect(chat.messages[0].content).toContain('One line.');
  });

  test('maxLength is asked for and enforced', async () => {
    const out = outputOf(await aiSummarize.run(makeCtx('ai.summarize', { input: maliciousHits, maxLength: 20 }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(out.content.length).toBeLessThanOrEqual(20);
    expect(ai.chats.at(-1)!.messages[0].content).toContain('at most 20 characters');
  });
});

describe('ai.prompt', () => {
  test('with a schema → the parsed object, validated', async () => {
    const schema = {
      type: 'object',
      properties: { verdict: { type: 'string', enum: ['block', 'allow'] }, score: { type: 'integer' } },
      required: ['verdict', 'score'],
      additionalProperties: false,
    };
    const out = outputOf(await aiPrompt.run(makeCtx('ai.prompt', { prompt: 'Block 203.0.113.66?', schema }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(out).toEqual({ response: { verdict: 'block', score: 1 } });
    expect(ai.chats.at(-1)!.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', strict: true, schema } });
  });

  test('a schema OpenAI strict mode would refuse is sent with strict: false', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] };
    await aiPrompt.run(makeCtx('ai.prompt', { prompt: 'x', schema }, { connectorId: 'my-openai' }), services({ connectors: registry }));
    expect(ai.chats.at(-1)!.response_format!.json_schema!.strict).toBe(false);
  });

  test('an answer that does not match the schema fails', async () => {
    ai.configure({ reply: () => ({ verdict: 'maybe' }) });
    const schema = { type: 'object', properties: { verdict: { type: 'string', enum: ['block', 'allow'] } }, required: ['verdict'], additionalProperties: false };
    const err = await stepErrorOf(aiPrompt.run(makeCtx('ai.prompt', { prompt: 'x', schema }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(err.type).toBe('ai_invalid_response');
    expect(err.message).toMatch(/does not match the schema/);
  });

  test('without a schema → the text', async () => {
    const out = outputOf(await aiPrompt.run(makeCtx('ai.prompt', { prompt: 'Say hello' }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(out).toEqual({ response: 'Stand-in answer to: Say hello' });
    expect(ai.chats.at(-1)!.response_format!.json_schema!.schema).toMatchObject({ properties: { response: { type: 'string' } } });
  });

  test('a prompt is required; an invalid schema fails before any call', async () => {
    const before = ai.chats.length;
    expect((await stepErrorOf(aiPrompt.run(makeCtx('ai.prompt', { prompt: '' }, { connectorId: 'my-openai' }), services({ connectors: registry })))).type).toBe('validation_error');
    expect((await stepErrorOf(aiPrompt.run(makeCtx('ai.prompt', { prompt: 'x', schema: { type: 'nonsense' } }, { connectorId: 'my-openai' }), services({ connectors: registry })))).type).toBe(
      'validation_error',
    );
    expect(ai.chats.length).toBe(before);
  });
});
