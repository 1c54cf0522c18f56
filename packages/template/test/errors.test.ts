import { checkTemplate, liquid, renderString, TemplateError } from '@flowgate/template';

function renderError(text: string, ctx: object = {}): TemplateError {
  try {
    renderString(text, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return e as TemplateError;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('checkTemplate', () => {
  it('accepts valid templates and plain text', () => {
    expect(checkTemplate('plain')).toBeNull();
    expect(checkTemplate('**Decision:** {{ steps.review.output.approved ? "isolated" : "no action" }}')).toBeNull();
    expect(checkTemplate('${{ steps.investigate.output.hits.hits }}')).toBeNull();
    expect(checkTemplate('{% for h in hits %}{{ h._id | upcase }}{% endfor %}')).toBeNull();
  });

  it.each(['include', 'render', 'layout', 'block'])('rejects the %s tag', (tag) => {
    const err = checkTemplate(`Hello\n{% ${tag} "partial" %}`);
    expect(err).toBeInstanceOf(TemplateError);
    expect(err?.kind).toBe('syntax');
    expect(err?.message).toContain(`tag "${tag}" is not allowed`);
    expect(err?.position).toEqual({ line: 2, column: 1, offset: 6 });
  });

  it('rejects tags outside the allowed list', () => {
    expect(checkTemplate('{% tablerow x in xs %}{% endtablerow %}')?.message).toContain('tag "tablerow" is not allowed');
    expect(checkTemplate('a {% whatever %}')?.message).toContain('unknown tag "whatever"');
    expect(checkTemplate('{% liquid\ninclude "x"\n%}')?.message).toContain('tag "include" is not allowed');
  });

  it('reads ${{ }} inside a longer string as {{ }} (Kibana), and still rejects an unclosed one', () => {
    expect(checkTemplate('host ${{ event.host }}')).toBeNull();
    expect(checkTemplate('${{ a }} ${{ b }}')).toBeNull();
    expect(checkTemplate('{{ a }} ${{')).not.toBeNull();
    const err = checkTemplate('x ${{ a | nope }}');
    expect(err?.message).toContain('unknown filter "nope"');
    expect(err?.position?.offset).toBe(10);
  });

  it('rejects nested ternaries, also inside ${{ }}', () => {
    const err = checkTemplate('{{ a ? b ? "1" : "2" : "3" }}');
    expect(err?.message).toContain('nested ternaries are not allowed');
    expect(err?.position?.column).toBe(10);
    expect(checkTemplate('{{ a ? "1" : b ? "2" : "3" }}')?.message).toContain('nested');
    expect(checkTemplate('${{ a ? "1" : b ? "2" : "3" }}')?.message).toContain('nested');
    expect(checkTemplate('{{ a ? "1" }}')?.message).toContain('without ":"');
  });

  it('reports errors inside a whole ${{ }} value with their position', () => {
    expect(checkTemplate('${{ x | nope }}')?.position?.column).toBe(9);
    expect(checkTemplate('${{ }}')?.message).toContain('empty expression');
    expect(checkTemplate('${{ "open }}')?.message).toBe('invalid template "${{ \\"open }}" at line 1, column 5: unterminated string');
  });

  it('reports Liquid syntax errors with their position', () => {
    const err = checkTemplate('Alert on {{ event.host | nope }}');
    expect(err?.kind).toBe('syntax');
    expect(err?.position).toEqual({ line: 1, column: 26, offset: 25 });
    expect(err?.message).toBe('invalid template "Alert on {{ event.host | nope }}" at line 1, column 26: unknown filter "nope"');

    const unclosed = checkTemplate('line one\nsee {{ event.host ');
    expect(unclosed?.position).toEqual({ line: 2, column: 5, offset: 13 });
    expect(unclosed?.message).toMatch(/at line 2, column 5: output "\{\{ event.host " not closed/);

    const ifErr = checkTemplate('a\n  b {% if x %}open');
    expect(ifErr?.position).toEqual({ line: 2, column: 5, offset: 6 });
    expect(ifErr?.message).toContain('not closed');
  });

  it('maps positions after a rewritten ternary back to the original text', () => {
    const err = checkTemplate('{{ ok ? "a" : "b" }} then {{ x | nope }}');
    expect(err?.position?.offset).toBe('{{ ok ? "a" : "b" }} then {{ x | '.length);
  });

  it('truncates long templates in the message', () => {
    const long = `${'x'.repeat(500)} {% include "a" %}`;
    const err = checkTemplate(long);
    expect(err?.template).toBe(long);
    expect(err?.message.length).toBeLessThan(300);
    expect(err?.message).toContain('…');
    expect(err?.message).toContain('line 1, column 502');
  });

  it('rejects templates longer than the parse limit', () => {
    const err = checkTemplate(`{{ x }}${' '.repeat(150_001)}`);
    expect(err?.kind).toBe('limit');
    expect(err?.message).toContain('parse length limit exceeded');
  });
});

describe('render errors', () => {
  it('fails with kind "limit" when the render time limit is hit', () => {
    const started = Date.now();
    const err = renderError('{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}');
    expect(err.kind).toBe('limit');
    expect(err.message).toMatch(/limit exceeded/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with kind "limit" when the memory limit is hit', () => {
    const err = renderError('{% for i in (1..100000000) %}{% endfor %}');
    expect(err.kind).toBe('limit');
    expect(err.message).toContain('memory alloc limit exceeded');
  });

  it('fails with kind "limit" in a whole value too', () => {
    expect(renderError('${{ (1..100000000) }}').kind).toBe('limit');
  });

  it('reports the template, the position and the cause', () => {
    const err = renderError('ok\nthen {{ "{x" | json_parse }}');
    expect(err.kind).toBe('render');
    expect(err.template).toBe('ok\nthen {{ "{x" | json_parse }}');
    expect(err.position).toEqual({ line: 2, column: 6, offset: 8 });
    expect(err.message).toMatch(/^cannot render template "ok\\nthen .*" at line 2, column 6: json_parse: /);
  });

  it('throws the syntax error of an invalid template', () => {
    expect(renderError('{% include "x" %}').kind).toBe('syntax');
  });
});

describe('the engine', () => {
  it('has no file system: every lookup fails', async () => {
    expect(() => liquid.parseFileSync('anything')).toThrow();
    expect(() => liquid.renderFileSync('/etc/passwd', {})).toThrow();
    await expect(liquid.renderFile('/etc/hostname', {})).rejects.toThrow();
    expect(liquid.options.fs.existsSync('/etc/passwd')).toBe(false);
    expect(() => liquid.options.fs.readFileSync('/etc/passwd')).toThrow(/no file system/);
  });

  it('keeps only the allowed tags', () => {
    expect(Object.keys(liquid.tags).sort()).toEqual(
      ['#', 'assign', 'break', 'capture', 'case', 'comment', 'continue', 'cycle', 'decrement', 'echo', 'for', 'if', 'increment', 'liquid', 'raw', 'unless'],
    );
  });

  it('is configured as docs/workflows.md "Templates" says', () => {
    expect(liquid.options).toMatchObject({
      ownPropertyOnly: true,
      strictVariables: false,
      strictFilters: true,
      parseLimit: 150_000,
      renderLimit: 1_000,
      memoryLimit: 15_000_000,
    });
  });

  it('parses a template once and renders it many times', () => {
    const spy = jest.spyOn(liquid, 'parse');
    try {
      const text = `cache test {{ n }} ${Math.random()}`;
      expect(renderString(text, { n: 1 })).toMatch(/^cache test 1 /);
      expect(renderString(text, { n: 2 })).toMatch(/^cache test 2 /);
      expect(checkTemplate(text)).toBeNull();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('never evaluates JavaScript', () => {
    const g = globalThis as Record<string, unknown>;
    expect(renderError('{{ "1" | constructor: "globalThis.pwned = 1" }}x').kind).toBe('syntax');
    expect(renderError('{{ x | __proto__ }}').kind).toBe('syntax');
    expect(renderString('{{ "globalThis.pwned = 1" }}', {})).toBe('globalThis.pwned = 1');
    expect(renderString('{{ x.constructor.constructor }}', { x: {} })).toBe('');
    expect(g.pwned).toBeUndefined();
  });
});
