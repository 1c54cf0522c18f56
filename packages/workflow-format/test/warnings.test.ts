/** Kibana keys Flowgate does not act on: accepted, with the warning `<path>: accepted but ignored (Kibana key)`. */
import { validateWorkflow } from '@flowgate/workflow-format';

const yaml = `name: kibana-flavoured
template-metadata: { author: someone }
outputs:
  - name: verdict
    type: string
triggers:
  - type: alert
    on:
      condition: "rule.tags : page"
      workflowEvents: ignore
settings:
  timezone: Europe/Paris
  concurrency: { max: 2 }
  liquid: { renderLimit: 2000 }
  on-failure:
    retry: { max-attempts: 2, jitter: true, condition: "x" }
steps:
  - name: loop
    type: foreach
    foreach: [1, 2]
    max-iterations: 10
    iteration-on-failure: { continue: true }
    steps:
      - name: ask
        type: ai.prompt
        agent-id: a1
        inference-id: i1
        with: { prompt: "hi" }
  - name: call
    type: http
    max-step-size: 2mb
    with:
      url: https://x.test
      fetcher: { skip_ssl_verification: true }
`;

describe('Kibana keys', () => {
  const result = validateWorkflow(yaml);

  it('are not errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('each get a warning with its path and the key position', () => {
    const got = result.warnings.map((w) => `${w.line}:${w.column} ${w.path}: ${w.message}`);
    expect(got).toEqual([
      '2:1 template-metadata: accepted but ignored (Kibana key)',
      '10:7 triggers[0].on.workflowEvents: accepted but ignored (Kibana key)',
      '12:3 settings.timezone: accepted but ignored (Kibana key)',
      '13:3 settings.concurrency: accepted but ignored (Kibana key)',
      '14:3 settings.liquid: accepted but ignored (Kibana key)',
      '16:31 settings.on-failure.retry.jitter: accepted but ignored (Kibana key)',
      '16:45 settings.on-failure.retry.condition: accepted but ignored (Kibana key)',
      '21:5 steps[0].max-iterations: accepted but ignored (Kibana key)',
      '22:5 steps[0].iteration-on-failure: accepted but ignored (Kibana key)',
      '26:9 steps[0].steps[0].agent-id: accepted but ignored (Kibana key)',
      '27:9 steps[0].steps[0].inference-id: accepted but ignored (Kibana key)',
      '31:5 steps[1].max-step-size: accepted but ignored (Kibana key)',
      '34:7 steps[1].with.fetcher: accepted but ignored (Kibana key)',
    ]);
  });

  it('are dropped from the definition', () => {
    const def = result.definition!;
    expect(def).not.toHaveProperty('template-metadata');
    // outputs are acted on (workflow.output, workflow.execute)
    expect(def.outputs).toMatchObject({ properties: { verdict: { type: 'string' } } });
    expect(def.settings).toEqual({
      maxStepSize: 1_048_576,
      onFailure: { retry: { maxAttempts: 2, delayMs: 1000, strategy: 'fixed', multiplier: 2, maxDelayMs: 3_600_000 } },
    });
    expect(def.steps[1].with).toEqual({ url: 'https://x.test' });
    expect(def.steps[0]).not.toHaveProperty('max-iterations');
  });
});
