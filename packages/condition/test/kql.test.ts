import { ConditionError, evaluateKql, parseKql, parsePath } from '@flowgate/condition';

const data = {
  steps: { review: { output: { approved: true, notes: 'ok' } }, other: { output: { approved: false } } },
  rule: { name: 'Malware detected', tags: ['page', 'edr'] },
  alerts: [
    { host: { name: 'web-01', ip: '10.0.0.1' }, risk: 73, '@timestamp': '2026-01-15T10:00:00Z', labels: ['a', 'b'] },
    { host: { name: 'db-02' }, risk: 20, '@timestamp': '2026-01-20T08:30:00.000+02:00', labels: ['c'] },
  ],
  user: { name: 'Jane Doe', id: null, count: '42', star: 'a*b', quote: 'say "hi"', multi: 'line1\nline2' },
  flags: { zero: 0, empty: '', no: false },
  version: 'x-y.z',
  nested: [[1, 2], [3]],
};

const q = (text: string, d: unknown = data) => evaluateKql(parseKql(text), d);

function parseError(text: string): ConditionError {
  try {
    parseKql(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConditionError);
    return e as ConditionError;
  }
  throw new Error(`expected ${text} not to parse`);
}

describe('field : value', () => {
  it('the reference example: steps.review.output.approved : true', () => {
    const node = parseKql('steps.review.output.approved : true');
    expect(evaluateKql(node, { steps: { review: { output: { approved: true } } } })).toBe(true);
    expect(evaluateKql(node, { steps: { review: { output: { approved: false } } } })).toBe(false);
    expect(evaluateKql(node, { steps: { review: { output: null } } })).toBe(false);
    expect(evaluateKql(node, { steps: {} })).toBe(false);
    expect(evaluateKql(node, {})).toBe(false);
  });
  it('compares String(field) case-sensitively', () => {
    expect(q('alerts.risk : 73')).toBe(true);
    expect(q('steps.other.output.approved : false')).toBe(true);
    expect(q('user.count : 42')).toBe(true);
    expect(q('rule.name : "Malware detected"')).toBe(true);
    expect(q('rule.name : "malware detected"')).toBe(false);
    expect(q('version : x-y.z')).toBe(true);
    expect(q('flags.zero : 0 and flags.no : false')).toBe(true);
    expect(q('flags.empty : ""')).toBe(true);
  });
  it('accepts no spaces around ":"', () => {
    expect(q('alerts.host.name:web-01')).toBe(true);
    expect(q('rule.tags:(nope or edr)')).toBe(true);
  });
  it('unquoted * is a wildcard', () => {
    expect(q('alerts.host.name : web*')).toBe(true);
    expect(q('alerts.host.name : *eb*')).toBe(true);
    expect(q('alerts.host.name : *-02')).toBe(true);
    expect(q('alerts.host.name : w*1')).toBe(true);
    expect(q('alerts.host.name : host*')).toBe(false);
    expect(q('alerts.host.name : WEB*')).toBe(false);
    expect(q('user.multi : line1*')).toBe(true);
    expect(q('user.name : Jane.Doe')).toBe(false);
    expect(q('user.name : Jane*Do?')).toBe(false);
  });
  it('wildcards match by their literal parts, overlapping ones and escaped stars included', () => {
    const match = (pattern: string, value: string) => q(`v : ${pattern}`, { v: value });
    expect(match('a*a', 'a')).toBe(false); // the two a's cannot share one character
    expect(match('a*a', 'aa')).toBe(true);
    expect(match('ab*ab*ab', 'ababab')).toBe(true);
    expect(match('ab*ab*ab', 'abab')).toBe(false);
    expect(match('*aab*', 'aaab')).toBe(true); // a KMP restart inside the part
    expect(match('*abcabd*', 'abcabcabd')).toBe(true);
    expect(match('**', '')).toBe(true);
    expect(match('*x\\**', 'ax*b')).toBe(true);
    expect(match('*x\\**', 'axb')).toBe(false);
    expect(match('a*', 'a\nb')).toBe(true);
  });
  it('a wildcard matches in linear time: a pathological pattern against a 1 MiB value in under 100 ms', () => {
    // With a backtracking regular expression (^a.*a.*...b$) this takes longer than the test runs.
    const value = 'a'.repeat(1 << 20);
    const node = parseKql(`v : ${'*a'.repeat(12)}*b`);
    const started = process.hrtime.bigint();
    expect(evaluateKql(node, { v: value })).toBe(false);
    expect(evaluateKql(parseKql(`v : *${'a'.repeat(1000)}b*`), { v: value })).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(100);
  });
  it('quoted values are literal, with backslash escapes', () => {
    expect(q('alerts.host.name : "web*"')).toBe(false);
    expect(q('user.star : "a*b"')).toBe(true);
    expect(q('user.star : "a*"')).toBe(false);
    expect(q('user.star : a\\*b')).toBe(true);
    expect(q('user.quote : "say \\"hi\\""')).toBe(true);
    expect(q('user.multi : "line1\\nline2"')).toBe(true);
    expect(q('user.name : "Jane Doe" and rule.name : "Malware detected"')).toBe(true);
  });
  it('field : * is true when the field exists and is not null', () => {
    expect(q('user.name : *')).toBe(true);
    expect(q('flags.zero : *')).toBe(true);
    expect(q('flags.empty : *')).toBe(true);
    expect(q('user.id : *')).toBe(false);
    expect(q('user.missing : *')).toBe(false);
    expect(q('not user.missing : *')).toBe(true);
    expect(q('alerts.host.ip : *')).toBe(true);
    expect(q('rule : *')).toBe(true);
  });
  it('field : (a or b) lists, also with and/not', () => {
    expect(q('rule.tags : (nope or page)')).toBe(true);
    expect(q('alerts.host.name : (db-02 or "x y")')).toBe(true);
    expect(q('rule.tags : (page and edr)')).toBe(true);
    expect(q('rule.tags : (page and nope)')).toBe(false);
    expect(q('rule.tags : (nope or (page and edr))')).toBe(true);
    expect(q('rule.name : (not Malware*)')).toBe(false);
    expect(q('rule.name : (Malware* OR x)')).toBe(true);
  });
  it('objects never equal a value, only exist', () => {
    expect(q('rule : "[object Object]"')).toBe(false);
    expect(q('rule : *object*')).toBe(false);
  });
});

