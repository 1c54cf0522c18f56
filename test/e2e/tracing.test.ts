/**
 * OpenTelemetry (docs/operations.md "Health and metrics"): one span per execution and one per step, end to end. The API and the
 * worker run with a real OpenTelemetry SDK (@opentelemetry/sdk-trace-base, loaded with
 * NODE_OPTIONS=--require as an operator would) that writes every span to a file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { System } from '../helpers/system';

const dir = mkdtempSync(join(tmpdir(), 'fg-spans-'));
const spansFile = join(dir, 'spans.jsonl');
let sys: System;

interface SpanLine {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
  status: number;
  start: number;
  end: number;
  pid: number;
}

beforeAll(async () => {
  const sdk = join(__dirname, '..', 'fixtures', 'otel-to-file.js');
  sys = await System.start({ workers: 1, env: { NODE_OPTIONS: `--require ${sdk}`, FLOWGATE_TEST_SPANS: spansFile } });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function spansOf(executionId: string): SpanLine[] {
  if (!existsSync(spansFile)) return [];
  return readFileSync(spansFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SpanLine)
    .filter((s) => s.attributes['flowgate.execution_id'] === executionId);
}

async function spansWhen(executionId: string, done: (spans: SpanLine[]) => boolean): Promise<SpanLine[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = spansOf(executionId);
    if (done(spans)) return spans;
    if (Date.now() > deadline) throw new Error(`spans of ${executionId}: ${JSON.stringify(spans.map((s) => s.name))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hasExecutionSpan = (spans: SpanLine[]) => spans.some((s) => s.name === 'flowgate.execution');

it('one trace per execution across the API and the worker: a start span, a span per step (chained ones too), and the execution span from creation to end', async () => {
  await sys.putWorkflow(
    'traced',
    'name: Traced\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: a }\n  - name: review\n    type: waitForApproval\n    with: { message: "ok?" }\n  - name: b\n    type: console\n    with: { message: b }\n  - name: c\n    type: data.set\n    with: { done: true }\n',
  );
  const id = (await sys.request('POST', '/api/workflows/traced/run', { body: { inputs: {} } })).body.executionId;
  await sys.waitForExecution(id, (e) => e?.status === 'WAITING_FOR_INPUT');
  await new Promise((r) => setTimeout(r, 300)); // a wait that the execution span must cover
  expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { body: { approved: true } })).status).toBe(200);
  const done = await sys.waitForExecution(id);
  expect(done.status).toBe('COMPLETED');

  const spans = await spansWhen(id, hasExecutionSpan);
  const [start] = spans.filter((s) => s.name === 'flowgate.execution.start');
  expect(spans.filter((s) => s.name === 'flowgate.execution.start')).toHaveLength(1);
  const steps = spans.filter((s) => s.name === 'flowgate.step');
  // One span per step, not per job: b and c ran in one job after the resume.
  expect(steps.map((s) => s.attributes['flowgate.step']).sort()).toEqual(['a', 'b', 'c', 'review']);
  expect(Object.fromEntries(steps.map((s) => [s.attributes['flowgate.step'], s.attributes['flowgate.outcome']]))).toEqual({ a: 'output', review: 'waitForInput', b: 'output', c: 'output' });
  const [execution] = spans.filter((s) => s.name === 'flowgate.execution');
  expect(spans.filter((s) => s.name === 'flowgate.execution')).toHaveLength(1);
  expect(execution.attributes).toMatchObject({ 'flowgate.workflow_id': 'traced', 'flowgate.status': 'COMPLETED', 'flowgate.trigger': 'manual' });
  // All in one trace, under the start span; recorded by both processes.
  for (const s of [...steps, execution]) {
    expect(s.traceId).toBe(start.traceId);
    expect(s.parentSpanId).toBe(start.spanId);
  }
  expect(new Set(spans.map((s) => s.pid)).size).toBe(2);
  // The execution span runs from creation to the end, the wait included.
  expect(Math.abs(execution.start - Date.parse(done.createdAt))).toBeLessThan(2);
  expect(Math.abs(execution.end - Date.parse(done.finishedAt))).toBeLessThan(2);
  expect(execution.end - execution.start).toBeGreaterThanOrEqual(300);
}, 30_000);

it('the execution span says how it ended: cancelled by the API, failed with an error status', async () => {
  await sys.putWorkflow('gate', 'name: Gate\ntriggers: [{ type: manual }]\nsteps:\n  - name: review\n    type: waitForApproval\n    with: { message: "ok?" }\n');
  await sys.putWorkflow('broken', 'name: Broken\ntriggers: [{ type: manual }]\nsteps:\n  - name: stop\n    type: workflow.fail\n    with: { message: "no" }\n');
  const gate = (await sys.request('POST', '/api/workflows/gate/run', { body: { inputs: {} } })).body.executionId;
  await sys.waitForExecution(gate, (e) => e?.status === 'WAITING_FOR_INPUT');
  expect((await sys.request('POST', `/api/workflowExecutions/${gate}/cancel`)).status).toBe(200);
  const broken = (await sys.request('POST', '/api/workflows/broken/run', { body: { inputs: {} } })).body.executionId;
  expect((await sys.waitForExecution(broken)).status).toBe('FAILED');

  const cancelled = (await spansWhen(gate, hasExecutionSpan)).find((s) => s.name === 'flowgate.execution')!;
  expect(cancelled.attributes['flowgate.status']).toBe('CANCELLED');
  expect(cancelled.status).toBe(0); // UNSET: a cancel is not an error
  const failed = await spansWhen(broken, hasExecutionSpan);
  expect(failed.find((s) => s.name === 'flowgate.execution')).toMatchObject({ status: 2, attributes: { 'flowgate.status': 'FAILED' } }); // 2 = ERROR
  expect(failed.find((s) => s.name === 'flowgate.step')!.attributes['flowgate.outcome']).toBe('failed');
}, 30_000);
