/** Kibana's `${{ }}` inside a longer string renders like `{{ }}` (issue 14); a whole `${{ }}` still keeps its type. */
import { dollarOutputs, renderString, stepReferences } from '@flowgate/template';

const ctx = { consts: { index: 'logs-a' }, foreach: { item: { sha: 'abc123', n: 2 } }, steps: { 'open ticket': { output: { id: 'T-1' } } } };

describe('${{ }} inside a longer string', () => {
  it('is rendered as text, like {{ }}', () => {
    expect(renderString('/{{ consts.index }}/_doc/${{ foreach.item.sha }}', ctx)).toBe('/logs-a/_doc/abc123');
    expect(renderString('${{ foreach.item.n }}${{ foreach.item.n | plus: 1 }}', ctx)).toBe('23');
    expect(renderString('a  ${{- foreach.item.sha }}', ctx)).toBe('aabc123');
    expect(renderString("ticket ${{ steps['open ticket'].output.id }}", ctx)).toBe('ticket T-1');
  });

  it('leaves a whole ${{ }} typed, and {% raw %} text alone', () => {
    expect(renderString('${{ foreach.item.n }}', ctx)).toBe(2);
    expect(renderString('{% raw %}${{ x }}{% endraw %} ${{ foreach.item.n }}', ctx)).toBe('${{ x }} 2');
  });

  it('finds where they are (for the validator\'s warning) and their step references', () => {
    expect(dollarOutputs('/{{ a }}/_doc/${{ b }} and ${{ c }}')).toEqual([14, 27]);
    expect(stepReferences("x ${{ steps['open ticket'].output }}")).toEqual(['open ticket']);
  });
});
