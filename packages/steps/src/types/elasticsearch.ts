import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import {
  DEFAULT_ELASTICSEARCH_CONNECTOR,
  mapElasticsearchError,
  resolveApi,
  type ConnectorRegistry,
  type ElasticsearchConnector,
} from '@flowgate/connectors';
import { isPlainObject } from '@flowgate/template';
import { forbiddenElasticsearchSegment } from '@flowgate/workflow-format';
import { connectorsOf, type StepServices } from './services';

const PREFIX = 'elasticsearch.';
const REQUEST_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

/** The step's connector: `connector-id`, else the connector named `elasticsearch` (docs/connectors.md). */
function connectorFor(ctx: StepRunContext, registry: ConnectorRegistry): ElasticsearchConnector {
  const id = ctx.step.connectorId;
  if (!id && !registry.has(DEFAULT_ELASTICSEARCH_CONNECTOR)) {
    throw new StepError(
      'configuration_error',
      `${ctx.step.type}: no connector-id, and no connector named "${DEFAULT_ELASTICSEARCH_CONNECTOR}" is configured (FLOWGATE_CONNECTORS)`,
    );
  }
  return registry.require(id || DEFAULT_ELASTICSEARCH_CONNECTOR, 'elasticsearch', ctx.step.type);
}

/** elasticsearch.request: `with.method` (default GET, POST with a body), `path`, `body`, `query`. */
function requestParams(ctx: StepRunContext): { method: string; path: string; body?: unknown; querystring?: Record<string, unknown> } {
  const { method, path, body, query } = ctx.input;
  if (typeof path !== 'string' || path.trim() === '') throw new StepError('validation_error', 'elasticsearch.request: with.path is required');
  const p = path.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//')) {
    throw new StepError('validation_error', `elasticsearch.request: with.path must be a path such as /_cat/indices, not "${p}"`);
  }
  const m = method === undefined || method === null || method === '' ? (body === undefined || body === null ? 'GET' : 'POST') : String(method).toUpperCase();
  if (!REQUEST_METHODS.has(m)) throw new StepError('validation_error', `elasticsearch.request: method "${String(method)}" is not one of ${[...REQUEST_METHODS].join(', ')}`);
  if (query !== undefined && query !== null && !isPlainObject(query)) throw new StepError('validation_error', 'elasticsearch.request: with.query must be an object');
  return {
    method: m,
    path: p.startsWith('/') ? p : `/${p}`,
    ...(body !== undefined && body !== null ? { body } : {}),
    ...(isPlainObject(query) ? { querystring: query } : {}),
  };
}

/**
 * elasticsearch.* (docs/workflows.md "Built-in step types") through the official client: `search`, `index`, `request`
 * (client.transport.request), and any other API by its dotted path (`esql.query`,
 * `indices.create`, `bulk`, ...) with `with` as that API's parameters. Output: the response body.
 * Never `close`, `transport`, `helpers`, `child`, `extend`, `diagnostic`, `connectionPool`.
 */
export const elasticsearchStep: StepType<StepServices> = {
  type: PREFIX,
  async run(ctx, services) {
    const registry = connectorsOf(services);
    const type = ctx.step.type;
    const api = type.slice(PREFIX.length);
    let connector: ElasticsearchConnector | undefined;
    try {
      const forbidden = forbiddenElasticsearchSegment(api);
      if (forbidden) throw new StepError('configuration_error', `${type}: "${forbidden}" is not an Elasticsearch API and cannot be called from a step`);
      connector = connectorFor(ctx, registry);
      const client = registry.elasticsearch(connector);
      const options = { signal: ctx.signal, maxResponseSize: ctx.maxStepSize, meta: false };
      let body: unknown;
      if (api === 'request') {
        body = await client.transport.request(requestParams(ctx) as Parameters<typeof client.transport.request>[0], options);
      } else {
        if (api === 'index') {
          if (ctx.input.index === undefined || ctx.input.index === null || ctx.input.index === '') throw new StepError('validation_error', `${type}: with.index is required`);
          if (!isPlainObject(ctx.input.document) && !Array.isArray(ctx.input.document)) throw new StepError('validation_error', `${type}: with.document must be an object`);
        }
        body = await resolveApi(client, api, type)(ctx.input, options);
      }
      return { kind: 'output', output: registry.redact(body === undefined ? null : body) };
    } catch (err) {
      throw registry.redactError(connector ? mapElasticsearchError(err, connector, type, ctx.signal) : err);
    }
  },
};
