/**
 * data.aggregate, data.concat, data.dedupe, data.find, data.regexExtract and data.regexReplace through
 * the real executor on a real redis-server: step-level parameters (`items`, `arrays`, `strategy`,
 * `source`, `errorIfNoMatch`, `detailed`) rendered from the context, outputs read by later steps,
 * the item cap, run-time validation errors, and a catastrophic-backtracking pattern finishing at once.
 */
import type IORedis from 'ioredis';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
  h = new ExecutorHarness(redis);
});
afterAll(async () => {
  await h?.close(true);
  await server.stop();
});

const header = 'name: T\ntriggers: [{ type: manual }]\n';

const alerts = [
  { host: { name: 'web-01' }, user: { name: 'bob' }, severity: 'high', risk: 70, message: 'login user_id=ab12 from 10.0.0.1' },
  { host: { name: 'db-01' }, user: { name: 'eve' }, severity: 'critical', risk: 95, message: 'login user_id=ff00 from 10.0.0.2' },
  { host: { name: 'web-01' }, user: { name: 'bob' }, severity: 'low', risk: 10, message: 'no id here' },
];

const WORKFLOW = `${header}consts:
  extra: [{ host: { name: "mail-01" }, user: { name: "ann" }, severity: "high", risk: 50 }]
steps:
  - name: per_host
    type: data.aggregate
    items: "\${{ event.alerts }}"
    with:
      group_by: ["host.name"]
      metrics:
        - { name: count, operation: count }
        - { name: max_risk, operation: max, field: risk }
      order: desc
      order_by: max_risk
  - name: everyone
    type: data.concat
    arrays:
      - "\${{ event.alerts }}"
      - "{{ consts.extra | json }}"
      - null
  - name: users
    type: data.dedupe
    items: "\${{ steps.everyone.output }}"
    strategy: keep_last
    with: { keys: ["user.name"] }
  - name: first_critical
    type: data.find
    items: "\${{ steps.users.output }}"
    with: { condition: "item.severity : critical and item.risk >= {{ inputs.min_risk }}" }
  - name: ids
    type: data.regexExtract
    source: "\${{ event.alerts | map: 'message' }}"
    with:
      pattern: "user_id=(?<id>[a-f0-9]+) from (\\\\S+)"
      fields: { user_id: id, ip: "$2" }
  - name: redacted
    type: data.regexReplace
    source: "{{ event.alerts[0].message }}"
    detailed: "\${{ inputs.detailed }}"
    with:
      pattern: "\\\\d+\\\\.\\\\d+\\\\.\\\\d+\\\\.\\\\d+"
      replacement: "[ip of {{ steps.first_critical.output.item.user.name }}]"
      flags: g
  - name: report
    type: console
    with:
      message: "{{ steps.per_host.output[0]['host.name'] }} {{ steps.users.output | size }} {{ steps.first_critical.output.index }} {{ steps.ids.output[1].ip }}"
`;

it('run through the executor, each reading the steps before it', async () => {
  const id = await h.start('data-steps', WORKFLOW, { event: { alerts }, inputs: { min_risk: 90, detailed: true } });
  const { exec, step } = await h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('per_host')!.output).toEqual([
    { 'host.name': 'db-01', count: 1, max_risk: 95 },
    { 'host.name': 'web-01', count: 2, max_risk: 70 },
  ]);
  expect(step('everyone')!.output).toHaveLength(4);
  expect(step('users')!.output).toEqual([alerts[2], alerts[1], { host: { name: 'mail-01' }, user: { name: 'ann' }, severity: 'high', risk: 50 }]);
  expect(step('first_critical')!.output).toEqual({ item: alerts[1], index: 1 });
  expect(step('ids')!.output).toEqual([{ user_id: 'ab12', ip: '10.0.0.1' }, { user_id: 'ff00', ip: '10.0.0.2' }, null]);
  expect(step('redacted')!.output).toEqual({ original: alerts[0].message, replaced: 'login user_id=ab12 from [ip of eve]', matchCount: 1 });
  expect(step('report')!.output).toBe('db-01 3 1 10.0.0.2');
});

