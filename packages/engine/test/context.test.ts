/** The template context of docs/workflows.md "Templates": what `{{ }}` sees of the execution, its steps and the loop. */
import { buildContext, newStepRecord, stepView, type ExecutionState, type StepRecord } from '../src';
import { definition, s } from './definitions';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function execution(fields: Partial<ExecutionState> = {}): ExecutionState {
  return {
    id: 'EX1',
    workflowId: 'wf-1',
    workflowName: 'Isolate',
    version: 'v1',
    trigger: 'alert',
    triggeredBy: 'alert:rule-9',
    status: 'RUNNING',
    rev: 3,
    createdAt: T0,
    startedAt: T0 + 1000,
    finishedAt: null,
    error: null,
    cancellation: null,
    waitingFor: null,
    next: '',
    nextAt: 0,
    event: { alerts: [{ id: 'a1' }] },
    inputs: { host: 'srv-web-01' },
    variables: { ticket: 'T-1' },
    deadline: null,
    seqs: 0,
    ...fields,
  };
}

const record = (name: string, seq: number, fields: Partial<StepRecord> = {}): StepRecord => ({
  ...newStepRecord({ name, path: name, type: 'console', seq, iteration: null }),
  status: 'COMPLETED',
  ...fields,
});

describe('buildContext', () => {
  const def = { ...definition([s('a')]), consts: { team: 'soc' } };

  it('exposes the event, inputs, consts, variables, execution and workflow', () => {
    const ctx = buildContext({ definition: def, execution: execution(), records: [], publicUrl: 'https://flowgate.example', now: T0 + 5000 });
    expect(ctx).toEqual({
      event: { alerts: [{ id: 'a1' }] },
      inputs: { host: 'srv-web-01' },
      consts: { team: 'soc' },
      variables: { ticket: 'T-1' },
      steps: {},
      execution: { id: 'EX1', startedAt: new Date(T0 + 1000).toISOString(), url: 'https://flowgate.example/executions/EX1', triggeredBy: 'alert:rule-9' },
      workflow: { id: 'wf-1', name: 'Isolate' },
      now: new Date(T0 + 5000).toISOString(),
    });
    expect('foreach' in ctx).toBe(false);
  });

  it('a public URL with a trailing slash gives no double slash', () => {
    const ctx = buildContext({ definition: def, execution: execution(), records: [], publicUrl: 'https://flowgate.example/base/' });
    expect(ctx.execution.url).toBe('https://flowgate.example/base/executions/EX1');
  });

  it('before the execution starts, startedAt is its creation time; a missing event or inputs reads as {}', () => {
    const ctx = buildContext({ definition: def, execution: execution({ startedAt: null, event: null, inputs: undefined }), records: [], publicUrl: 'http://x' });
    expect(ctx.execution.startedAt).toBe(new Date(T0).toISOString());
    expect(ctx.event).toEqual({});
    expect(ctx.inputs).toEqual({});
  });

  it('now defaults to the current time', () => {
    const before = Date.now();
    const ctx = buildContext({ definition: def, execution: execution(), records: [], publicUrl: 'http://x' });
    expect(Date.parse(ctx.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(ctx.now)).toBeLessThanOrEqual(Date.now());
  });

  it('steps by name; a later run of a name (a later loop iteration) wins, whatever the order given', () => {
    const records = [record('isolate', 5, { output: { i: 2 }, iteration: 2 }), record('lookup', 0, { output: 'x' }), record('isolate', 1, { output: { i: 0 }, iteration: 0 })];
    const ctx = buildContext({ definition: def, execution: execution(), records, publicUrl: 'http://x' });
    expect(Object.keys(ctx.steps).sort()).toEqual(['isolate', 'lookup']);
    expect(ctx.steps.isolate.output).toEqual({ i: 2 });
    expect(ctx.steps.lookup.output).toBe('x');
    // the records given are not reordered
    expect(records.map((r) => r.seq)).toEqual([5, 0, 1]);
  });

  it('inside a loop, foreach is the current item', () => {
    const ctx = buildContext({ definition: def, execution: execution(), records: [], publicUrl: 'http://x', loop: { item: { host: 'h2' }, index: 1, total: 3 } });
    expect(ctx.foreach).toEqual({ item: { host: 'h2' }, index: 1, total: 3 });
    expect('while' in ctx).toBe(false);
  });

  it('inside a while, while.iteration is the iteration', () => {
    const ctx = buildContext({ definition: def, execution: execution(), records: [], publicUrl: 'http://x', whileLoop: { iteration: 4 } });
    expect(ctx.while).toEqual({ iteration: 4 });
  });
});

describe('stepView', () => {
  it('shows output, error and status; who answered a wait and when, as ISO time', () => {
    const answered = record('approve', 0, { type: 'waitForApproval', output: { approved: true }, respondedBy: 'alice', respondedAt: T0 });
    expect(stepView(answered)).toEqual({
      output: { approved: true, response: { approved: true }, respondedBy: 'alice' },
      error: null,
      status: 'COMPLETED',
      respondedBy: 'alice',
      respondedAt: new Date(T0).toISOString(),
    });
  });

  it("gives a wait's answer both ways (9.4 output.<field>, 9.5 output.response), the schema's own fields first", () => {
    const schema = { type: 'object', properties: { response: { type: 'string' }, ok: { type: 'boolean' } } };
    const own = record('ask', 0, { type: 'waitForInput', input: { schema }, output: { ok: true }, respondedBy: 'bob', respondedAt: T0 });
    expect(stepView(own).output).toEqual({ ok: true, respondedBy: 'bob' }); // the schema defines response: not added
    const timedOut = record('ask', 0, { type: 'waitForInput', output: { action: 'monitor', timedOut: true } });
    expect(stepView(timedOut).output).toEqual({ action: 'monitor', timedOut: true, response: { action: 'monitor' }, respondedBy: null });
    expect(stepView(record('other', 0, { type: 'data.set', output: { a: 1 } })).output).toEqual({ a: 1 });
    // A wait whose output is not an object (not answered yet, or odd data) shows it as it is.
    expect(stepView(record('ask', 0, { type: 'waitForInput', output: null })).output).toBeNull();
    expect(stepView(record('ask', 0, { type: 'waitForInput', output: [1] })).output).toEqual([1]);
    expect(stepView(record('ask', 0, { type: 'waitForInput', output: 'x' })).output).toBe('x');
    // An answer field named respondedBy (no schema) wins too.
    expect(stepView(record('ask', 0, { type: 'waitForInput', output: { respondedBy: 'the SOC' }, respondedBy: 'bob' })).output).toEqual({ respondedBy: 'the SOC', response: { respondedBy: 'the SOC' } });
  });

  it('a step nobody answered shows null for both, and its error as stored', () => {
    const failed = record('call', 0, { status: 'FAILED', error: { type: 'http_error', message: 'answered 500', details: { status: 500 } } });
    expect(stepView(failed)).toEqual({ output: null, error: { type: 'http_error', message: 'answered 500', details: { status: 500 } }, status: 'FAILED', respondedBy: null, respondedAt: null });
  });
});
