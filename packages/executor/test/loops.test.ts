/**
 * `while`, `loop.break` and `loop.continue` through the real executor on a real redis-server: a while
 * whose condition reads a step of its own body (Kibana's polling pattern), its cap either way, a
 * reviewer's answer and a timer inside its body, break and continue in foreach and while (also from an
 * `if` and from a fallback list), and `while.iteration` next to an outer `foreach.item`.
 */
import { resumeExecution } from '../src';
import { harnessForFile } from './harness';

const t = harnessForFile();

const header = 'name: T\ntriggers: [{ type: manual }]\n';

it('a while runs its body, then checks its condition (reading its own body) after each iteration', async () => {
  const yaml = `${header}steps:
  - name: poll_job
    type: while
    condition: "steps.check.output.status : pending"
    max-iterations: 10
    steps:
      - name: check
        type: data.set
        with:
          status: "{% if while.iteration < 3 %}pending{% else %}done{% endif %}"
          n: "\${{ while.iteration }}"
  - name: after
    type: console
    with: { message: "{{ steps.check.output.status }} after {{ steps.poll_job.output.iterations }} iterations, n={{ steps.check.output.n }}" }
`;
  const id = await t.h.start('while-poll', yaml);
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.filter((r) => r.name === 'check').map((r) => [r.path, r.output])).toEqual([
    ['poll_job[0]/check', { status: 'pending', n: 0 }],
    ['poll_job[1]/check', { status: 'pending', n: 1 }],
    ['poll_job[2]/check', { status: 'pending', n: 2 }],
    ['poll_job[3]/check', { status: 'done', n: 3 }],
  ]);
  expect(step('poll_job')).toMatchObject({ status: 'COMPLETED', output: { iterations: 4 }, attempts: 1 });
  expect(step('after')!.output).toBe('done after 4 iterations, n=3');
});

it('max-iterations as a number ends the loop there and the step succeeds; on-limit: fail fails it (on-failure applies)', async () => {
  const yaml = `${header}steps:
  - name: forever
    type: while
    condition: "true"
    max-iterations: 3
    steps:
      - { name: tick, type: data.set, with: { i: "\${{ while.iteration }}" } }
  - name: strict
    type: while
    condition: "steps.tock.output.i < 100"
    max-iterations: { limit: 2, on-limit: fail }
    on-failure: { continue: true }
    steps:
      - { name: tock, type: data.set, with: { i: "\${{ while.iteration }}" } }
  - name: after
    type: console
    with: { message: "{{ steps.forever.output.iterations }} {{ steps.forever.output.limitReached }} {{ steps.strict.error.type }}" }
`;
  const id = await t.h.start('while-cap', yaml);
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.filter((r) => r.name === 'tick')).toHaveLength(3);
  expect(step('forever')!.output).toEqual({ iterations: 3, limitReached: true });
  expect(records.filter((r) => r.name === 'tock')).toHaveLength(2);
  expect(step('strict')).toMatchObject({ status: 'FAILED', error: { type: 'loop_limit' } });
  expect(step('strict')!.error!.message).toContain('after 2 iterations (max-iterations 2, on-limit: fail)');
  expect(step('after')!.output).toBe('3 true loop_limit');

  const failing = await t.h.start('while-cap-fail', `${header}steps:
  - name: strict
    type: while
    condition: "true"
    max-iterations: { limit: 1, on-limit: fail }
    steps:
      - { name: once, type: data.set, with: { x: 1 } }
`);
  const failed = await t.h.done(failing);
  expect(failed.exec.status).toBe('FAILED');
  expect(failed.exec.error).toMatchObject({ type: 'loop_limit', step: 'strict' });
});

it("a while's `if` is decided once, on entry; a false `if` skips the loop", async () => {
  const yaml = `${header}steps:
  - name: flag
    type: data.set
    with: { go: true }
  - name: skipped
    type: while
    if: "inputs.run : yes"
    condition: "true"
    max-iterations: 2
    steps:
      - { name: never, type: console, with: { message: x } }
  - name: loop
    type: while
    if: "steps.flag.output.go : true"
    condition: "steps.body.output.i < 2"
    max-iterations: 5
    steps:
      - { name: body, type: data.set, with: { i: "\${{ while.iteration }}" } }
`;
  const id = await t.h.start('while-if', yaml, { inputs: { run: 'no' } });
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('skipped')!.status).toBe('SKIPPED');
  expect(records.some((r) => r.name === 'never')).toBe(false);
  expect(step('loop')!.output).toEqual({ iterations: 3 });
});

it('a reviewer answer and a wait inside a while body move the loop on to its next check', async () => {
  const yaml = `${header}steps:
  - name: ask
    type: while
    condition: "not steps.review.output.approved : true"
    max-iterations: 3
    steps:
      - { name: pause, type: wait, with: { duration: 10ms } }
      - name: review
        type: waitForApproval
        with: { message: "Round {{ while.iteration }}: isolate?" }
  - name: done
    type: console
    with: { message: "approved by {{ steps.review.respondedBy }} in round {{ steps.ask.output.iterations }}" }
`;
  const id = await t.h.start('while-hitl', yaml);
  await t.h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  expect(await resumeExecution(t.h.rt, id, { approved: false }, 'alice')).toMatchObject({ ok: true });
  const second = await t.h.until(id, (s) => s === 'WAITING_FOR_INPUT');
  expect(second.exec.waitingFor).toMatchObject({ step: 'ask[1]/review', message: 'Round 1: isolate?' });
  expect(await resumeExecution(t.h.rt, id, { approved: true }, 'bob')).toMatchObject({ ok: true });
  const { exec, step } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('ask[0]/review')).toMatchObject({ respondedBy: 'alice', output: { approved: false } });
  expect(step('done')!.output).toBe('approved by bob in round 2');
});

