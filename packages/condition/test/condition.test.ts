import { checkCondition, compileCondition, ConditionError, conditionCache, evaluateCondition, kqlQuote, parseKql } from '@flowgate/condition';
import { TemplateError } from '@flowgate/template';

const event = {
  alerts: [{ host: { name: 'web-01' }, user: { name: 'jdoe' }, rule: { tags: ['page', 'edr'] } }],
  rule: { name: 'Malware', tags: ['page', 'edr'] },
};
const ctx = {
  event,
  steps: { review: { output: { approved: true } }, classify: { output: { category: 'likely_benign' } } },
  inputs: { threshold: 50, host: 'web-01' },
};

describe('evaluateCondition', () => {
  it('uses a YAML boolean as is', () => {
    expect(evaluateCondition(true, {})).toBe(true);
    expect(evaluateCondition(false, ctx)).toBe(false);
  });

  it('the reference example if: "steps.review.output.approved : true"', () => {
    const cond = 'steps.review.output.approved : true';
    expect(evaluateCondition(cond, { steps: { review: { output: { approved: true } } } })).toBe(true);
    expect(evaluateCondition(cond, { steps: { review: { output: { approved: false, notes: 'no' } } } })).toBe(false);
    expect(evaluateCondition(cond, { steps: {} })).toBe(false);
  });

  it('"true" and "false" (trimmed) are booleans', () => {
    expect(evaluateCondition('true', {})).toBe(true);
    expect(evaluateCondition('  false ', {})).toBe(false);
    expect(evaluateCondition('{{ steps.review.output.approved }}', ctx)).toBe(true);
    expect(evaluateCondition('{{ steps.review.output.approved ? "false" : "true" }}', ctx)).toBe(false);
  });

  it('a whole ${{ }} value counts by Liquid truthiness', () => {
    expect(evaluateCondition('${{ steps.review.output.approved }}', ctx)).toBe(true);
    expect(evaluateCondition('${{ steps.nope.output.approved }}', ctx)).toBe(false);
    expect(evaluateCondition('${{ inputs.threshold > 10 }}', ctx)).toBe(true);
    expect(evaluateCondition('${{ "event.rule.tags : page" }}', ctx)).toBe(true);
  });

  it('renders templates then evaluates the KQL', () => {
    expect(evaluateCondition('event.alerts.host.name : {{ inputs.host }}', ctx)).toBe(true);
    expect(evaluateCondition('event.alerts.host.name : {{ inputs.host }} and steps.classify.output.category : likely_*', ctx)).toBe(true);
    expect(evaluateCondition('steps.classify.output.category : {{ steps.classify.output.category }}', ctx)).toBe(true);
    expect(evaluateCondition('event.rule.tags : ({{ inputs.host }} or edr)', ctx)).toBe(true);
  });

  it('quotes interpolations so an alert field cannot inject KQL', () => {
    const hostile = { ...ctx, event: { alerts: [{ host: { name: 'x or true' } }] }, host: { name: 'web-01' } };
    expect(evaluateCondition('host.name : {{ event.alerts[0].host.name }}', hostile)).toBe(false);
    // without quoting, `host.name : x or true` would have been a syntax error or matched
    const injected = { ...ctx, event: { alerts: [{ host: { name: 'nope or host.name : *' } }] }, host: { name: 'web-01' } };
    expect(evaluateCondition('host.name : {{ event.alerts[0].host.name }}', injected)).toBe(false);
    const quotes = { event: { alerts: [{ host: { name: 'a" or host.name : "web-01' } }] }, host: { name: 'web-01' } };
    expect(evaluateCondition('host.name : {{ event.alerts[0].host.name }}', quotes)).toBe(false);
    const backslash = { event: { alerts: [{ host: { name: 'a\\' } }] }, host: { name: 'a\\' } };
    expect(evaluateCondition('host.name : {{ event.alerts[0].host.name }}', backslash)).toBe(true);
  });

  it('an interpolated value is literal: its * is not a wildcard', () => {
    expect(evaluateCondition('event.alerts.host.name : {{ pattern }}', { ...ctx, pattern: 'web*' })).toBe(false);
    // a quoted value cannot be glued to a wildcard: `"web"*` is a syntax error, not a pattern
    expect(() => evaluateCondition('event.alerts.host.name : {{ pattern }}*', { ...ctx, pattern: 'web' })).toThrow(ConditionError);
  });

  it('an interpolated number still compares numerically', () => {
    expect(evaluateCondition('risk > {{ inputs.threshold }}', { ...ctx, risk: 73 })).toBe(true);
    expect(evaluateCondition('risk > {{ inputs.threshold }}', { ...ctx, risk: 12 })).toBe(false);
  });

  it('evaluates against the event for trigger conditions', () => {
    expect(evaluateCondition('rule.tags : page', event)).toBe(true);
    expect(evaluateCondition('rule.tags : page and alerts[0].user.name : j*', event)).toBe(true);
    expect(evaluateCondition('rule.tags : nope', event)).toBe(false);
  });

  it('throws ConditionError for invalid KQL, naming the condition and column', () => {
    expect(() => evaluateCondition('a : (b', {})).toThrow(ConditionError);
    expect(() => evaluateCondition('a : (b', {})).toThrow('invalid condition "a : (b" at column 6: expected ")"');
  });

  it('throws TemplateError for invalid templates', () => {
    expect(() => evaluateCondition('a : {{ x | nope }}', {})).toThrow(TemplateError);
  });
});

describe('checkCondition', () => {
  it('accepts booleans, "true"/"false" and valid KQL', () => {
    expect(checkCondition(true)).toBeNull();
    expect(checkCondition('false')).toBeNull();
    expect(checkCondition('steps.review.output.approved : true')).toBeNull();
    expect(checkCondition('rule.tags : (page or edr) and not x : *')).toBeNull();
  });
  it('returns the ConditionError of invalid KQL', () => {
    const err = checkCondition('a : (b');
    expect(err).toBeInstanceOf(ConditionError);
    expect((err as ConditionError).position).toBe(6);
  });
  it('checks templated strings as templates only', () => {
    expect(checkCondition('host.name : {{ event.alerts[0].host.name }}')).toBeNull();
    expect(checkCondition('{{ a ? "x : (" : "y" }}')).toBeNull();
    const err = checkCondition('host.name : {% include "x" %}');
    expect(err).toBeInstanceOf(TemplateError);
    expect(err?.message).toContain('tag "include" is not allowed');
  });
  it('rejects other types', () => {
    expect(checkCondition(42)).toBeInstanceOf(Error);
    expect(checkCondition(null)).toBeInstanceOf(Error);
  });
});

describe('kqlQuote and the parse cache', () => {
  it('kqlQuote produces a literal that parses back to the same text', () => {
    for (const text of ['plain', 'x or true', 'a "quoted" \\ value', '*', '', 'a\\"b', 'line\nbreak', ') or (a : *']) {
      const node = parseKql(`f : ${kqlQuote(text)}`);
      expect(node).toMatchObject({ type: 'match', pattern: { kind: 'exact', text } });
    }
  });
  it('parses the same KQL once', () => {
    conditionCache(true);
    const a = compileCondition('rule.tags : page');
    const b = compileCondition('rule.tags : page');
    expect(b).toBe(a);
    expect(conditionCache()).toBe(1);
    expect(() => compileCondition('bad (')).toThrow(ConditionError);
    expect(() => compileCondition('bad (')).toThrow(ConditionError);
    expect(conditionCache()).toBe(2);
  });
});
