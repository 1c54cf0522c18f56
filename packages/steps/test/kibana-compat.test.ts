/**
 * Issue 14, item 1, through the real step types: `ai.prompt` with `systemPrompt` and `temperature`,
 * `ai.*` without `connector-id` (the default AI connector), and an `http` step with `connector-id`
 * and `path` (+ `query`) instead of `url`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConnectors, type ConnectorRegistry } from '@flowgate/connectors';
import { aiPrompt, aiSummarize } from '../src/types/ai';
import { httpStep } from '../src/types/http';
import { startOpenAIServer, type OpenAIServer } from '../../../test/fixtures/openai-server';
import { listen, readRequest, sendJson } from '../../../test/fixtures/http-util';
import { makeCtx, outputOf, services, stepErrorOf } from './connector-helpers';

const API_KEY = 'sk-test-kibana-0123456789';
let ai: OpenAIServer;
const registries: ConnectorRegistry[] = [];

function connectors(yaml: string): ConnectorRegistry {
  const r = parseConnectors(yaml, { OPENAI_API_KEY: API_KEY });
  registries.push(r);
  return r;
}

const openai = (id: string, extra = '') =>
  [`  ${id}:`, '    type: openai', `    url: ${ai.url}`, '    apiKey: ${OPENAI_API_KEY}', `    model: model-${id}`, extra].filter(Boolean).join('\n');

beforeAll(async () => {
  ai = await startOpenAIServer({ apiKey: API_KEY });
});
afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await ai.close();
});

describe('ai.prompt: systemPrompt and temperature', () => {
  it('sends systemPrompt as the system message (before the answer-format instructions) and the temperature', async () => {
    const registry = connectors(`connectors:\n${openai('my-openai')}\n`);
    const out = outputOf(
      await aiPrompt.run(
        makeCtx('ai.prompt', { prompt: 'Say hello', systemPrompt: 'You are a terse SOC assistant.', temperature: 0.2 }, { connectorId: 'my-openai' }),
        services({ connectors: registry }),
      ),
    );
    expect(typeof out.response).toBe('string');
    const chat = ai.chats.at(-1)! as unknown as { temperature?: number; messages: { role: string; content: string }[] };
    expect(chat.temperature).toBe(0.2);
    expect(chat.messages[0].role).toBe('system');
    expect(chat.messages[0].content.startsWith('You are a terse SOC assistant.\n\n')).toBe(true);
    expect(chat.messages[0].content).toMatch(/"response"/);
    expect(chat.messages[1]).toEqual({ role: 'user', content: 'Say hello' });
  });

  it('omits temperature when not given, and refuses one outside 0..2', async () => {
    const registry = connectors(`connectors:\n${openai('my-openai')}\n`);
    await aiPrompt.run(makeCtx('ai.prompt', { prompt: 'x' }, { connectorId: 'my-openai' }), services({ connectors: registry }));
    expect('temperature' in (ai.chats.at(-1) as object)).toBe(false);
    const err = await stepErrorOf(aiPrompt.run(makeCtx('ai.prompt', { prompt: 'x', temperature: '3' }, { connectorId: 'my-openai' }), services({ connectors: registry })));
    expect(err.type).toBe('validation_error');
    expect(err.message).toBe('ai.prompt: with.temperature must be a number from 0 to 2');
  });
});

describe('ai.* without connector-id: the default AI connector', () => {
  const run = (registry: ConnectorRegistry) => aiSummarize.run(makeCtx('ai.summarize', { input: 'some alert' }), services({ connectors: registry }));

  it('uses the only openai connector', async () => {
    await run(connectors(`connectors:\n${openai('only')}\n  edr:\n    type: http\n    url: https://edr.example.com\n`));
    expect((ai.chats.at(-1) as { model: string }).model).toBe('model-only');
  });

  it('uses the one marked default: true among several', async () => {
    await run(connectors(`connectors:\n${openai('first')}\n${openai('second', '    default: true')}\n`));
    expect((ai.chats.at(-1) as { model: string }).model).toBe('model-second');
  });

  it('fails with a clear configuration error when there is none, or several and no default', async () => {
    const none = await stepErrorOf(run(connectors('connectors:\n  edr:\n    type: http\n    url: https://edr.example.com\n')));
    expect(none.type).toBe('configuration_error');
    expect(none.message).toBe('ai.summarize: no connector-id and no default AI connector: no connector of type openai is configured in connectors.yaml');
    const several = await stepErrorOf(run(connectors(`connectors:\n${openai('first')}\n${openai('second')}\n`)));
    expect(several.message).toBe('ai.summarize: no connector-id and no default AI connector: several connectors of type openai (first, second) and none has default: true');
  });

  it('refuses two connectors marked default', () => {
    expect(() => connectors(`connectors:\n${openai('first', '    default: true')}\n${openai('second', '    default: true')}\n`)).toThrow(
      'connectors.yaml: connector "second": default: only one connector of type openai may be the default',
    );
  });
});

describe('http: connector-id with path (+ query) instead of url', () => {
  it('calls the connector url joined with the path, with the query appended', async () => {
    const seen: string[] = [];
    const server = await listen(undefined, async (req: IncomingMessage, res: ServerResponse) => {
      const r = await readRequest(req);
      seen.push(`${r.method} ${r.url}`);
      sendJson(res, 200, { ok: true });
    });
    try {
      const registry = connectors(`connectors:\n  es-api:\n    type: http\n    url: http://127.0.0.1:${server.port}/base/\n`);
      const out = outputOf(
        await httpStep.run(
          makeCtx('http', { method: 'GET', path: '/logs-a/_doc/abc', query: { refresh: 'true' } }, { connectorId: 'es-api' }),
          services({ connectors: registry }),
        ),
      );
      expect(out.status).toBe(200);
      expect(seen).toEqual(['GET /base/logs-a/_doc/abc?refresh=true']);
    } finally {
      await server.close();
    }
  });
});
