/**
 * The validator on composition: workflow.execute / executeAsync (`workflow-id` required, `inputs` an
 * object or a template), the top-level `outputs` (a JSON Schema or Kibana's list form, now acted on)
 * and workflow.output's keys checked against them; `type: object` in the list form.
 */
import { validateWorkflow } from '@flowgate/workflow-format';

const HEAD = 'name: t\ntriggers:\n  - type: manual\n';

it('accepts a parent calling a child, and a child declaring its outputs (Kibana list form, type object included)', () => {
  const parent = validateWorkflow(`${HEAD}steps:
  - name: enrich
    type: workflow.execute
    timeout: 10m
    on-failure: { continue: true }
    with:
      workflow-id: shared--enrich-alerts
      inputs:
        alerts: "\${{ event.alerts }}"
  - name: notify
    type: workflow.executeAsync
    with: { workflow-id: "{{ consts.notifier }}", inputs: "\${{ steps.enrich.output }}" }
`);
  expect(parent.errors).toEqual([]);
  expect(parent.warnings).toEqual([]);

  const child = validateWorkflow(`${HEAD}inputs:
  - { name: alerts, type: object, required: true }
outputs:
  - { name: verdict, type: string, required: true }
  - { name: hosts, type: array }
steps:
  - name: out
    type: workflow.output
    with: { verdict: clean, hosts: "\${{ inputs.alerts | map: 'host' }}" }
`);
  expect(child.errors).toEqual([]);
  expect(child.warnings).toEqual([]);
  expect(child.definition!.outputs).toEqual({
    type: 'object',
    properties: { verdict: { type: 'string' }, hosts: { type: 'array', items: { type: ['string', 'number', 'boolean'] } } },
    required: ['verdict'],
    additionalProperties: false,
  });
  expect(child.definition!.inputs).toMatchObject({ properties: { alerts: { type: 'object' } } });
});

it('names what is wrong: a missing workflow-id, an unknown key, an output the workflow does not declare', () => {
  const r = validateWorkflow(`${HEAD}outputs:
  - { name: verdict, type: string }
steps:
  - name: call
    type: workflow.execute
    with: { inputs: {} }
  - name: call2
    type: workflow.executeAsync
    with: { workflow-id: x, await: false }
  - name: out
    type: workflow.output
    with: { verdit: clean }
`);
  expect(r.errors.map((e) => [e.path, e.message])).toEqual([
    ['steps[0].with', 'missing required key "workflow-id"'],
    ['steps[1].with.await', expect.stringContaining('unknown key "await"')],
    ['steps[2].with.verdit', '"verdit" is not an output this workflow declares (outputs: verdict); did you mean "verdict"?'],
  ]);
});
