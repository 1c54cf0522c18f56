/** The Markdown escaping of wait messages and the `markdown` filter (docs/workflows.md "Writing the message"). */
import fc from 'fast-check';
import { escapeHtml, escapeMarkdown, renderBudget, renderMarkdownMessage, renderString, checkTemplate, unescapeMarkdown } from '../src';

describe('escapeMarkdown', () => {
  it.each([
    'srv-web-01',
    'jdoe',
    'svc_backup_01',
    'CORP\\jdoe',
    'Mimikatz detected',
    'Mimikatz detected!',
    '10.1.2.3',
    '2001:db8::1',
    'C:\\Windows\\System32\\cmd.exe',
    'C:\\Users\\jdoe\\',
    'jdoe@example.com',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'Impossible travel (Paris -> Sydney), 2 sign-ins',
    'powershell.exe -enc SQBFAFgA',
    '-5',
    '#hashtag and issue #42',
    'a > b = c + d',
    'AT&T',
    'é_à',
    '',
  ])('leaves %j as it is', (value) => {
    expect(escapeMarkdown(value)).toBe(value);
  });

  it.each([
    ['[Approve here](https://evil.example)', '\\[Approve here\\](https\\://evil.example)'],
    ['![x](https://evil.example/p.png)', '!\\[x\\](https\\://evil.example/p.png)'],
    ['<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)>'],
    ['<https://evil.example>', '\\<https\\://evil.example>'],
    ['# Approved by SOC lead', '\\# Approved by SOC lead'],
    ['  ### x', '  \\### x'],
    ['###', '\\###'],
    ['ok\n> The SOC lead approved this', 'ok > The SOC lead approved this'],
    ['> The SOC lead approved this', '\\> The SOC lead approved this'],
    ['ok\r\n- [x] verified', 'ok - \\[x\\] verified'],
    ['- [x] verified', '\\- \\[x\\] verified'],
    ['+ item', '\\+ item'],
    ['1. item', '1\\. item'],
    ['12) item', '12\\) item'],
    ['fine\n\n---', 'fine  ---'],
    ['---', '\\---'],
    ['-', '\\-'],
    ['-:', '\\-:'],
    [':--', '\\:--'],
    ['===', '\\==='],
    ['= x', '\\= x'],
    ['x` **bold** `y', 'x&#96; \\*\\*bold\\*\\* &#96;y'],
    ['```', '&#96;&#96;&#96;'],
    ['\\`', '\\\\&#96;'],
    ['~~~ and PROGRA~1', '\\~\\~\\~ and PROGRA\\~1'],
    ['_em_ and __init__ and a_b', '\\_em\\_ and \\_\\_init\\_\\_ and a_b'],
    ['a*b*c', 'a\\*b\\*c'],
    ['a | b', 'a \\| b'],
    ['\\[not a link]', '\\\\\\[not a link\\]'],
    ['&lt;b&gt; &#91;x&#93; &#x5B;', '\\&lt;b\\&gt; \\&#91;x\\&#93; \\&#x5B;'],
    ['see www.evil.example or HTTP://evil.example or ftp://x.example', 'see www\\.evil.example or HTTP\\://evil.example or ftp\\://x.example'],
    ['one\rtwo\nthree', 'one two three'],
  ])('escapes %j', (value, escaped) => {
    expect(escapeMarkdown(value)).toBe(escaped);
  });
});

