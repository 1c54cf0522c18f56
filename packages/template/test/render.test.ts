import { renderBudget, renderDeep, renderString, TemplateError } from '@flowgate/template';

const decision = '**Decision:** {{ steps.review.output.approved ? "isolated" : "no action" }}\n**Notes:** {{ steps.review.output.notes }}';

const ctx = {
  event: { alerts: [{ host: { name: 'web-01' }, rule: { tags: ['page', 'edr'] } }] },
  steps: {
    review: { output: { approved: true, notes: 'confirmed by SOC' } },
    investigate: { output: { hits: { hits: [{ _id: 'a', _source: { port: 22 } }, { _id: 'b' }] } } },
    open_case: { output: { case: { id: 'case-1' } } },
  },
  inputs: { count: 3, enabled: false, ratio: 0.5, raw: '{"a":[1,2]}' },
  consts: { labels: { env: 'prod', team: 'soc' } },
};

describe('ternary (reference example)', () => {
  const ternary = '{{ steps.review.output.approved ? "isolated" : "no action" }}';

  it('renders the then-branch when the condition is true', () => {
    expect(renderString(ternary, ctx)).toBe('isolated');
  });
  it('renders the else-branch when the condition is false', () => {
    expect(renderString(ternary, { steps: { review: { output: { approved: false } } } })).toBe('no action');
  });
  it('renders the else-branch when the value is missing', () => {
    expect(renderString(ternary, {})).toBe('no action');
    expect(renderString(ternary, { steps: { review: { output: null } } })).toBe('no action');
  });
  it('renders the whole record_decision comment', () => {
    expect(renderString(decision, ctx)).toBe('**Decision:** isolated\n**Notes:** confirmed by SOC');
    expect(renderString(decision, { steps: { review: { output: { approved: false } } } })).toBe('**Decision:** no action\n**Notes:** ');
  });
  it('is the same as the if/else it stands for', () => {
    const cases = [{ n: 1 }, { n: 5 }, { n: 0 }, {}, { n: 'x' }];
    for (const c of cases) {
      expect(renderString('{{ n > 2 ? "big" : "small" }}', c)).toBe(
        renderString('{% if n > 2 %}{{ "big" }}{% else %}{{ "small" }}{% endif %}', c),
      );
    }
  });
  it('accepts ==, !=, and, or, contains in the condition', () => {
    expect(renderString('{{ a == 1 and b != 2 ? "y" : "n" }}', { a: 1, b: 3 })).toBe('y');
    expect(renderString('{{ a == 1 or b == 2 ? "y" : "n" }}', { a: 0, b: 3 })).toBe('n');
    expect(renderString('{{ tags contains "edr" ? "edr" : "other" }}', { tags: ['page', 'edr'] })).toBe('edr');
  });
  it('applies a filter after B to B only', () => {
    expect(renderString('{{ ok ? "yes" : "no" | upcase }}', { ok: true })).toBe('yes');
    expect(renderString('{{ ok ? "yes" : "no" | upcase }}', { ok: false })).toBe('NO');
    expect(renderString('{{ ok ? name | default: "anon" : "none" }}', { ok: true })).toBe('anon');
  });
  it('treats ? and : inside quotes as literal', () => {
    expect(renderString('{{ "a?b:c" }}', {})).toBe('a?b:c');
    expect(renderString('{{ ok ? "x:y?" : "p?q" }}', { ok: true })).toBe('x:y?');
    expect(renderString("{{ ok ? 'x' : 'a:b' }}", { ok: false })).toBe('a:b');
  });
  it('uses Liquid truthiness (empty string and 0 are truthy, nil and false are not)', () => {
    expect(renderString('{{ v ? "t" : "f" }}', { v: '' })).toBe('t');
    expect(renderString('{{ v ? "t" : "f" }}', { v: 0 })).toBe('t');
    expect(renderString('{{ v ? "t" : "f" }}', { v: null })).toBe('f');
  });
  it('keeps whitespace control markers', () => {
    expect(renderString('a  {{- ok ? "x" : "y" -}}  b', { ok: true })).toBe('axb');
  });
  it('works inside ${{ }} and keeps the type of the chosen value', () => {
    expect(renderString('${{ ok ? inputs.count : "none" }}', { ok: true, inputs: { count: 3 } })).toBe(3);
    expect(renderString('${{ ok ? inputs.count : "none" | upcase }}', { ok: false })).toBe('NONE');
  });
  it('leaves ternaries in raw blocks alone', () => {
    expect(renderString('{% raw %}{{ a ? b : c }}{% endraw %}', {})).toBe('{{ a ? b : c }}');
  });
});