it('loop.break in an `if` ends the foreach at the first match; the if and the loop complete', async () => {
  const yaml = `${header}steps:
  - name: find_critical
    type: foreach
    foreach: "\${{ event.alerts }}"
    steps:
      - name: seen
        type: data.set
        with: { host: "{{ foreach.item.host }}" }
      - name: check_critical
        type: if
        condition: "foreach.item.severity : critical"
        steps:
          - name: note
            type: console
            with: { message: "first critical at {{ foreach.index }}" }
          - name: exit
            type: loop.break
          - name: unreachable
            type: console
            with: { message: never }
  - name: after
    type: console
    with: { message: "{{ steps.note.output }} / last seen {{ steps.seen.output.host }}" }
`;
  const alerts = [
    { host: 'a', severity: 'low' },
    { host: 'b', severity: 'critical' },
    { host: 'c', severity: 'critical' },
  ];
  const id = await t.h.start('break-foreach', yaml, { event: { alerts } });
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.filter((r) => r.name === 'seen').map((r) => r.path)).toEqual(['find_critical[0]/seen', 'find_critical[1]/seen']);
  expect(records.some((r) => r.name === 'unreachable')).toBe(false);
  expect(step('find_critical[1]/check_critical')!.status).toBe('COMPLETED');
  expect(step('find_critical[1]/check_critical/exit')!.status).toBe('COMPLETED');
  expect(step('find_critical')!.status).toBe('COMPLETED');
  expect(step('after')!.output).toBe('first critical at 1 / last seen b');
  expect(records.every((r) => r.status === 'COMPLETED' || r.status === 'SKIPPED')).toBe(true);
});

it('loop.continue skips the rest of an iteration, in a foreach and in a while', async () => {
  const yaml = `${header}steps:
  - name: each
    type: foreach
    foreach: "[1, 2, 3, 4]"
    steps:
      - name: skip_odd
        type: loop.continue
        if: "foreach.item : (1 or 3)"
      - name: even
        type: data.set
        with: { n: "\${{ foreach.item }}" }
  - name: spin
    type: while
    condition: "steps.count.output.i < 4"
    max-iterations: 10
    steps:
      - name: count
        type: data.set
        with: { i: "\${{ while.iteration }}" }
      - name: next_round
        type: loop.continue
      - name: never
        type: console
        with: { message: unreachable }
`;
  const id = await t.h.start('continue', yaml);
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.filter((r) => r.name === 'even').map((r) => r.output)).toEqual([{ n: 2 }, { n: 4 }]);
  expect(records.filter((r) => r.name === 'skip_odd').map((r) => r.status)).toEqual(['COMPLETED', 'SKIPPED', 'COMPLETED', 'SKIPPED']);
  expect(records.some((r) => r.name === 'never')).toBe(false);
  expect(step('spin')!.output).toEqual({ iterations: 5 });
});

it('loop.break in a while, and from the fallback of a failed step in a loop', async () => {
  const yaml = `${header}steps:
  - name: retry_until
    type: while
    condition: "true"
    max-iterations: 50
    steps:
      - name: attempt
        type: data.set
        with: { i: "\${{ while.iteration }}" }
      - name: enough
        type: loop.break
        if: "steps.attempt.output.i >= 2"
  - name: hosts
    type: foreach
    foreach: '["ok", "bad", "never"]'
    steps:
      - name: act
        type: data.parseJson
        source: "{% if foreach.item == 'bad' %}{not json{% else %}{}{% endif %}"
        on-failure:
          fallback:
            - name: give_up
              type: loop.break
      - name: acted
        type: data.set
        with: { host: "{{ foreach.item }}" }
`;
  const id = await t.h.start('break-while', yaml);
  const { exec, step, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('retry_until')!.output).toEqual({ iterations: 3 });
  expect(records.filter((r) => r.name === 'attempt')).toHaveLength(3);
  expect(records.filter((r) => r.name === 'acted').map((r) => r.output)).toEqual([{ host: 'ok' }]);
  expect(step('hosts[1]/act')!.status).toBe('FAILED');
  expect(step('hosts[1]/act/fallback/give_up')!.status).toBe('COMPLETED');
  expect(step('hosts')!.status).toBe('COMPLETED');
  expect(records.some((r) => r.path.startsWith('hosts[2]'))).toBe(false);
});

it('inside a while in a foreach, both foreach.item and while.iteration are visible', async () => {
  const yaml = `${header}steps:
  - name: per_host
    type: foreach
    foreach: '["web-01", "db-01"]'
    steps:
      - name: probe
        type: while
        condition: "steps.ping.output.n < 1"
        max-iterations: 5
        steps:
          - name: ping
            type: data.set
            with: { host: "{{ foreach.item }}", n: "\${{ while.iteration }}" }
`;
  const id = await t.h.start('nested-loops', yaml);
  const { exec, records } = await t.h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(records.filter((r) => r.name === 'ping').map((r) => [r.path, r.output])).toEqual([
    ['per_host[0]/probe[0]/ping', { host: 'web-01', n: 0 }],
    ['per_host[0]/probe[1]/ping', { host: 'web-01', n: 1 }],
    ['per_host[1]/probe[0]/ping', { host: 'db-01', n: 0 }],
    ['per_host[1]/probe[1]/ping', { host: 'db-01', n: 1 }],
  ]);
});
