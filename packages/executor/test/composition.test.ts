/**
 * workflow.execute, workflow.executeAsync and workflow.output through the real executor on a real
 * redis-server: a parent waits for its child (WAITING, no job held) and reads its declared outputs;
 * links both ways; a failed child, bad calls (itself, unknown, bad inputs, too deep), outputs that
 * do not match, the step's timeout and the parent's cancel (the child is cancelled too), a step job
 * delivered again after a crash (one child), and a child's end lost in a crash (the reconciler).
 */
import { jobIds } from '@flowgate/queue';
import { cancelExecution, deterministicUlid, processStepJob, reconcileOnce, resumeExecution } from '../src';
import { harnessForFile } from './harness';

const t = harnessForFile();

const CHILD = `name: Enrich host
triggers: [{ type: manual }]
inputs:
  - { name: host, type: string, required: true }
  - { name: approve, type: boolean, default: false }
outputs:
  - { name: verdict, type: string, required: true }
  - { name: score, type: number }
steps:
  - name: gate
    type: if
    condition: "inputs.approve : true"
    steps:
      - name: review
        type: waitForApproval
        with: { message: "Enrich {{ inputs.host }}?" }
  - name: done
    type: workflow.output
    with:
      verdict: "clean:{{ inputs.host }}"
      score: "\${{ 42 }}"
  - name: never
    type: console
    with: { message: unreachable }
`;

const parent = (call: string, extra = '') => `name: Triage
triggers: [{ type: manual }]
steps:
  - name: run_child
    type: ${call}
${extra}    with:
      workflow-id: enrich
      inputs: { host: "web-01", approve: "\${{ inputs.approve }}" }
  - name: after
    type: console
    with: { message: "{{ steps.run_child.output.verdict }} {{ steps.run_child.output.score }} {{ steps.run_child.output.executionId }}" }
`;

async function childOf(parentId: string, path = 'run_child') {
  const { records } = await t.h.rt.executions.loadRecords(parentId);
  return records.find((r) => r.path === path)!.child!;
}

it('workflow.execute waits for the child without a job and reads its declared outputs; both are linked', async () => {
  await t.h.save('enrich', CHILD);
  const id = await t.h.start('triage', parent('workflow.execute'), { inputs: { approve: true } });
  const waiting = await t.h.until(id, (s) => s === 'WAITING');
  const childId = waiting.step('run_child')!.child!;
  expect(waiting.step('run_child')).toMatchObject({ status: 'WAITING', input: { 'workflow-id': 'enrich', inputs: { host: 'web-01', approve: true } } });
  expect(await t.h.rt.queues.hasStepJob({ executionId: id, path: 'run_child', attempt: 1 })).toBe(false);

  const child = await t.h.until(childId, (s) => s === 'WAITING_FOR_INPUT');
  expect(child.exec).toMatchObject({ workflowId: 'enrich', trigger: 'manual', triggeredBy: 'workflow:triage', inputs: { host: 'web-01', approve: true }, parent: { executionId: id, step: 'run_child', attempt: 1, wait: true }, depth: 1 });
  expect(await resumeExecution(t.h.rt, childId, { approved: true }, 'alice')).toMatchObject({ ok: true });

  const childDone = await t.h.done(childId);
  expect(childDone.exec).toMatchObject({ status: 'COMPLETED', output: { verdict: 'clean:web-01', score: 42 } });
  expect(childDone.step('never')).toBeUndefined();
  expect(childDone.step('gate')!.status).toBe('COMPLETED');
  const { exec, step } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('run_child')).toMatchObject({ status: 'COMPLETED', output: { verdict: 'clean:web-01', score: 42 }, child: childId });
  expect(step('after')!.output).toBe('clean:web-01 42 ');
});

it('workflow.executeAsync completes at once with the child id; the child runs on alone', async () => {
  const id = await t.h.start('triage-async', parent('workflow.executeAsync'), { inputs: { approve: true } });
  const { exec, step } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  const childId = step('run_child')!.child!;
  expect(step('run_child')!.output).toEqual({ executionId: childId, workflowId: 'enrich', status: 'PENDING' });
  expect(step('after')!.output).toBe('  ' + childId);
  const child = await t.h.until(childId, (s) => s === 'WAITING_FOR_INPUT');
  expect(child.exec.parent).toEqual({ executionId: id, step: 'run_child', attempt: 1, wait: false });
  await cancelExecution(t.h.rt, childId, { reason: 'user', by: 'tester' });
  expect((await t.h.rt.executions.load(id))!.status).toBe('COMPLETED');
});