describe('ranges', () => {
  it('compare numbers', () => {
    expect(q('alerts.risk > 70')).toBe(true);
    expect(q('alerts.risk > 73')).toBe(false);
    expect(q('alerts.risk >= 73')).toBe(true);
    expect(q('alerts.risk < 20')).toBe(false);
    expect(q('alerts.risk <= 20')).toBe(true);
    expect(q('alerts[1].risk < 21')).toBe(true);
    expect(q('user.count >= 41.5')).toBe(true);
    expect(q('alerts.risk > "50"')).toBe(true);
    expect(q('x>1', { x: 2 })).toBe(true);
    expect(q('x<=-1', { x: -2 })).toBe(true);
  });
  it('compare ISO 8601 dates', () => {
    expect(q('alerts[0].@timestamp >= 2026-01-15T10:00:00Z')).toBe(true);
    expect(q('alerts[0].@timestamp > 2026-01-15T10:00:00Z')).toBe(false);
    expect(q('alerts[0].@timestamp < 2026-01-16')).toBe(true);
    expect(q('alerts[1].@timestamp < 2026-01-20T07:00:00Z')).toBe(true);
    expect(q('alerts[1].@timestamp > 2026-01-20T06:00:00Z')).toBe(true);
    expect(q('alerts.@timestamp > "2026-01-19T00:00:00.000Z"')).toBe(true);
  });
  it('are false when the sides are not both numbers or both dates', () => {
    expect(q('user.name > 5')).toBe(false);
    expect(q('alerts.risk > 2026-01-01')).toBe(false);
    expect(q('alerts.@timestamp > 5')).toBe(false);
    expect(q('user.name > abc')).toBe(false);
    expect(q('flags.no < 1')).toBe(false);
    expect(q('user.missing > 1')).toBe(false);
    expect(q('not user.missing > 1')).toBe(true);
  });
});