describe('whole value ${{ }}', () => {
  it('returns an array', () => {
    expect(renderString('${{ steps.investigate.output.hits.hits }}', ctx)).toEqual([{ _id: 'a', _source: { port: 22 } }, { _id: 'b' }]);
  });
  it('returns a number, a boolean, an object', () => {
    expect(renderString('${{ inputs.count }}', ctx)).toBe(3);
    expect(renderString('${{ inputs.ratio }}', ctx)).toBe(0.5);
    expect(renderString('${{ inputs.enabled }}', ctx)).toBe(false);
    expect(renderString('${{ consts.labels }}', ctx)).toEqual({ env: 'prod', team: 'soc' });
  });
  it('returns null for a missing value', () => {
    expect(renderString('${{ steps.nope.output }}', ctx)).toBeNull();
    expect(renderString('${{ inputs.count.deeper }}', ctx)).toBeNull();
  });
  it('allows surrounding whitespace and filters', () => {
    expect(renderString('  ${{ inputs.count | plus: 2 }}  ', ctx)).toBe(5);
    expect(renderString('${{ steps.investigate.output.hits.hits | size }}', ctx)).toBe(2);
    expect(renderString('${{ inputs.raw | json_parse }}', ctx)).toEqual({ a: [1, 2] });
    expect(renderString('${{ consts.labels | entries }}', ctx)).toEqual([['env', 'prod'], ['team', 'soc']]);
    expect(renderString('${{ steps.investigate.output.hits.hits | map: "_id" }}', ctx)).toEqual(['a', 'b']);
    expect(renderString('${{ missing | default: "x" }}', ctx)).toBe('x');
  });
  it('returns a string for string values and literals', () => {
    expect(renderString('${{ event.alerts[0].host.name }}', ctx)).toBe('web-01');
    expect(renderString('${{ "text" }}', ctx)).toBe('text');
  });
  it('is not a whole value when another }} appears: then each ${{ }} renders as text (Kibana)', () => {
    expect(renderString('${{ event.alerts[0].host.name }} and ${{ event.alerts[0].host.name }}', ctx)).toBe('web-01 and web-01');
  });
});

describe('{{ }} text', () => {
  it('renders arrays and objects as compact JSON', () => {
    expect(renderString('tags={{ event.alerts[0].rule.tags }}', ctx)).toBe('tags=["page","edr"]');
    expect(renderString('{{ consts.labels }}', ctx)).toBe('{"env":"prod","team":"soc"}');
    expect(renderString('{% echo consts.labels %}', ctx)).toBe('{"env":"prod","team":"soc"}');
  });
  it('renders null and missing values as ""', () => {
    expect(renderString('[{{ nothing }}][{{ steps.nope.output.x }}][{{ n }}]', { n: null })).toBe('[][][]');
  });
  it('renders numbers and booleans as text', () => {
    expect(renderString('{{ inputs.count }} {{ inputs.enabled }} {{ inputs.ratio }}', ctx)).toBe('3 false 0.5');
  });
  it('returns plain text unchanged', () => {
    expect(renderString('no template here', ctx)).toBe('no template here');
    expect(renderString('', ctx)).toBe('');
  });
  it('renders the reference example texts', () => {
    expect(renderString('Potential compromise: {{ event.alerts[0].host.name }}', ctx)).toBe('Potential compromise: web-01');
    expect(renderString('{{ steps.open_case.output.case.id }}', ctx)).toBe('case-1');
  });
  it('reads own properties only', () => {
    expect(renderString('[{{ o.constructor }}][{{ o.__proto__ }}][{{ o.toString }}][{{ s.constructor.name }}]', { o: {}, s: 'x' })).toBe('[][][][]');
  });
  it('supports the allowed tags', () => {
    const text = [
      '{% assign n = items | size %}{% capture c %}{{ n }} items{% endcapture %}{{ c }};',
      '{% for i in items %}{% if forloop.index > 2 %}{% break %}{% endif %}{% unless i == "b" %}{{ i }}{% endunless %}{% endfor %};',
      '{% case n %}{% when 3 %}three{% else %}other{% endcase %};',
      '{% comment %}hidden{% endcomment %}{% # inline comment %}',
      '{% increment k %}{% increment k %}{% decrement j %};',
      '{% for i in items %}{% cycle "x", "y" %}{% continue %}{% endfor %};',
      '{% liquid\n  assign up = "a" | upcase\n  echo up\n%}',
    ].join('');
    expect(renderString(text, { items: ['a', 'b', 'c'] })).toBe('3 items;a;three;01-1;xyx;A');
  });
});