it('a failed child fails the step with child_failed (on-failure applies); bad calls fail with validation_error', async () => {
  await t.h.save('broken', 'name: Broken\ntriggers: [{ type: manual }]\nsteps:\n  - { name: boom, type: workflow.fail, with: { message: "no data for host" } }\n');
  const yaml = `name: Caller
triggers: [{ type: manual }]
steps:
  - name: run_child
    type: workflow.execute
    on-failure: { continue: true }
    with: { workflow-id: "{{ inputs.target }}", inputs: "\${{ inputs.args }}" }
  - name: after
    type: console
    with: { message: "{{ steps.run_child.error.type }}" }
`;
  const failed = await t.h.done(await t.h.start('caller', yaml, { inputs: { target: 'broken', args: {} } }));
  expect(failed.exec.status).toBe('COMPLETED');
  expect(failed.step('run_child')!.error).toMatchObject({ type: 'child_failed', details: { status: 'FAILED', error: { type: 'workflow_fail', message: 'no data for host' } } });
  expect(failed.step('run_child')!.error!.message).toMatch(/^workflow\.execute: the child execution \w+ of "broken" failed: no data for host$/);
  expect(failed.step('after')!.output).toBe('child_failed');

  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ target: 'caller', args: {} }, /a workflow cannot run itself \("caller"\)/],
    [{ target: 'nope', args: {} }, /no workflow "nope"/],
    [{ target: 'enrich', args: { approve: true } }, /the inputs do not match the inputs of "enrich": host is required/],
    [{ target: 'enrich', args: { host: 7 } }, /the inputs do not match the inputs of "enrich"/],
  ];
  for (const [inputs, message] of cases) {
    const r = await t.h.done(await t.h.start('caller', yaml, { inputs }));
    expect(r.step('run_child')!.error).toMatchObject({ type: 'validation_error', message: expect.stringMatching(message) });
    expect(r.step('run_child')!.child).toBeUndefined();
  }
});

it('outputs that do not match the declared ones fail workflow.output; a child without them fails its parent', async () => {
  const strict = `name: Strict
triggers: [{ type: manual }]
outputs:
  - { name: verdict, type: string, required: true }
steps:
  - name: out
    type: workflow.output
    with: { verdict: "\${{ 12 }}" }
`;
  const r = await t.h.done(await t.h.start('strict', strict));
  expect(r.exec.status).toBe('FAILED');
  const big = await t.h.done(await t.h.start('big', 'name: Big\ntriggers: [{ type: manual }]\nsettings: { max-step-size: 1kb }\nsteps:\n  - { name: out, type: workflow.output, with: { blob: "{% for i in (1..300) %}xxxx{% endfor %}" } }\n'));
  expect(big.step('out')!.error).toMatchObject({ type: 'size_exceeded', message: expect.stringContaining('over max-step-size (1024 bytes)') });
  expect(r.step('out')!.error).toMatchObject({ type: 'validation_error', message: expect.stringContaining("workflow.output: the outputs do not match the workflow's outputs") });

  await t.h.save('silent', 'name: Silent\ntriggers: [{ type: manual }]\noutputs:\n  - { name: verdict, type: string, required: true }\nsteps:\n  - { name: nothing, type: console, with: { message: x } }\n');
  const p = await t.h.done(await t.h.start('calls-silent', 'name: P\ntriggers: [{ type: manual }]\nsteps:\n  - { name: c, type: workflow.execute, with: { workflow-id: silent } }\n'));
  expect(p.exec.status).toBe('FAILED');
  expect(p.step('c')!.error!.message).toBe('workflow.execute: the outputs of "silent" do not match its declared outputs: verdict is required');
});

