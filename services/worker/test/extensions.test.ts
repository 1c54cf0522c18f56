/**
 * The worker's wiring of connectors (services/worker/src/extensions.ts): FLOWGATE_CONNECTORS is read
 * and validated at start (one line naming the connector and the field on error, through `fail`),
 * and the http, elasticsearch.* and ai.* step types are registered. No servers needed. (The step
 * types come from @flowgate/steps' build output here, as in the worker: run the build first.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@flowgate/steps';
import { loadStepExtensions } from '../src/extensions';

class Failed extends Error {}
const fail = (reason: string): never => {
  throw new Failed(reason);
};

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowgate-worker-ext-'));
  const path = join(dir, 'connectors.yaml');
  writeFileSync(path, text);
  return path;
}

test('without FLOWGATE_CONNECTORS: no connectors, the connector step types are registered', async () => {
  const { registry, services } = await loadStepExtensions(builtinRegistry(), fail, {});
  expect(services).toEqual({});
  for (const type of ['http', 'elasticsearch.search', 'elasticsearch.esql.query', 'elasticsearch.indices.create', 'ai.classify', 'ai.summarize', 'ai.prompt', 'console']) {
    expect(registry.get(type)).toBeDefined();
  }
});

test('a valid file: services.connectors is the registry, ${ENV} substituted', async () => {
  const path = file('connectors:\n  edr-connector:\n    type: http\n    url: https://edr.example.com\n    headers: { Authorization: "Bearer ${EDR_TOKEN}" }\n');
  const { services } = await loadStepExtensions(builtinRegistry(), fail, { FLOWGATE_CONNECTORS: path, EDR_TOKEN: 'tok-0123456789' });
  expect(services.connectors!.describe()).toEqual({ 'edr-connector': { type: 'http' } });
  const edr = services.connectors!.get('edr-connector');
  expect(edr?.type === 'http' && edr.headers.Authorization).toBe('Bearer tok-0123456789');
});

test('an invalid url stops the worker with one line naming the connector and the field', async () => {
  const path = file('connectors:\n  edr-connector:\n    type: http\n    url: edr.example.com\n');
  await expect(loadStepExtensions(builtinRegistry(), fail, { FLOWGATE_CONNECTORS: path })).rejects.toThrow(
    new Failed(`${path}: connector "edr-connector": url: expected an absolute http(s) URL`),
  );
});

test('a missing environment variable, a missing file', async () => {
  const path = file('connectors:\n  my-openai:\n    type: openai\n    url: https://api.openai.com/v1\n    apiKey: ${OPENAI_API_KEY}\n    model: gpt-4o-mini\n');
  await expect(loadStepExtensions(builtinRegistry(), fail, { FLOWGATE_CONNECTORS: path })).rejects.toThrow(
    `${path}: connector "my-openai": apiKey: environment variable OPENAI_API_KEY is not set`,
  );
  await expect(loadStepExtensions(builtinRegistry(), fail, { FLOWGATE_CONNECTORS: '/nonexistent/connectors.yaml' })).rejects.toThrow(
    '/nonexistent/connectors.yaml: cannot read the connectors file (ENOENT)',
  );
});
