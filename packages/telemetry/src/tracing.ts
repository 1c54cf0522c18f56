import { trace, SpanStatusCode, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry spans (one per step run). Without a configured SDK the API is a no-op, so this
 * costs nothing unless an operator installs one (e.g. with NODE_OPTIONS=--require ...).
 */
const tracer = trace.getTracer('flowgate');

export async function inSpan<T>(name: string, attributes: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