it('workflows calling each other stop at the depth limit', async () => {
  const ping = 'name: Ping\ntriggers: [{ type: manual }]\nsteps:\n  - { name: call, type: workflow.execute, with: { workflow-id: pong } }\n';
  await t.h.save('pong', 'name: Pong\ntriggers: [{ type: manual }]\nsteps:\n  - { name: call, type: workflow.execute, with: { workflow-id: ping } }\n');
  const id = await t.h.start('ping', ping);
  const { exec } = await t.h.done(id, 20_000);
  expect(exec.status).toBe('FAILED');
  expect(exec.error).toMatchObject({ type: 'child_failed', step: 'call' });
  // the deepest one names the limit; every one above fails with its child
  let deepest = id;
  for (let depth = 0; depth < 10; depth++) deepest = await childOf(deepest, 'call');
  const bottom = await t.h.done(deepest);
  expect(bottom.exec.depth).toBe(10);
  expect(bottom.step('call')!.error!.message).toBe('workflow.execute: "pong" would run 11 workflow calls deep, over the limit of 10');
});

it("the step's timeout fails it and cancels the child; cancelling the parent cancels the child", async () => {
  const timed = await t.h.start('triage-timed', parent('workflow.execute', '    timeout: 300ms\n'), { inputs: { approve: true } });
  const r = await t.h.done(timed);
  expect(r.exec.status).toBe('FAILED');
  expect(r.step('run_child')!.error).toMatchObject({ type: 'timeout' });
  const timedChild = await t.h.done(r.step('run_child')!.child!);
  expect(timedChild.exec).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'timeout', by: 'workflow:triage-timed' } });

  const id = await t.h.start('triage', parent('workflow.execute'), { inputs: { approve: true } });
  await t.h.until(id, (s) => s === 'WAITING');
  const childId = await childOf(id);
  await t.h.until(childId, (s) => s === 'WAITING_FOR_INPUT');
  expect(await cancelExecution(t.h.rt, id, { reason: 'user', by: 'maria' })).toEqual({ ok: true, status: 'CANCELLED' });
  const child = await t.h.done(childId);
  expect(child.exec).toMatchObject({ status: 'CANCELLED', cancellation: { reason: 'user', by: 'workflow:triage', comment: `its parent ${id} was cancelled` } });
});

it('a step job delivered again after a crash before the parent parked finds its child: one child', async () => {
  const id = await t.h.start('triage', parent('workflow.execute'), { inputs: { approve: true } });
  const parked = await t.h.until(id, (s) => s === 'WAITING');
  const record = parked.step('run_child')!;
  expect(record.child).toBe(deterministicUlid(record.startedAt!, `${id}/run_child#1`));
  // back to the moment after the child was created and before the parent's WAITING commit
  const { child: _c, ...running } = record;
  await t.h.rt.executions.transition(id, { rev: parked.exec.rev }, { status: 'RUNNING', next: 'run_child#1' }, [{ ...running, status: 'RUNNING' }]);
  await processStepJob(t.h.rt, { executionId: id, path: 'run_child', attempt: 1 }, t.h.aborts);
  const again = await t.h.until(id, (s) => s === 'WAITING');
  expect(again.step('run_child')!.child).toBe(record.child);
  const children = (await t.h.rt.executions.list({ workflowId: 'enrich', limit: 100 })).results.filter((e: { id: string }) => e.id === record.child);
  expect(children).toHaveLength(1);
  await resumeExecution(t.h.rt, record.child!, { approved: true }, 'alice');
  expect((await t.h.done(id)).exec.status).toBe('COMPLETED');
});

it("a child's end lost in a crash is found by the reconciler, and the parent goes on", async () => {
  const id = await t.h.start('triage', parent('workflow.execute'), { inputs: { approve: true } });
  await t.h.until(id, (s) => s === 'WAITING');
  const childId = await childOf(id);
  await t.h.until(childId, (s) => s === 'WAITING_FOR_INPUT');
  await t.h.pauseTimers();
  await resumeExecution(t.h.rt, childId, { approved: true }, 'alice');
  await t.h.done(childId);
  // the child-done job as if the child's worker died before adding it
  await t.h.rt.queues.removeTimer(jobIds.childDone(id, 'run_child', 1));
  expect(await t.h.rt.queues.hasTimer(jobIds.childDone(id, 'run_child', 1))).toBe(false);
  // the parent parked more than the grace period ago
  await t.redis.hset(t.h.rt.keys.execution(id), 'na', String(Date.now() - 60_000));
  const result = await reconcileOnce(t.h.rt, 'test-owner');
  expect(result!.timers).toBeGreaterThanOrEqual(1);
  t.h.resume();
  const { exec, step } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('run_child')!.output).toEqual({ verdict: 'clean:web-01', score: 42 });
});