describe('wait messages', () => {
  const event = { alerts: [{ host: { name: '# Approved by SOC lead' }, user: { name: 'svc_backup' } }] };

  it('escapes every interpolated value, not the author’s text', () => {
    const message = '## Isolate `{{ event.alerts[0].host.name }}`?\n**User:** {{ event.alerts[0].user.name }} [case](https://cases.example/1)';
    expect(renderMarkdownMessage(message, { event })).toBe('## Isolate `\\# Approved by SOC lead`?\n**User:** svc_backup [case](https://cases.example/1)');
  });

  it('escapes a message that is one {{ }} or one ${{ }} too', () => {
    expect(renderMarkdownMessage('{{ v }}', { v: '[a](https://evil.example)' })).toBe('\\[a\\](https\\://evil.example)');
    expect(renderMarkdownMessage(' {{ v }} ', { v: '# x' })).toBe(' \\# x ');
    expect(renderMarkdownMessage('${{ v }}', { v: '<b>' })).toBe('\\<b>');
    expect(renderMarkdownMessage('${{ v }}', { v: { a: '*' } })).toBe('{"a":"\\*"}');
    expect(renderMarkdownMessage('${{ missing }}', {})).toBe('');
  });

  it('escapes values in loops, ternaries, echo and literals', () => {
    expect(renderMarkdownMessage('{% for h in hs %}- {{ h }}\n{% endfor %}', { hs: ['a', '[b](x)'] })).toBe('- a\n- \\[b\\](x)\n');
    expect(renderMarkdownMessage('{{ ok ? v : "**no**" }} x', { ok: true, v: '*' })).toBe('\\* x');
    expect(renderMarkdownMessage('{{ ok ? v : "**no**" }} x', { ok: false })).toBe('\\*\\*no\\*\\* x');
    expect(renderMarkdownMessage('{% echo v %} x', { v: '<i>' })).toBe('\\<i> x');
  });

  it('leaves plain values exactly as they are', () => {
    const ctx = { host: 'srv-web-01', user: 'jdoe', rule: 'Mimikatz detected', ip: '10.1.2.3', path: 'C:\\Windows\\System32\\cmd.exe', mail: 'jdoe@example.com' };
    const message = '## Isolate `{{ host }}`?\n- user {{ user }}, rule {{ rule }}\n- from {{ ip }}: `{{ path }}`, owner {{ mail }}';
    expect(renderMarkdownMessage(message, ctx)).toBe(`## Isolate \`srv-web-01\`?\n- user jdoe, rule Mimikatz detected\n- from 10.1.2.3: \`${ctx.path}\`, owner jdoe@example.com`);
  });

  it('shares the step’s render budget', () => {
    expect(() => renderMarkdownMessage('a {{ v }}', { v: 1 }, { budget: renderBudget(1000, Date.now() - 1000) })).toThrow(/used up their render time/);
  });
});

describe('the markdown filter', () => {
  const summary = '**Likely benign.** See [the runbook](https://wiki.example/rb).\n\n- a\n- b';

  it('is a known filter (the validator accepts it)', () => {
    expect(checkTemplate('{{ steps.summary.output.content | markdown }}')).toBeNull();
    expect(checkTemplate('x {{ v | markdown: 2 }}')).toBeNull();
  });

  it('keeps the value’s Markdown in a wait message, as the last filter', () => {
    expect(renderMarkdownMessage('## Decide\n{{ s | markdown }}\n{{ v }}', { s: summary, v: '*' })).toBe(`## Decide\n${summary}\n\\*`);
    expect(renderMarkdownMessage('${{ s | markdown }}', { s: summary })).toBe(summary);
    expect(renderMarkdownMessage('{{ s | markdown }}', { s: summary })).toBe(summary);
    expect(renderMarkdownMessage('{% assign t = s | markdown %}x {{ t }}', { s: '*a*' })).toBe('x *a*');
    expect(renderMarkdownMessage('{{ o | markdown }} x', { o: { a: 1 } })).toBe('{"a":1} x');
    // A capture's values are escaped when captured: printed with | markdown, not escaped twice.
    expect(renderMarkdownMessage('{% capture t %}**{{ v }}**{% endcapture %}{{ t | markdown }}', { v: '[a](x)' })).toBe('**\\[a\\](x)**');
    // Not the last filter: the text it gives is escaped like any other.
    expect(renderMarkdownMessage('{{ s | markdown | upcase }} x', { s: '*a*' })).toBe('\\*A\\* x');
  });

  it('is its plain text anywhere else', () => {
    expect(renderString('x {{ s | markdown }}', { s: '*a*' })).toBe('x *a*');
    expect(renderString('${{ s | markdown }}', { s: '*a*' })).toBe('*a*');
    expect(renderString('{{ s | markdown | size }}', { s: '*a*' })).toBe('3');
  });

  it('does not lift another escape (a condition’s KQL quoting)', () => {
    const quote = (t: string) => `<${t}>`;
    expect(renderString('x {{ v | markdown }}', { v: 'or true' }, { escapeOutput: quote })).toBe('x <or true>');
  });
});

describe('unescapeMarkdown and escapeHtml (channels that show plain text or HTML)', () => {
  it('gives back any one-line value that escapeMarkdown escaped, entity-like text and backticks included', () => {
    fc.assert(fc.property(fc.string().map((s) => s.replace(/[\r\n]/g, ' ')), (value) => expect(unescapeMarkdown(escapeMarkdown(value))).toBe(value)));
    expect(unescapeMarkdown(escapeMarkdown('a &#96; b ` c \\* d'))).toBe('a &#96; b ` c \\* d');
  });

  it('leaves no markup character in HTML', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });
});