describe('and / or / not', () => {
  it('not binds tightest, then and, then or', () => {
    // or(a, and(b, not c))
    expect(q('rule.tags : page or rule.tags : nope and not rule.tags : edr')).toBe(true);
    expect(q('rule.tags : nope or rule.tags : page and not rule.tags : edr')).toBe(false);
    expect(q('(rule.tags : nope or rule.tags : page) and not rule.tags : edr')).toBe(false);
    expect(q('not rule.tags : nope and rule.tags : edr')).toBe(true);
    expect(q('not (rule.tags : nope or rule.tags : edr)')).toBe(false);
    expect(q('not not rule.tags : edr')).toBe(true);
  });
  it('nests parentheses', () => {
    expect(q('((alerts.risk > 50 and rule.tags : edr) or user.name : nobody) and not (user.id : * or flags.zero : 1)')).toBe(true);
    expect(q('(((user.name : "Jane Doe")))')).toBe(true);
  });
  it('keywords are case-insensitive', () => {
    expect(q('rule.tags : nope OR rule.tags : edr')).toBe(true);
    expect(q('rule.tags : page AND NOT rule.tags : edr')).toBe(false);
    expect(q('Not rule.tags : nope And rule.tags : (x Or page)')).toBe(true);
  });
  it('parses precedence into the tree', () => {
    expect(parseKql('a : 1 or b : 2 and not c : 3')).toEqual({
      type: 'or',
      children: [
        { type: 'match', field: 'a', path: [{ key: 'a', index: null }], pattern: { kind: 'exact', text: '1' } },
        {
          type: 'and',
          children: [
            { type: 'match', field: 'b', path: [{ key: 'b', index: null }], pattern: { kind: 'exact', text: '2' } },
            { type: 'not', child: { type: 'match', field: 'c', path: [{ key: 'c', index: null }], pattern: { kind: 'exact', text: '3' } } },
          ],
        },
      ],
    });
  });
});

describe('paths and arrays', () => {
  it('crossing an array applies the rest of the path to each element', () => {
    expect(q('rule.tags : page')).toBe(true);
    expect(q('rule.tags : edr')).toBe(true);
    expect(q('rule.tags : pag')).toBe(false);
    expect(q('alerts.host.name : db-02')).toBe(true);
    expect(q('alerts.labels : c')).toBe(true);
    expect(q('nested : 3')).toBe(true);
    expect(q('tags : page', { tags: [] })).toBe(false);
    expect(q('tags : *', { tags: [] })).toBe(false);
  });
  it('indexes with [n] or .n', () => {
    expect(q('alerts[0].host.name : web-01')).toBe(true);
    expect(q('alerts.0.host.name : web-01')).toBe(true);
    expect(q('alerts[0].host.name : db-02')).toBe(false);
    expect(q('alerts.1.host.name : db-02')).toBe(true);
    expect(q('alerts[5].host.name : *')).toBe(false);
    expect(q('rule.tags[1] : edr')).toBe(true);
    expect(q('nested[1][0] : 3')).toBe(true);
    expect(q('obj.0 : zero', { obj: { 0: 'zero' } })).toBe(true);
  });
  it('reads own properties only', () => {
    expect(q('x.constructor : *', { x: {} })).toBe(false);
    expect(q('x.__proto__ : *', { x: {} })).toBe(false);
    expect(q('s.length : 3', { s: 'abc' })).toBe(false);
  });
  it('parsePath', () => {
    expect(parsePath('alerts[0].host.name')).toEqual([
      { key: 'alerts', index: null },
      { key: '0', index: 0 },
      { key: 'host', index: null },
      { key: 'name', index: null },
    ]);
    expect(parsePath('a..b')).toBeNull();
    expect(parsePath('a[x]')).toBeNull();
    expect(parsePath('.a')).toBeNull();
  });
});

describe('syntax errors name the condition and the column', () => {
  it('unclosed list', () => {
    const err = parseError('a : (b');
    expect(err.message).toBe('invalid condition "a : (b" at column 6: expected ")"');
    expect(err.condition).toBe('a : (b');
    expect(err.position).toBe(6);
  });
  it.each([
    ['a : b )', 7, 'unexpected ")"'],
    ['(a : b', 6, 'expected ")"'],
    ['a b', 3, 'expected ":" or a comparison'],
    ['a : ', 3, 'expected a value'],
    ['a : b and', 9, 'expected a field name'],
    ['a : b or or c : d', 10, 'expected a field name, found "or"'],
    ['a : "unterminated', 5, 'unterminated quoted string'],
    ['a..b : c', 1, 'invalid field path "a..b"'],
    ['a > ', 3, 'expected a value after ">"'],
    ['a : b c : d', 7, 'expected "and", "or" or the end of the condition, found "c"'],
    ['a : and', 5, 'expected a value, found "and"'],
    ['', 1, 'empty condition'],
    [': b', 1, 'expected a field name, found ":"'],
  ])('%j at column %i', (text, column, what) => {
    const err = parseError(text);
    expect(err.position).toBe(column);
    expect(err.message).toContain(`at column ${column}: ${what}`);
    expect(err.message).toContain(JSON.stringify(text));
  });
});
