import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { httpCall, type HttpRoute } from '@flowgate/connectors';
import { connectorsOf, type StepServices } from './services';

/** `Idempotency-Key: <executionId>:<stepPath>` (docs/workflows.md "Built-in step types", docs/semantics.md "Guarantees"): the same on every attempt of one step run. */
export function idempotencyKey(ctx: StepRunContext): string {
  return `${ctx.executionId}:${ctx.path}`;
}

/**
 * Kibana's form `connector-id` + `path` (+ `query`) instead of `url`: the path is relative to the
 * connector's url, like a relative `url` (the validator requires the connector for it).
 */
function requestOf(ctx: StepRunContext): Record<string, unknown> {
  const { path, ...rest } = ctx.input;
  if (rest.url !== undefined || path === undefined) return rest;
  if (!ctx.step.connectorId) throw new StepError('validation_error', 'http: with.path needs a connector-id (the path is relative to its url)');
  return { ...rest, url: path };
}

/**
 * http (docs/workflows.md "Built-in step types", docs/connectors.md): `with.method` (default GET), `url` (absolute, or relative to the connector's
 * url), `headers`, `body` (object → JSON), `query`. Output `{ status, headers, body }` (body parsed
 * when JSON); a non-2xx answer fails the step (retryable for 408, 429, 5xx).
 *
 * With `connector-id`, the URL must be on the connector's origin and the connector's headers win;
 * without, only FLOWGATE_HTTP_ALLOWED_HOSTS may be reached, and never a non-public address unless
 * its literal IP is listed. Connector secrets are redacted from the output and from errors.
 */
export const httpStep: StepType<StepServices> = {
  type: 'http',
  async run(ctx, services) {
    const registry = connectorsOf(services);
    try {
      let route: HttpRoute;
      const id = ctx.step.connectorId;
      if (id) {
        const connector = registry.require(id, 'http', 'http');
        route = { connector, dispatcher: registry.dispatcher(connector) };
      } else {
        route = { allowedHosts: services.httpAllowedHosts ?? [] };
      }
      const result = await httpCall(route, requestOf(ctx), {
        label: 'http',
        idempotencyKey: idempotencyKey(ctx),
        signal: ctx.signal,
        maxBodyBytes: ctx.maxStepSize,
      });
      return { kind: 'output', output: registry.redact(result) };
    } catch (err) {
      throw registry.redactError(err);
    }
  },
};