it('bad parameters given as templates fail the step when it runs, naming the field (validation_error, not retried)', async () => {
  const steps = `${header}steps:
  - name: rx
    type: data.regexExtract
    source: "abc"
    with: { pattern: "{{ inputs.pattern }}", fields: { x: "$1" } }
  - name: never
    type: console
    with: { message: unreachable }
`;
  const id = await h.start('data-bad-pattern', steps, { inputs: { pattern: '(a)(?=b)' } });
  const { exec, step, records } = await h.done(id);
  expect(exec.status).toBe('FAILED');
  expect(step('rx')!.error).toEqual({
    type: 'validation_error',
    message: 'data.regexExtract: with.pattern: invalid regular expression: lookahead (?=…) is not supported (RE2 runs in linear time and has no lookaround)',
  });
  expect(records.find((r) => r.path === 'never')).toBeUndefined();
});

it('errorIfNoMatch fails the step, and on-failure catches it like any step error', async () => {
  const steps = `${header}steps:
  - name: rx
    type: data.regexExtract
    source: "no number"
    errorIfNoMatch: true
    with: { pattern: "(\\\\d+)", fields: { n: "$1" } }
    on-failure:
      fallback:
        - name: note
          type: console
          with: { message: "no match: {{ steps.rx.error.type }}" }
      continue: true
`;
  const id = await h.start('data-no-match', steps);
  const { exec, step } = await h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('rx')!.error).toMatchObject({ type: 'step_error', message: 'data.regexExtract: the pattern does not match source (errorIfNoMatch is set)' });
  expect(step('rx/fallback/note')!.output).toBe('no match: step_error');
});

it('a pattern that backtracks catastrophically in JavaScript completes at once on RE2', async () => {
  const steps = `${header}steps:
  - name: evil
    type: data.regexReplace
    source: "\${{ inputs.text }}"
    with: { pattern: "^(a+)+$", replacement: "x" }
`;
  const started = Date.now();
  const id = await h.start('data-redos', steps, { inputs: { text: `${'a'.repeat(90_000)}!` } });
  const { exec, step } = await h.done(id);
  expect(exec.status).toBe('COMPLETED');
  expect(step('evil')!.output).toBe(`${'a'.repeat(90_000)}!`);
  expect(Date.now() - started).toBeLessThan(5_000);
});

it('take at most 10,000 items, as data.map and data.filter', async () => {
  const items = Array.from({ length: 10_001 }, (_, i) => ({ n: i % 3 }));
  const cases: Array<[string, string]> = [
    ['data.aggregate', `items: "\${{ inputs.items }}"\n    with: { group_by: [n], metrics: [{ name: c, operation: count }] }`],
    ['data.dedupe', `items: "\${{ inputs.items }}"\n    with: { keys: [n] }`],
    ['data.find', `items: "\${{ inputs.items }}"\n    with: { condition: "item.n : 7" }`],
  ];
  for (const [type, body] of cases) {
    const yaml = `${header}steps:\n  - name: many\n    type: ${type}\n    ${body}\n`;
    const id = await h.start(`${type.replace('.', '-')}-cap`, yaml, { inputs: { items } });
    const { exec, step } = await h.done(id);
    expect([type, exec.status]).toEqual([type, 'FAILED']);
    expect(step('many')!.error).toEqual({ type: 'validation_error', message: `${type}: 10001 items, at most 10000` });
  }
  const concat = `${header}steps:\n  - name: many\n    type: data.concat\n    arrays: ["\${{ inputs.items }}", [1]]\n`;
  const id = await h.start('concat-cap', concat, { inputs: { items: items.slice(0, 10_000) } });
  const { step } = await h.done(id);
  expect(step('many')!.error).toEqual({ type: 'validation_error', message: 'data.concat: more than 10000 items in all' });
});
