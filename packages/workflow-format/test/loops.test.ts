/**
 * The validator on `while`, `loop.break` and `loop.continue`: Kibana's while (a condition reading a
 * step of its own body, max-iterations as a number or {limit, on-limit}, the per-iteration keys
 * accepted and ignored), the default cap with its warning, and loop control only inside a loop.
 */
import { validateWorkflow } from '@flowgate/workflow-format';

const HEAD = 'name: t\ntriggers:\n  - type: manual\nsteps:\n';

function check(steps: string) {
  return validateWorkflow(`${HEAD}${steps}`);
}

const POLL = `  - name: poll_job
    type: while
    condition: "steps.check.output.status : pending"
    max-iterations:
      limit: 60
      on-limit: fail
    steps:
      - name: check
        type: elasticsearch.search
        with: { index: jobs, query: { term: { id: "{{ inputs.job_id }}" } }, size: 1 }
      - name: log_progress
        type: console
        with: { message: "iteration {{ while.iteration }}: {{ steps.check.output.status }}" }
      - name: pause
        type: wait
        with: { duration: 30s }
`;

it("accepts Kibana's polling while: its condition reads a step of its own body", () => {
  const r = check(POLL);
  expect(r.errors).toEqual([]);
  expect(r.warnings).toEqual([]);
  expect(r.definition!.steps[0]).toMatchObject({ type: 'while', condition: 'steps.check.output.status : pending', maxIterations: { limit: 60, onLimit: 'fail' } });
});

it('a bare max-iterations means on-limit: continue; none means the default cap, with a warning', () => {
  const bare = check(POLL.replace(/max-iterations:\n {6}limit: 60\n {6}on-limit: fail/, 'max-iterations: 5'));
  expect(bare.errors).toEqual([]);
  expect(bare.definition!.steps[0].maxIterations).toEqual({ limit: 5, onLimit: 'continue' });
  const none = check(POLL.replace(/ {4}max-iterations:\n {6}limit: 60\n {6}on-limit: fail\n/, ''));
  expect(none.errors).toEqual([]);
  expect(none.definition!.steps[0].maxIterations).toEqual({ limit: 2000, onLimit: 'continue' });
  expect(none.warnings).toEqual([expect.objectContaining({ path: 'steps[0].type', message: expect.stringContaining('no max-iterations: the loop stops after 2000 iterations') })]);
});

it('rejects a bad cap, naming the field', () => {
  const zero = check(POLL.replace('limit: 60', 'limit: 0'));
  expect(zero.errors.map((e) => e.path)).toEqual(['steps[0].max-iterations.limit']);
  const huge = check(POLL.replace(/max-iterations:\n {6}limit: 60\n {6}on-limit: fail/, 'max-iterations: 10001'));
  expect(huge.errors.map((e) => e.path)).toEqual(['steps[0].max-iterations']);
  const onLimit = check(POLL.replace('on-limit: fail', 'on-limit: explode'));
  expect(onLimit.errors.map((e) => e.path)).toEqual(['steps[0].max-iterations.on-limit']);
});

it('warns on the per-iteration keys it does not act on; a while needs a condition and steps', () => {
  const r = check(POLL.replace('    steps:\n', '    iteration-timeout: 5m\n    iteration-on-failure: { continue: true }\n    steps:\n'));
  expect(r.errors).toEqual([]);
  expect(r.warnings.map((w) => [w.path, w.message])).toEqual([
    ['steps[0].iteration-timeout', 'accepted but ignored (Kibana key)'],
    ['steps[0].iteration-on-failure', 'accepted but ignored (Kibana key)'],
  ]);
  const bare = check('  - name: w\n    type: while\n    max-iterations: 2\n');
  expect(bare.errors.map((e) => e.message).join('\n')).toMatch(/condition[\s\S]*steps|steps[\s\S]*condition/);
});

it('a step after the while reads its body; a step before it may not', () => {
  const after = check(`${POLL}  - name: report\n    type: console\n    with: { message: "{{ steps.check.output.status }}" }\n`);
  expect(after.errors).toEqual([]);
  const before = check(`  - name: early\n    type: console\n    with: { message: "{{ steps.check.output.status }}" }\n${POLL}`);
  expect(before.errors.map((e) => e.message)).toEqual(['reads steps.check, but step "check" does not run before this step']);
});

it('loop.break and loop.continue only inside a foreach or a while (also in a fallback there, or under an if)', () => {
  const inside = check(`  - name: hosts
    type: foreach
    foreach: '["a"]'
    steps:
      - name: gate
        type: if
        condition: "foreach.item : a"
        steps:
          - { name: out, type: loop.break }
      - name: act
        type: console
        with: { message: x }
        on-failure:
          fallback:
            - { name: skip, type: loop.continue }
  - name: one
    type: console
    foreach: '["a"]'
    with: { message: x }
    on-failure:
      fallback:
        - { name: stop, type: loop.break }
`);
  expect(inside.errors).toEqual([]);
  const outside = check(`  - { name: stray, type: loop.break }
  - name: hosts
    type: foreach
    foreach: '["a"]'
    steps:
      - { name: x, type: console, with: { message: x } }
    on-failure:
      fallback:
        - { name: not_in_iteration, type: loop.continue }
`);
  expect(outside.errors.map((e) => [e.path, e.message])).toEqual([
    ['steps[0].type', 'loop.break must be inside a foreach or a while (it ends the innermost loop)'],
    ['steps[1].on-failure.fallback[0].type', 'loop.continue must be inside a foreach or a while (it goes on with the next iteration of the innermost loop)'],
  ]);
  const withKeys = check('  - name: h\n    type: foreach\n    foreach: "[1]"\n    steps:\n      - { name: b, type: loop.break, with: { x: 1 } }\n');
  expect(withKeys.errors.map((e) => e.path)).toEqual(['steps[0].steps[0].with']);
});
