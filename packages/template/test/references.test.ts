import { isTemplate, isWholeValue, stepReferences } from '@flowgate/template';

describe('stepReferences', () => {
  it('finds steps.X in outputs and tags', () => {
    expect(stepReferences('{{ steps.open_case.output.case.id }}')).toEqual(['open_case']);
    expect(stepReferences('**Decision:** {{ steps.review.output.approved ? "isolated" : "no action" }}\n{{ steps.review.output.notes }}')).toEqual(['review']);
    expect(stepReferences('{% if steps.classify.output.category == "x" %}{{ steps.review.output }}{% endif %}')).toEqual(['classify', 'review']);
    expect(stepReferences('{% for h in steps.investigate.output.hits.hits %}{{ h }}{% endfor %}')).toEqual(['investigate']);
  });
  it('finds bracket forms and names with dashes', () => {
    expect(stepReferences(`{{ steps['my-step'].output }} {{ steps["other_1"].status }}`)).toEqual(['my-step', 'other_1']);
  });
  it('finds references in a whole ${{ }} value', () => {
    expect(stepReferences('${{ steps.investigate.output.hits.hits }}')).toEqual(['investigate']);
  });
  it('ignores text, quoted strings, comments and other variables', () => {
    expect(stepReferences('steps.text_only {{ "steps.quoted" }} {{ mysteps.x }} {{ a.steps.b }}')).toEqual([]);
    expect(stepReferences('{% comment %}{{ steps.hidden }}{% endcomment %}{% # steps.inline %}{% raw %}{{ steps.raw }}{% endraw %}')).toEqual([]);
    expect(stepReferences('no templates')).toEqual([]);
  });
  it('lists each step once', () => {
    expect(stepReferences('{{ steps.a.output }}{{ steps.a.error }}{{ steps.b }}')).toEqual(['a', 'b']);
  });
});

describe('isTemplate / isWholeValue', () => {
  it('detects {{ and {%', () => {
    expect(isTemplate('a {{ b }}')).toBe(true);
    expect(isTemplate('{% if x %}{% endif %}')).toBe(true);
    expect(isTemplate('plain } text {')).toBe(false);
  });
  it('detects whole values', () => {
    expect(isWholeValue(' ${{ a }} ')).toBe(true);
    expect(isWholeValue('${{ a }} ${{ b }}')).toBe(false);
    expect(isWholeValue('x ${{ a }}')).toBe(false);
    expect(isWholeValue('{{ a }}')).toBe(false);
  });
});
