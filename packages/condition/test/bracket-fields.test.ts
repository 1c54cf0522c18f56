/** A field path may hold a bracketed, quoted key with spaces: `steps['open ticket'].output` (Kibana step names). */
import { evaluateCondition } from '@flowgate/condition';

describe('bracketed keys in KQL field paths', () => {
  const ctx = { steps: { 'open ticket': { output: { ok: true, id: 'T-1' } } }, labels: { 'a.b': 'x' } };

  it.each([
    ["steps['open ticket'].output.ok : true", true],
    ['steps["open ticket"].output.id : T-1', true],
    ["steps['open ticket'].output.id : T-2", false],
    ["not steps['open ticket'].output.id : T-2 and labels['a.b'] : x", true],
    ["steps['open ticket'].output.missing : *", false],
  ])('%s → %s', (condition, expected) => {
    expect(evaluateCondition(condition, ctx)).toBe(expected);
  });
});
