import { context, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry spans (docs/operations.md "Health and metrics"): one per execution and one per step. Without a configured SDK
 * the API is a no-op, so this costs nothing unless an operator installs one (e.g. with
 * NODE_OPTIONS=--require ...).
 *
 * An execution outlives any one process (it waits for hours, its steps run on any worker), so its
 * trace is carried in the execution itself: at creation a short `flowgate.execution.start` span is
 * recorded (a child of whatever is active, e.g. the instrumented HTTP request of the alert) and its
 * W3C traceparent is stored. Every step span, and the `flowgate.execution` span recorded when the
 * execution ends (from its creation to its end), are children of that context: one trace per
 * execution, whichever processes took part.
 */
const tracer = trace.getTracer('flowgate');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a stored traceparent names; the root context when there is none (or it is malformed). */
function contextOf(traceparent: string | null | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16), isRemote: true });
}

/**
 * Starts the traces of new executions: returns each one's traceparent, or null for all when no SDK
 * records spans (one probe per call, so bulk ingestion without tracing pays nothing per alert).
 */
export function startExecutionTraces(executions: { id: string; attributes: Attributes }[]): (string | null)[] {
  if (executions.length === 0) return [];
  const active = context.active();
  const probe = tracer.startSpan('flowgate.execution.start', { attributes: executions[0].attributes }, active);
  if (!probe.isRecording()) {
    probe.end();
    return executions.map(() => null);
  }
  return executions.map((e, i) => {
    const span = i === 0 ? probe : tracer.startSpan('flowgate.execution.start', { attributes: e.attributes }, active);
    const { traceId, spanId, traceFlags } = span.spanContext();
    span.end();
    return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
  });
}

/** Runs one step inside its span, a child of its execution's trace. */
export async function inStepSpan<T>(traceparent: string | null | undefined, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan('flowgate.step', { attributes }, contextOf(traceparent), async (span) => {
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

/** Records an ended execution's span, from its creation to its end, in its own trace. */
export function recordExecutionSpan(traceparent: string | null | undefined, startedAt: number, endedAt: number, attributes: Attributes, failed: boolean): void {
  if (!traceparent) return;
  const span = tracer.startSpan('flowgate.execution', { attributes, startTime: startedAt }, contextOf(traceparent));
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endedAt);
}
