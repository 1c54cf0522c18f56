/**
 * Kibana 9.5's wait-step contract (docs/workflows.md "Waiting for a human"): default timeouts, the
 * `on-timeout` outcome checked when the workflow is saved, and a warning when the answer's schema
 * hides `output.response` or `output.respondedBy`.
 */
import { validateWorkflow, WAIT_TIMEOUT_DEFAULTS } from '@flowgate/workflow-format';

const workflow = (step: string) => `name: gate
triggers: [{ type: manual }]
steps:
${step}`;

const HOUR = 3_600_000;

describe('wait steps', () => {
  it('time out after 72 h (waitForInput) and 24 h (waitForApproval) unless they say otherwise', () => {
    const r = validateWorkflow(
      workflow(`  - name: ask
    type: waitForInput
    with: { message: "?" }
  - name: approve
    type: waitForApproval
    with: { message: "?" }
  - name: quick
    type: waitForApproval
    timeout: 5m
    with: { message: "?" }
  - name: other
    type: wait
    with: { duration: 1s }
`),
    );
    expect(r.errors).toEqual([]);
    expect(r.definition!.steps.map((s) => s.timeoutMs)).toEqual([72 * HOUR, 24 * HOUR, 5 * 60_000, undefined]);
    expect(WAIT_TIMEOUT_DEFAULTS).toEqual({ waitForInput: 72 * HOUR, waitForApproval: 24 * HOUR });
  });

  it('take an on-timeout outcome that their schema accepts', () => {
    const r = validateWorkflow(
      workflow(`  - name: ask
    type: waitForInput
    timeout: 2s
    on-timeout:
      outcome: { action: monitor }
    with:
      schema:
        type: object
        properties: { action: { type: string, enum: [block, monitor] } }
        required: [action]
  - name: approve
    type: waitForApproval
    on-timeout:
      outcome: { approved: false, notes: "no answer" }
`),
    );
    expect(r.errors).toEqual([]);
    expect(r.definition!.steps[0].onTimeout).toEqual({ outcome: { action: 'monitor' } });
    expect(r.definition!.steps[1].onTimeout).toEqual({ outcome: { approved: false, notes: 'no answer' } });
  });

  it.each([
    ['waitForInput', 'with: { schema: { type: object, properties: { action: { type: string, enum: [block, monitor] } }, required: [action] } }', '{ action: shrug }', 'on-timeout outcome does not match'],
    ['waitForInput', 'with: { schema: { type: object, properties: { action: { type: string } }, required: [action] } }', '{}', 'action'],
    ['waitForApproval', 'with: { message: "?" }', '{ approved: "no" }', 'on-timeout outcome does not match'],
  ])('refuse an outcome its %s schema refuses, naming on-timeout', (type, withLine, outcome, message) => {
    const r = validateWorkflow(
      workflow(`  - name: ask
    type: ${type}
    on-timeout:
      outcome: ${outcome}
    ${withLine}
`),
    );
    expect(r.errors).toEqual([expect.objectContaining({ path: 'steps[0].on-timeout.outcome', message: expect.stringContaining(message) })]);
  });

  it('refuse on-timeout on other steps and without an outcome', () => {
    const other = validateWorkflow(workflow(`  - name: w\n    type: wait\n    on-timeout: { outcome: {} }\n    with: { duration: 1s }\n`));
    expect(other.errors.map((e) => e.path)).toContain('steps[0].on-timeout');
    const bare = validateWorkflow(workflow(`  - name: w\n    type: waitForApproval\n    on-timeout: {}\n`));
    expect(bare.errors.length).toBeGreaterThan(0);
    expect(bare.errors[0].message).toMatch(/outcome/);
  });

  it('warn when the schema defines response or respondedBy (Kibana 9.5 puts the answer there)', () => {
    const r = validateWorkflow(
      workflow(`  - name: ask
    type: waitForInput
    with:
      schema:
        type: object
        properties:
          response: { type: string }
          approved: { type: boolean }
`),
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([expect.objectContaining({ path: 'steps[0].with.schema.properties.response', message: expect.stringContaining('output.response') })]);
  });
});