describe('filters', () => {
  it('json renders compact JSON text', () => {
    expect(renderString('{{ consts.labels | json }}', ctx)).toBe('{"env":"prod","team":"soc"}');
    expect(renderString('{{ "a\\"b" | json }}', ctx)).toBe('"a\\"b"');
    expect(renderString('{{ missing | json }}', ctx)).toBe('null');
    expect(renderString('${{ consts.labels | json }}', ctx)).toBe('{"env":"prod","team":"soc"}');
  });
  it('json_parse parses JSON text', () => {
    expect(renderString('{{ inputs.raw | json_parse | map: "a" }}', { inputs: { raw: '[{"a":1},{"a":2}]' } })).toBe('[1,2]');
    expect(renderString("{{ '{\"k\":\"v\"}' | json_parse | map: 'k' | first }}", {})).toBe('v');
  });
  it('json_parse of invalid JSON is a render error', () => {
    expect(() => renderString('x {{ "{bad" | json_parse }}', {})).toThrow(/cannot render template.*json_parse/);
  });
  it('entries turns an object into [key, value] pairs', () => {
    expect(renderString('{% for e in consts.labels | entries %}{{ e[0] }}={{ e[1] }};{% endfor %}', ctx)).toBe('env=prod;team=soc;');
    expect(renderString('{% assign es = consts.labels | entries %}{% for e in es %}{{ e | first }}={{ e | last }} {% endfor %}', ctx)).toBe('env=prod team=soc ');
    expect(renderString('{{ missing | entries }}', ctx)).toBe('[]');
  });
  it('default replaces missing and empty values', () => {
    expect(renderString('{{ steps.review.output.notes | default: "no notes" }}', { steps: {} })).toBe('no notes');
    expect(renderString('{{ "" | default: "empty" }}', {})).toBe('empty');
    expect(renderString('{{ false | default: "f", allow_false: true }}', {})).toBe('false');
  });
  it('has the standard Liquid filters', () => {
    expect(renderString('{{ "Hello" | upcase }} {{ "a,b" | split: "," | join: "+" }} {{ 7 | minus: 2 | times: 3 }}', {})).toBe('HELLO a+b 15');
    expect(renderString('{{ "2026-01-15T10:00:00Z" | date: "%Y-%m-%d" }}', {})).toBe('2026-01-15');
    expect(renderString('{{ list | where: "ok", true | map: "n" | join: "," }}', { list: [{ n: 1, ok: true }, { n: 2, ok: false }, { n: 3, ok: true }] })).toBe('1,3');
    expect(renderString('{{ "a b" | url_encode }} {{ "<b>" | escape }} {{ "  x " | strip }}|{{ "abcdef" | truncate: 4 }}', {})).toBe('a+b &lt;b&gt; x|a...');
  });
  it('an unknown filter is a syntax error (strict filters)', () => {
    expect(() => renderString('{{ x | no_such_filter }}', {})).toThrow(/unknown filter "no_such_filter"/);
  });
});

