import { readFileSync } from 'fs';
import * as path from 'path';
import { StepDefinition, validateWorkflow, walkSteps, WorkflowDefinition } from '@flowgate/workflow-format';

const example = (name: string) => readFileSync(path.resolve(__dirname, '../../../examples', name), 'utf8');

function definition(yaml: string): WorkflowDefinition {
  const result = validateWorkflow(yaml);
  expect(result.errors).toEqual([]);
  return result.definition!;
}

describe('normalized definition of the reference example', () => {
  const def = definition(example('isolate-host-with-approval.yaml'));

  it('has the top-level fields with defaults', () => {
    expect(def.name).toBe('isolate-host-with-approval');
    expect(def.enabled).toBe(true);
    expect(def.tags).toEqual([]);
    expect(def.consts).toEqual({});
    expect(def.triggers).toEqual([{ type: 'alert' }]);
    expect(def.settings).toEqual({ maxStepSize: 1_048_576 });
    expect(def.version).toBeUndefined();
    expect(def.steps.map((s) => s.name)).toEqual(['open_case', 'investigate', 'classify', 'review', 'isolate', 'record_decision']);
  });

  it('turns kebab-case step keys into camelCase and keeps with verbatim', () => {
    const isolate = def.steps[4];
    expect(isolate).toEqual({
      name: 'isolate',
      type: 'http',
      if: 'steps.review.output.approved : true',
      connectorId: 'edr-connector',
      with: {
        method: 'POST',
        url: 'https://edr.example.com/isolate',
        body: { host: '{{ event.alerts[0].host.name }}', reason: '{{ steps.review.output.notes }}' },
      },
    });
    expect(def.steps[2].connectorId).toBe('my-openai');
    expect(def.steps[2].with.input).toBe('${{ steps.investigate.output.hits.hits }}');
    expect(def.steps[3].with.schema).toEqual({
      type: 'object',
      properties: { approved: { type: 'boolean', title: 'Isolate the host' }, notes: { type: 'string', title: 'Analyst notes' } },
      required: ['approved'],
    });
  });
});

describe('normalization', () => {
  it('converts durations, sizes, retry defaults, version and trigger shapes', () => {
    const def = definition(`version: 1
name: n
enabled: false
tags: [a]
consts: { k: 1 }
triggers:
  - type: alert
    on: { condition: "rule.tags : page" }
  - type: scheduled
    with: { every: 1h30m }
  - type: scheduled
    with: { cron: "*/5 * * * *", timezone: Europe/Paris }
  - type: scheduled
    with: { rrule: { freq: WEEKLY, interval: 1, byweekday: [MO], byhour: [9], tzid: UTC } }
  - type: manual
    inputs:
      - { name: host, type: string, required: true }
settings:
  timeout: 4h
  max-step-size: 512kb
  on-failure:
    retry: { max-attempts: 3, delay: 2s, strategy: exponential, max-delay: 1m }
    continue: true
steps:
  - name: call
    type: http
    timeout: 90s
    with: { url: https://x.test }
    on-failure:
      retry: { max-attempts: 2 }
      fallback:
        - { name: note, type: console, with: { message: "{{ steps.call.error.message }}" } }
`);
    expect(def.version).toBe('1');
    expect(def.enabled).toBe(false);
    expect(def.tags).toEqual(['a']);
    expect(def.consts).toEqual({ k: 1 });
    expect(def.triggers).toEqual([
      { type: 'alert', condition: 'rule.tags : page' },
      { type: 'scheduled', everyMs: 5_400_000 },
      { type: 'scheduled', cron: '*/5 * * * *', timezone: 'Europe/Paris' },
      { type: 'scheduled', rrule: { freq: 'WEEKLY', interval: 1, byweekday: ['MO'], byhour: [9], tzid: 'UTC' } },
      {
        type: 'manual',
        inputs: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'], additionalProperties: false },
      },
    ]);
    expect(def.inputs).toEqual({
      type: 'object',
      properties: { host: { type: 'string' } },
      required: ['host'],
      additionalProperties: false,
    });
    expect(def.settings).toEqual({
      timeoutMs: 14_400_000,
      maxStepSize: 524_288,
      onFailure: {
        retry: { maxAttempts: 3, delayMs: 2000, strategy: 'exponential', multiplier: 2, maxDelayMs: 60_000 },
        continue: true,
      },
    });
    const call = def.steps[0];
    expect(call.timeoutMs).toBe(90_000);
    expect(call.onFailure).toEqual({
      retry: { maxAttempts: 2, delayMs: 1000, strategy: 'fixed', multiplier: 2, maxDelayMs: 3_600_000 },
      fallback: [{ name: 'note', type: 'console', with: { message: '{{ steps.call.error.message }}' } }],
    });
  });

  it('keeps top-level JSON Schema inputs and containers', () => {
    const def = definition(example('escalation-gate.yaml'));
    expect(def.settings.timeoutMs).toBe(1_800_000);
    expect(def.triggers[0]).toEqual({ type: 'alert', condition: 'rule.tags : page' });
    const route = def.steps[2];
    expect(route.type).toBe('switch');
    expect(route.expression).toBe('{{ steps.decide.output.action }}');
    expect(route.cases!.map((c) => c.match)).toEqual(['escalate', 'mitigate']);
    expect(route.default!.map((s) => s.name)).toEqual(['note']);
  });

  it('walkSteps visits the whole tree with step paths', () => {
    const def = definition(`name: n
triggers: [{ type: alert }]
steps:
  - name: gate
    type: if
    condition: "true"
    steps:
      - name: hosts
        type: foreach
        foreach: [a]
        steps:
          - name: isolate
            type: http
            with: { url: https://x.test }
            on-failure:
              fallback: [{ name: notify, type: console, with: { message: x } }]
    else:
      - { name: skip, type: console, with: { message: x } }
  - name: route
    type: switch
    expression: x
    cases: [{ match: 1, steps: [{ name: open_case, type: cases.createCase, with: { title: t } }] }]
    default: [{ name: other, type: console, with: { message: x } }]
`);
    const seen: string[] = [];
    walkSteps(def.steps, (step: StepDefinition, info) => {
      seen.push(`${info.path} ${info.branch}${info.caseIndex !== undefined ? info.caseIndex : ''} ${info.parent?.name ?? '-'}`);
    });
    expect(seen).toEqual([
      'gate root -',
      'gate/hosts steps gate',
      'gate/hosts/isolate steps hosts',
      'gate/hosts/isolate/fallback/notify fallback isolate',
      'gate/skip else gate',
      'route root -',
      'route/open_case cases0 route',
      'route/other default route',
    ]);
    const names: string[] = [];
    walkSteps(def.steps, (step) => {
      names.push(step.name);
      return step.type !== 'if';
    });
    expect(names).toEqual(['gate', 'route', 'open_case', 'other']);
  });
});
