/**
 * The validator on data.aggregate, data.concat, data.dedupe, data.find, data.regexExtract and
 * data.regexReplace: Kibana's parameters (and step-level keys) accepted and normalized, bad ones
 * errors naming the field when the workflow is saved, and the regular-expression scan (what RE2 lacks).
 */
import { flagsProblem, scanRegex, validateWorkflow } from '@flowgate/workflow-format';

const HEAD = 'name: t\ntriggers:\n  - type: manual\nsteps:\n';

function check(steps: string) {
  return validateWorkflow(`${HEAD}${steps}`);
}

const VALID = `  - name: agg
    type: data.aggregate
    items: "\${{ event.alerts }}"
    with:
      group_by: ["host.name"]
      metrics:
        - { name: count, operation: count }
        - { name: risk, operation: avg, field: kibana.alert.risk_score }
      order: desc
      order_by: count
      limit: 10
      buckets: { field: kibana.alert.risk_score, ranges: [{ to: 50, label: low }, { from: 50 }] }
  - name: merged
    type: data.concat
    arrays:
      - "\${{ steps.agg.output }}"
      - [{ extra: true }]
    with: { dedupe: true, flatten: 2 }
  - name: hosts
    type: data.dedupe
    items: "\${{ steps.merged.output }}"
    strategy: keep_last
    with: { keys: ["host.name"] }
  - name: first
    type: data.find
    items: "\${{ steps.hosts.output }}"
    with: { condition: "item.count > 1", errorIfEmpty: false }
  - name: user
    type: data.regexExtract
    source: "{{ event.message }}"
    errorIfNoMatch: true
    with:
      pattern: "user_id=(?<id>[a-f0-9]+) (\\\\w+)"
      fields: { user_id: id, word: "$2" }
      flags: i
  - name: redact
    type: data.regexReplace
    source: "\${{ event.lines }}"
    detailed: "{{ consts.detailed }}"
    with:
      pattern: "\\\\b\\\\d{3}-\\\\d{2}-\\\\d{4}\\\\b"
      replacement: "[REDACTED]"
      flags: g
`;

