/** Workflows that must pass: references in execution order, templates in typed fields, every trigger form. */
import { validateWorkflow } from '@flowgate/workflow-format';

const HEAD = 'name: t\ntriggers:\n  - type: alert\nsteps:\n';

const valid: Array<[string, string]> = [
  [
    'an ancestor, a step nested in an earlier sibling, and an earlier sibling of an ancestor',
    `${HEAD}  - name: first
    type: if
    condition: "true"
    steps:
      - { name: nested, type: console, with: { message: x } }
  - name: loop
    type: foreach
    foreach: "\${{ steps.first.output }}"
    steps:
      - name: inner
        type: console
        with:
          message: "{{ steps.loop.output }} {{ steps.nested.output }} {{ steps.first.output.branch }}"
      - name: after
        type: console
        if: "steps.inner.status : COMPLETED"
        with: { message: "{{ steps['inner'].output }}" }
`,
  ],
  [
    'a fallback step reading its owner and earlier steps; a later step reading the fallback',
    `${HEAD}  - { name: a, type: console, with: { message: x } }
  - name: call
    type: http
    with: { url: https://x.test, body: { from: "{{ steps.a.output }}" } }
    on-failure:
      continue: true
      fallback:
        - name: notify
          type: console
          with: { message: "{{ steps.call.error.message }} after {{ steps.a.output }}" }
  - { name: z, type: console, with: { message: "{{ steps.notify.output }}" } }
`,
  ],
  [
    'settings fallback reading any step',
    `${HEAD}  - { name: a, type: console, with: { message: x } }
settings:
  on-failure:
    fallback:
      - { name: report, type: console, with: { message: "{{ steps.a.error.message }}" } }
`,
  ],
  [
    'templates in typed fields and conditions as booleans',
    `name: t
triggers:
  - type: manual
    inputs:
      type: object
      properties: { sev: { type: string }, flag: { type: boolean } }
steps:
  - name: c
    type: cases.createCase
    if: true
    with: { title: t, severity: "{{ inputs.sev }}", tags: "\${{ inputs.tags }}" }
  - name: ai
    type: ai.classify
    with: { input: "\${{ inputs }}", categories: "\${{ consts.cats }}", includeRationale: "\${{ inputs.flag }}" }
  - { name: w, type: wait, with: { duration: "{{ inputs.delay }}" } }
  - { name: set, type: cases.setStatus, with: { case_id: "{{ steps.c.output.case.id }}", status: "{{ inputs.status }}" } }
`,
  ],
  [
    'every trigger form',
    `name: t
triggers:
  - type: alert
    on: { condition: "rule.tags : page and not host.name : *test*" }
  - type: manual
  - type: scheduled
    with: { every: 90s }
  - type: scheduled
    with: { cron: "0 9 * * MON-FRI", timezone: America/New_York }
  - type: scheduled
    with: { rrule: { freq: MONTHLY, interval: 1, bymonthday: [1, 15], byhour: [8], byminute: [30], tzid: Europe/Paris, dtstart: "2025-01-01T00:00:00Z" } }
steps:
  - { name: s, type: console, with: { message: hi } }
`,
  ],
  [
    'every built-in step type',
    `${HEAD}  - { name: log, type: console, with: { message: hi } }
  - { name: vars, type: data.set, with: { a: 1, b: "{{ event.x }}" } }
  - { name: parsed, type: data.parseJson, source: "{{ event.raw }}" }
  - { name: text, type: data.stringifyJson, source: "\${{ steps.parsed.output }}", with: { pretty: true } }
  - { name: mapped, type: data.map, items: "\${{ event.alerts }}", with: { fields: { host: "{{ item.host.name }}" } } }
  - { name: kept, type: data.filter, items: [1, 2], with: { condition: "item > 1", limit: 1 } }
  - { name: pause, type: wait, with: { duration: 1m } }
  - { name: ask, type: waitForInput, with: { message: "?" } }
  - { name: approve, type: waitForApproval, with: { message: ok?, approveLabel: Go, rejectLabel: Stop } }
  - name: branch
    type: if
    condition: "steps.approve.output.approved : true"
    steps: [{ name: yes, type: console, with: { message: y } }]
    else: [{ name: no, type: console, with: { message: n } }]
  - name: each
    type: foreach
    foreach: [a, b]
    steps: [{ name: item, type: console, with: { message: "{{ foreach.item }}" } }]
  - { name: call, type: http, connector-id: pager, with: { method: POST, url: /v1, headers: { X-A: b }, body: { a: 1 }, query: { q: 1 } } }
  - { name: search, type: elasticsearch.search, with: { index: "logs-*", query: { match_all: {} }, size: 10, sort: [{ "@timestamp": desc }], aggs: {}, _source: [a] } }
  - { name: store, type: elasticsearch.index, with: { index: cases, document: { a: 1 }, id: "x" } }
  - { name: raw, type: elasticsearch.request, with: { method: GET, path: /_cluster/health } }
  - { name: esql, type: elasticsearch.esql.query, with: { query: "FROM logs | LIMIT 1" } }
  - { name: idx, type: elasticsearch.indices.create, with: { index: new } }
  - { name: cls, type: ai.classify, connector-id: my-openai, with: { input: x, categories: [a, b], instructions: i, includeRationale: false, fallbackCategory: a } }
  - { name: sum, type: ai.summarize, with: { input: x, instructions: i, maxLength: 200 } }
  - { name: prm, type: ai.prompt, with: { prompt: p, schema: { type: object, properties: { a: { type: string } } } } }
  - { name: cc, type: cases.createCase, with: { title: t, description: d, severity: low, tags: [x] } }
  - { name: ac, type: cases.addComment, with: { case_id: "{{ steps.cc.output.case.id }}", comment: c } }
  - { name: gc, type: cases.getCase, with: { case_id: "{{ steps.cc.output.case.id }}" } }
  - { name: ss, type: cases.setStatus, with: { case_id: "{{ steps.cc.output.case.id }}", status: in-progress } }
  - name: route
    type: switch
    expression: "{{ steps.ss.output.case.status }}"
    cases:
      - { match: closed, steps: [{ name: done, type: console, with: { message: d } }] }
      - { match: 2, steps: [{ name: two, type: console, with: { message: d } }] }
    default: [{ name: stop, type: workflow.fail, with: { message: "not closed" } }]
`,
  ],
];