describe('renderDeep', () => {
  it('renders every string of a structure and keeps keys as they are', () => {
    const withBlock = {
      method: 'POST',
      url: 'https://edr.example.com/isolate',
      body: { host: '{{ event.alerts[0].host.name }}', reason: '{{ steps.review.output.notes }}' },
      '{{ key }}': ['{{ inputs.count }}', '${{ inputs.count }}', 7, true, null],
      hits: '${{ steps.investigate.output.hits.hits }}',
    };
    const out = renderDeep(withBlock, { ...ctx, key: 'rendered' });
    expect(out).toEqual({
      method: 'POST',
      url: 'https://edr.example.com/isolate',
      body: { host: 'web-01', reason: 'confirmed by SOC' },
      '{{ key }}': ['3', 3, 7, true, null],
      hits: [{ _id: 'a', _source: { port: 22 } }, { _id: 'b' }],
    });
  });
  it('returns a new structure and leaves the input untouched', () => {
    const input = { a: { b: ['{{ x }}'] } };
    const out = renderDeep(input, { x: 1 }) as { a: { b: string[] } };
    expect(out).toEqual({ a: { b: ['1'] } });
    expect(out).not.toBe(input);
    expect(out.a).not.toBe(input.a);
    expect(input).toEqual({ a: { b: ['{{ x }}'] } });
  });
  it('keeps a "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "{{ x }}"}}');
    const out = renderDeep(input, { x: 'y' }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('leaves non-string scalars and dates alone', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(renderDeep({ n: 1, b: false, z: null, d }, {})).toEqual({ n: 1, b: false, z: null, d });
  });
});

describe('escapeOutput', () => {
  const quote = (s: string) => `<${s}>`;
  it('applies to every output when the string is more than one {{ }}', () => {
    expect(renderString('a {{ x }} b {{ y }} {{ missing }}', { x: 1, y: [1] }, { escapeOutput: quote })).toBe('a <1> b <[1]> <>');
    expect(renderString('{{ ok ? "t" : "f" }} and', { ok: true }, { escapeOutput: quote })).toBe('<t> and');
  });
  it('does not apply when the whole string is one {{ expr }}', () => {
    expect(renderString('  {{ x }} ', { x: 'a : b' }, { escapeOutput: quote })).toBe('  a : b ');
  });
  it('cannot be bypassed with the raw filter', () => {
    expect(renderString('x {{ v | raw }}', { v: 'or true' }, { escapeOutput: quote })).toBe('x <or true>');
  });
  it('does not leak into later renders', () => {
    renderString('a {{ x }} b', { x: 1 }, { escapeOutput: quote });
    expect(renderString('a {{ x }} b', { x: 1 })).toBe('a 1 b');
  });
});

describe('a render budget shared by many strings', () => {
  const slow = '{% for i in (1..600000) %}{% endfor %}x'; // ~0.2 s: well under the 1 s limit alone

  it('renders while time is left, then fails every string with a limit error naming the budget', () => {
    const budget = renderBudget(1000);
    expect(renderDeep({ a: 'x {{ n }}', b: ['${{ n }}'] }, { n: 1 }, { budget })).toEqual({ a: 'x 1', b: [1] });
    const spent = renderBudget(1000, Date.now() - 1000);
    for (const text of ['plain {{ n }}', '${{ n }}']) {
      let error: unknown;
      try {
        renderString(text, { n: 1 }, { budget: spent });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TemplateError);
      expect(error).toMatchObject({ kind: 'limit', stepErrorType: 'template_limit', message: expect.stringContaining("the step's templates used up their render time (1000 ms in all)") });
    }
    // Static text costs no render time: it passes even with the budget spent.
    expect(renderString('no template here', {}, { budget: spent })).toBe('no template here');
  });

  it('gives each string only the time the budget has left, not the whole limit', () => {
    expect(renderString(slow, {})).toBe('x'); // alone: fine
    expect(() => renderString(slow, {}, { budget: renderBudget(50) })).toThrow("the step's templates used up their render time (50 ms in all)");
  });
});