describe('the data steps of Kibana', () => {
  it('accept Kibana parameters and step-level keys, normalized onto the step', () => {
    const r = check(VALID);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const steps = r.definition!.steps;
    expect(steps.map((s) => s.type)).toEqual(['data.aggregate', 'data.concat', 'data.dedupe', 'data.find', 'data.regexExtract', 'data.regexReplace']);
    expect(steps[1].arrays).toEqual(['${{ steps.agg.output }}', [{ extra: true }]]);
    expect(steps[2].strategy).toBe('keep_last');
    expect(steps[4].errorIfNoMatch).toBe(true);
    expect(steps[4].source).toBe('{{ event.message }}');
    expect(steps[5].detailed).toBe('{{ consts.detailed }}');
    expect(steps[0].with.group_by).toEqual(['host.name']);
  });

  it('checks the step references of `arrays` like those of `items`', () => {
    const r = check('  - name: c\n    type: data.concat\n    arrays: ["${{ steps.later.output }}"]\n  - name: later\n    type: console\n    with: { message: hi }\n');
    expect(r.errors.map((e) => [e.path, e.message])).toEqual([['steps[0].arrays[0]', 'reads steps.later, but step "later" does not run before this step']]);
  });

  it.each([
    ['data.aggregate without items', '  - name: s\n    type: data.aggregate\n    with: { group_by: [a], metrics: [{ name: n, operation: count }] }\n', 'steps[0]', /missing required key "items"/],
    ['a metric without its field', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: sum }] }\n', 'steps[0].with.metrics[0]', /missing required key "field"/],
    ['an unknown operation', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: median, field: x }] }\n', 'steps[0].with.metrics[0].operation', /expected one of: count, sum, avg, min, max/],
    ['a metric name twice', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: count }, { name: n, operation: max, field: x }] }\n', 'steps[0].with.metrics[1].name', 'metric name "n" is used twice'],
    ['a metric named as a group_by field', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: a, operation: count }] }\n', 'steps[0].with.metrics[0].name', /is also a key of each row/],
    ['order_by naming nothing', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: count }], order_by: m }\n', 'steps[0].with.order_by', 'order_by "m" is neither a metric name nor a group_by field (expected one of "n", "a")'],
    ['an empty bucket range', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: count }], buckets: { field: x, ranges: [{ from: 5, to: 5 }] } }\n', 'steps[0].with.buckets.ranges[0]', 'empty range: from (5) must be less than to (5)'],
    ['order other than asc/desc', '  - name: s\n    type: data.aggregate\n    items: []\n    with: { group_by: [a], metrics: [{ name: n, operation: count }], order: up }\n', 'steps[0].with.order', /expected one of: asc, desc/],
    ['data.concat without arrays', '  - name: s\n    type: data.concat\n    with: { dedupe: true }\n', 'steps[0]', /missing required key "arrays"/],
    ['more than 50 arrays', `  - name: s\n    type: data.concat\n    arrays: [${new Array(51).fill('[1]').join(', ')}]\n`, 'steps[0].arrays', /at most 50/],
    ['flatten deeper than 10', '  - name: s\n    type: data.concat\n    arrays: [[1]]\n    with: { flatten: 11 }\n', 'steps[0].with.flatten', /<= 10/],
    ['data.dedupe without keys', '  - name: s\n    type: data.dedupe\n    items: []\n    with: {}\n', 'steps[0].with', /missing required key "keys"/],
    ['an unknown strategy', '  - name: s\n    type: data.dedupe\n    items: []\n    strategy: keep_middle\n    with: { keys: [a] }\n', 'steps[0].strategy', /expected one of: keep_first, keep_last/],
    ['strategy on another type', '  - name: s\n    type: data.find\n    items: []\n    strategy: keep_first\n    with: { condition: "item.a : 1" }\n', 'steps[0].strategy', 'key "strategy" does not apply to a step of type "data.find"'],
    ['invalid KQL in data.find', '  - name: s\n    type: data.find\n    items: []\n    with: { condition: "item.a : (" }\n', 'steps[0].with.condition', /^invalid condition/],
    ['errorIfEmpty not a boolean', '  - name: s\n    type: data.find\n    items: []\n    with: { condition: "item.a : 1", errorIfEmpty: yes please }\n', 'steps[0].with.errorIfEmpty', /expected a boolean/],
    ['a lookahead', '  - name: s\n    type: data.regexExtract\n    source: x\n    with: { pattern: "a(?=b)", fields: { x: "$0" } }\n', 'steps[0].with.pattern', 'invalid regular expression: lookahead (?=…) is not supported (RE2 runs in linear time and has no lookaround)'],
    ['a backreference', '  - name: s\n    type: data.regexReplace\n    source: x\n    with: { pattern: "(a)\\\\1", replacement: "" }\n', 'steps[0].with.pattern', /backreference \\1 is not supported/],
    ['an unbalanced pattern', '  - name: s\n    type: data.regexReplace\n    source: x\n    with: { pattern: "[a-", replacement: "" }\n', 'steps[0].with.pattern', 'invalid regular expression: missing ] (a character class is not closed)'],
    ['a bad flag', '  - name: s\n    type: data.regexReplace\n    source: x\n    with: { pattern: a, replacement: "", flags: gx }\n', 'steps[0].with.flags', 'unknown flag "x": expected some of d, g, i, m, s, u, y'],
    ['a group reference that is not one', '  - name: s\n    type: data.regexExtract\n    source: x\n    with: { pattern: "(a)", fields: { x: "$one" } }\n', 'steps[0].with.fields.x', 'expected "$<number>" or a group name, got "$one"'],
    ['regexExtract without fields', '  - name: s\n    type: data.regexExtract\n    source: x\n    with: { pattern: a }\n', 'steps[0].with', /missing required key "fields"/],
    ['regexReplace without source', '  - name: s\n    type: data.regexReplace\n    with: { pattern: a, replacement: b }\n', 'steps[0]', /missing required key "source"/],
    ['a pattern over 10,000 characters', `  - name: s\n    type: data.regexReplace\n    source: x\n    with: { pattern: "${'a'.repeat(10_001)}", replacement: b }\n`, 'steps[0].with.pattern', /10000/],
  ])('%s is an error naming the field', (_title, steps, path, message) => {
    const r = check(steps);
    expect(r.valid).toBe(false);
    const hit = r.errors.find((e) => e.path === path);
    expect(hit ? hit.message : r.errors).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });

  it('a group the pattern does not define is a warning (the field is always null, as in Kibana)', () => {
    const r = check('  - name: s\n    type: data.regexExtract\n    source: x\n    with: { pattern: "(?<a>x)(y)", fields: { a: a, b: "$2", c: "$3", d: nope } }\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.path, w.message])).toEqual([
      ['steps[0].with.fields.c', 'group "$3" is not in the pattern: this field is always null'],
      ['steps[0].with.fields.d', 'group "nope" is not in the pattern: this field is always null'],
    ]);
  });

  it('a templated pattern or flags are checked when the step runs', () => {
    expect(check('  - name: s\n    type: data.regexReplace\n    source: x\n    with: { pattern: "{{ consts.re }}", replacement: b, flags: "{{ consts.f }}" }\n').errors).toEqual([]);
  });
});

describe('scanRegex', () => {
  it.each([
    ['(?<year>\\d{4})-(\\d{2})(?:x)(?P<day>\\d+)', { names: ['year', 'day'], groups: 3 }],
    ['[(]\\)[^]a][[:alpha:]]', { names: [], groups: 0 }],
    ['(?i)abc', { names: [], groups: 0 }],
  ])('reads %s', (pattern, expected) => {
    expect(scanRegex(pattern)).toEqual(expected);
  });

  it.each([
    ['a(?!b)', /lookahead \(\?!…\)/],
    ['(?<=a)b', /lookbehind \(\?<=…\)/],
    ['(?<!a)b', /lookbehind \(\?<!…\)/],
    ['(?>a)', /atomic group/],
    ['(?<n>a)\\k<n>', /named backreference/],
    ['a)', /unmatched \)/],
    ['a\\', /lone backslash/],
  ])('finds what RE2 lacks in %s', (pattern, problem) => {
    expect(scanRegex(pattern).problem).toMatch(problem);
  });

  it('flags', () => {
    expect(flagsProblem('gimsuyd')).toBeUndefined();
    expect(flagsProblem('gg')).toBe('flag "g" is given twice');
    expect(flagsProblem('v')).toMatch(/unicode sets/);
  });
});