describe('valid workflows', () => {
  it.each(valid)('%s', (_title, yaml) => {
    const result = validateWorkflow(yaml, {
      connectors: { pager: { type: 'http' }, 'my-openai': { type: 'openai' }, elasticsearch: { type: 'elasticsearch' } },
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('validateWorkflow never throws', () => {
  it.each([
    ['empty text', ''],
    ['a scalar', 'hello'],
    ['null', 'null'],
    ['steps as a string', 'name: t\ntriggers: x\nsteps: y\n'],
    ['steps holding scalars', 'name: t\ntriggers: [1, null]\nsteps: [1, "x", null, [], { name: {} }]\n'],
    ['deep garbage', 'name: t\ntriggers: [{ type: alert, on: 5 }]\nsteps:\n  - { name: a, type: if, condition: 1, steps: 3, else: { x: 1 } }\n  - { name: b, type: switch, cases: [1, { match: {}, steps: x }] }\n'],
    ['alias bomb', 'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'],
    ['tabs and bad indentation', 'name: t\n\tsteps:\n  - x\n'],
  ])('%s', (_title, yaml) => {
    const result = validateWorkflow(yaml);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(typeof e.message).toBe('string');
    }
  });

  it('rejects a non-string argument with an error, not an exception', () => {
    expect(validateWorkflow(undefined as unknown as string).valid).toBe(false);
  });
});
