/**
 * data.aggregate, data.concat, data.dedupe, data.find, data.regexExtract, data.regexReplace: each
 * called through run() with a hand-made context (parameters as the executor renders them), for
 * Kibana's parameter names and output shapes, the item caps, and the run-time errors.
 */
import type { StepRunContext } from '@flowgate/engine';
import { StepError } from '@flowgate/engine';
import type { TemplateContext } from '@flowgate/engine';
import { MAX_ITEMS } from '../src/types/basic';
import { dataAggregate, dataConcat, dataDedupe, dataFind, dataRegexExtract, dataRegexReplace, fieldValue, MAX_REGEX_INPUT, stableKey } from '../src/types/data-more';
import { makeCtx, outputOf, stepErrorOf } from './connector-helpers';

const services = { cases: undefined as never };

function run(step: typeof dataAggregate, input: Record<string, unknown>, params: Record<string, unknown>, opts: { context?: TemplateContext; maxStepSize?: number } = {}) {
  const ctx: StepRunContext = makeCtx(step.type, input, { params, context: opts.context, maxStepSize: opts.maxStepSize });
  return step.run(ctx, services);
}
const out = async (...args: Parameters<typeof run>) => outputOf(await run(...args));
const err = (...args: Parameters<typeof run>) => stepErrorOf(run(...args));

const alerts = [
  { host: { name: 'web-01' }, severity: 'high', risk: 70, age: 25 },
  { host: { name: 'db-01' }, severity: 'low', risk: 20, age: 35 },
  { host: { name: 'web-01' }, severity: 'critical', risk: 90, age: 55 },
  { host: { name: 'web-01' }, severity: 'high', risk: 'n/a', age: 31 },
  { severity: 'low', risk: 10 },
];

describe('fields and keys', () => {
  it('reads a dotted path, or a key holding the whole name first (flattened documents)', () => {
    expect(fieldValue({ host: { name: 'a' } }, 'host.name')).toBe('a');
    expect(fieldValue({ 'host.name': 'flat', host: { name: 'nested' } }, 'host.name')).toBe('flat');
    expect(fieldValue({ host: 'x' }, 'host.name')).toBeUndefined();
    expect(fieldValue('text', 'length')).toBeUndefined();
    expect(fieldValue({ a: 1 }, 'constructor')).toBeUndefined();
  });

  it('stableKey is deep equality whatever the key order', () => {
    expect(stableKey({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(stableKey({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(stableKey({ a: 1 })).not.toBe(stableKey({ a: '1' }));
    expect(stableKey(undefined)).not.toBe(stableKey(null));
  });
});

describe('data.aggregate', () => {
  it('groups by a field with count, sum, avg, min, max (non-numbers skipped, a missing key is null)', async () => {
    const output = await out(
      dataAggregate,
      {
        group_by: ['host.name'],
        metrics: [
          { name: 'count', operation: 'count' },
          { name: 'total', operation: 'sum', field: 'risk' },
          { name: 'mean', operation: 'avg', field: 'risk' },
          { name: 'low', operation: 'min', field: 'risk' },
          { name: 'high', operation: 'max', field: 'risk' },
        ],
      },
      { items: alerts },
    );
    expect(output).toEqual([
      { 'host.name': 'web-01', count: 3, total: 160, mean: 80, low: 70, high: 90 },
      { 'host.name': 'db-01', count: 1, total: 20, mean: 20, low: 20, high: 20 },
      { 'host.name': null, count: 1, total: 10, mean: 10, low: 10, high: 10 },
    ]);
  });

  it('a metric with no numeric value is null', async () => {
    expect(await out(dataAggregate, { group_by: 'severity', metrics: [{ name: 's', operation: 'sum', field: 'nope' }] }, { items: [{ severity: 'x' }] })).toEqual([{ severity: 'x', s: null }]);
  });

  it('groups by several fields, orders by a metric (desc), limits', async () => {
    const output = await out(
      dataAggregate,
      { group_by: ['host.name', 'severity'], metrics: [{ name: 'n', operation: 'count' }, { name: 'r', operation: 'max', field: 'risk' }], order: 'desc', order_by: 'r', limit: 2 },
      { items: alerts },
    );
    expect(output).toEqual([
      { 'host.name': 'web-01', severity: 'critical', n: 1, r: 90 },
      { 'host.name': 'web-01', severity: 'high', n: 2, r: 70 },
    ]);
  });

  it('orders ascending by default, nulls last, ties in order of appearance', async () => {
    const output = await out(dataAggregate, { group_by: ['g'], metrics: [{ name: 'v', operation: 'max', field: 'v' }], order_by: 'v' }, { items: [{ g: 'a' }, { g: 'b', v: 2 }, { g: 'c', v: 1 }, { g: 'd', v: 1 }] });
    expect(output.map((r: { g: string }) => r.g)).toEqual(['c', 'd', 'b', 'a']);
    const byKey = await out(dataAggregate, { group_by: ['g'], metrics: [{ name: 'n', operation: 'count' }], order: 'desc', order_by: 'g' }, { items: [{ g: 'a' }, { g: 'c' }, { g: 'b' }] });
    expect(byKey.map((r: { g: string }) => r.g)).toEqual(['c', 'b', 'a']);
  });

  it('buckets a numeric field into ranges ([from, to), labels or generated ones); items in no range are left out', async () => {
    const output = await out(
      dataAggregate,
      {
        group_by: ['severity'],
        metrics: [{ name: 'count', operation: 'count' }],
        buckets: { field: 'age', ranges: [{ to: 30, label: 'junior' }, { from: 30, to: 50 }, { from: 50 }] },
      },
      { items: alerts },
    );
    expect(output).toEqual([
      { severity: 'high', _bucket: 'junior', count: 1 },
      { severity: 'low', _bucket: '30-50', count: 1 },
      { severity: 'critical', _bucket: '50+', count: 1 },
      { severity: 'high', _bucket: '30-50', count: 1 },
    ]);
  });

  it('groups by object values by deep equality', async () => {
    const output = await out(dataAggregate, { group_by: ['h'], metrics: [{ name: 'n', operation: 'count' }] }, { items: [{ h: { a: 1, b: 2 } }, { h: { b: 2, a: 1 } }] });
    expect(output).toEqual([{ h: { a: 1, b: 2 }, n: 2 }]);
  });

  it.each([
    [{ group_by: [], metrics: [{ name: 'n', operation: 'count' }] }, /with\.group_by must be a non-empty list/],
    [{ group_by: ['a'], metrics: [] }, /with\.metrics must be a non-empty list/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'median', field: 'x' }] }, /with\.metrics\[0\]\.operation must be one of/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'sum' }] }, /with\.metrics\[0\]\.field is required by operation "sum"/],
    [{ group_by: ['a'], metrics: [{ name: 'a', operation: 'count' }] }, /"a" is also a key of each row/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }, { name: 'n', operation: 'count' }] }, /used twice/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }], order_by: 'x' }, /with\.order_by must be one of "a", "n"/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }], order: 'up' }, /with\.order must be asc or desc/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }], limit: 0 }, /with\.limit must be a whole number/],
    [{ group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }], buckets: { field: 'x', ranges: [{ from: 3, to: 1 }] } }, /from \(3\) must be less than to \(1\)/],
  ])('rejects %j as a validation_error naming the field', async (input, message) => {
    const e = await err(dataAggregate, input, { items: [{ a: 1 }] });
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });

  it(`takes at most ${MAX_ITEMS} items (as data.map and data.filter)`, async () => {
    const e = await err(dataAggregate, { group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }] }, { items: new Array(MAX_ITEMS + 1).fill({ a: 1 }) });
    expect(e.message).toBe(`data.aggregate: ${MAX_ITEMS + 1} items, at most ${MAX_ITEMS}`);
    expect(await out(dataAggregate, { group_by: ['a'], metrics: [{ name: 'n', operation: 'count' }] }, { items: new Array(MAX_ITEMS).fill({ a: 1 }) })).toEqual([{ a: 1, n: MAX_ITEMS }]);
  });
});

describe('data.concat', () => {
  it('joins the arrays in order; null counts as empty; JSON text of an array is read', async () => {
    expect(await out(dataConcat, {}, { arrays: [[1, 2], null, '[3, {"a": 1}]', [[4]]] })).toEqual([1, 2, 3, { a: 1 }, [4]]);
  });

  it('flatten: true is one level, a number that many; dedupe keeps the first of deep-equal items', async () => {
    const arrays = [[1, [2, [3, [4]]]], [{ a: 1, b: 2 }, 1, { b: 2, a: 1 }]];
    expect(await out(dataConcat, { flatten: true }, { arrays })).toEqual([1, 2, [3, [4]], { a: 1, b: 2 }, 1, { b: 2, a: 1 }]);
    expect(await out(dataConcat, { flatten: 3, dedupe: true }, { arrays })).toEqual([1, 2, 3, 4, { a: 1, b: 2 }]);
  });

  it.each([
    [{}, { arrays: [] }, /arrays must be a non-empty list/],
    [{}, { arrays: 'x' }, /arrays must be a non-empty list/],
    [{}, { arrays: [[1], { a: 1 }] }, /arrays\[1\]: expected an array/],
    [{ flatten: 11 }, { arrays: [[1]] }, /with\.flatten must be true, false or a depth from 1 to 10/],
    [{ dedupe: 'yes' }, { arrays: [[1]] }, /with\.dedupe must be true or false/],
    [{}, { arrays: new Array(51).fill([1]) }, /51 arrays, at most 50/],
  ])('rejects with %j and %j', async (input, params, message) => {
    const e = await err(dataConcat, input, params);
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });

  it(`holds at most ${MAX_ITEMS} items in all`, async () => {
    const half = new Array(MAX_ITEMS / 2 + 1).fill(0);
    expect((await err(dataConcat, {}, { arrays: [half, half] })).message).toMatch(`more than ${MAX_ITEMS} items in all`);
  });
});

describe('data.dedupe', () => {
  const users = [
    { id: 1, user: { email: 'a@x' }, seen: 'first' },
    { id: 2, user: { email: 'b@x' }, seen: 'first' },
    { id: 3, user: { email: 'a@x' }, seen: 'second' },
  ];

  it('keeps the first of each key by default', async () => {
    expect(await out(dataDedupe, { keys: ['user.email'] }, { items: users })).toEqual([users[0], users[1]]);
  });

  it('keep_last keeps the last one, where the first stood (as Kibana)', async () => {
    expect(await out(dataDedupe, { keys: ['user.email'] }, { items: users, strategy: 'keep_last' })).toEqual([users[2], users[1]]);
  });

  it('several keys, deep-equal values, a missing field as null, and items that are not objects', async () => {
    const items = [{ a: 1, b: { x: 1, y: 2 } }, { a: 1, b: { y: 2, x: 1 } }, { a: 2, b: null }, { a: 2 }, 'x', 'x', 3, '3'];
    expect(await out(dataDedupe, { keys: ['a', 'b'] }, { items })).toEqual([items[0], items[2], 'x', 3, '3']);
  });

  it.each([
    [{ keys: [] }, { items: [1] }, /with\.keys must be a non-empty list/],
    [{ keys: 'a' }, { items: [1] }, /with\.keys must be a non-empty list/],
    [{ keys: ['a'] }, { items: [1], strategy: 'keep_middle' }, /strategy must be keep_first or keep_last/],
    [{ keys: ['a'] }, { items: { a: 1 } }, /items: expected an array/],
  ])('rejects %j with %j', async (input, params, message) => {
    const e = await err(dataDedupe, input, params);
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });
});

describe('data.find', () => {
  it('returns the first match and its index', async () => {
    expect(await out(dataFind, { condition: 'item.severity : high' }, { items: alerts })).toEqual({ item: alerts[0], index: 0 });
    expect(await out(dataFind, { condition: 'index >= 2 and item.severity : high' }, { items: alerts })).toEqual({ item: alerts[3], index: 3 });
  });

  it('reads the context in the condition ({{ }} quoted as in every condition)', async () => {
    const context = { consts: { host: 'db-01' } } as unknown as TemplateContext;
    expect(await out(dataFind, { condition: 'item.host.name : {{ consts.host }}' }, { items: alerts }, { context })).toEqual({ item: alerts[1], index: 1 });
  });

  it('no match: { item: null, index: null }, or a step_error with errorIfEmpty', async () => {
    expect(await out(dataFind, { condition: 'item.severity : medium' }, { items: alerts })).toEqual({ item: null, index: null });
    const e = await err(dataFind, { condition: 'item.severity : medium', errorIfEmpty: true }, { items: alerts });
    expect(e.type).toBe('step_error');
    expect(e.message).toBe('data.find: no item of 5 matches the condition (errorIfEmpty is set)');
  });

  it('a bad condition is a condition_error; a missing one a validation_error', async () => {
    expect((await err(dataFind, { condition: 'item.severity : (' }, { items: alerts })).type).toBe('condition_error');
    expect((await err(dataFind, {}, { items: alerts })).type).toBe('validation_error');
  });
});

describe('data.regexExtract', () => {
  it('named and numbered groups from one string: an object', async () => {
    const output = await out(dataRegexExtract, { pattern: '^(?<date>\\d{4}-\\d{2}-\\d{2}) (\\w+) (?<msg>.*)$', fields: { date: 'date', level: '$2', msg: 'msg', all: '$0', none: '$9' } }, { source: '2024-01-15 ERROR Connection failed' });
    expect(output).toEqual({ date: '2024-01-15', level: 'ERROR', msg: 'Connection failed', all: '2024-01-15 ERROR Connection failed', none: null });
  });

  it('a list: a list, null for no match and for a non-string item; the first match even with g', async () => {
    const output = await out(dataRegexExtract, { pattern: '\\[(?P<level>\\w+)\\]', fields: { level: 'level' }, flags: 'gi' }, { source: ['[INFO] a [WARN] b', 'nothing', 42, '[error] c'] });
    expect(output).toEqual([{ level: 'INFO' }, null, null, { level: 'error' }]);
  });

  it('no match: null, or a step_error with errorIfNoMatch', async () => {
    expect(await out(dataRegexExtract, { pattern: 'id=(\\d+)', fields: { id: '$1' } }, { source: 'none here' })).toBeNull();
    const e = await err(dataRegexExtract, { pattern: 'id=(\\d+)', fields: { id: '$1' } }, { source: ['id=1', 'none'], errorIfNoMatch: true });
    expect(e.type).toBe('step_error');
    expect(e.message).toMatch('does not match source[1]');
  });

  it('runs in linear time: a pattern that backtracks catastrophically in JavaScript takes milliseconds', async () => {
    const started = Date.now();
    expect(await out(dataRegexExtract, { pattern: '^(a+)+$', fields: { x: '$1' } }, { source: `${'a'.repeat(50_000)}!` })).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    [{ pattern: 'a(?=b)', fields: { x: '$0' } }, /with\.pattern: invalid regular expression: lookahead/],
    [{ pattern: '(a)\\1', fields: { x: '$0' } }, /with\.pattern: invalid regular expression: backreference/],
    [{ pattern: 'a{2000}', fields: { x: '$0' } }, /with\.pattern: invalid regular expression: invalid repetition size/],
    [{ pattern: '(a', fields: { x: '$0' } }, /with\.pattern: invalid regular expression: missing \)/],
    [{ pattern: 'a', fields: { x: '$0' }, flags: 'gq' }, /with\.flags: unknown flag "q"/],
    [{ pattern: 'a', fields: { x: '$0' }, flags: 'v' }, /with\.flags: flag "v"/],
    [{ pattern: 7, fields: { x: '$0' } }, /with\.pattern must be a string, got number/],
    [{ pattern: 'x'.repeat(10_001), fields: { x: '$0' } }, /with\.pattern is 10001 characters, at most 10000/],
    [{ pattern: 'a', fields: {} }, /with\.fields must map output fields/],
    [{ pattern: 'a', fields: { x: '$x' } }, /with\.fields\.x must be "\$<number>" or a group name/],
  ])('rejects %j as a validation_error', async (input, message) => {
    const e = await err(dataRegexExtract, input, { source: 'a' });
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });

  it.each([
    [{ source: 12 }, /source must be a string or a list of strings, got number/],
    [{ source: null }, /source must be a string or a list of strings, got null/],
    [{ source: 'a'.repeat(MAX_REGEX_INPUT + 1) }, new RegExp(`source is ${MAX_REGEX_INPUT + 1} characters, at most ${MAX_REGEX_INPUT}`)],
    [{ source: new Array(MAX_ITEMS + 1).fill('a') }, /source: 10001 items, at most 10000/],
    [{ source: 'a', errorIfNoMatch: 'maybe' }, /errorIfNoMatch must be true or false/],
  ])('rejects the parameters %#', async (params, message) => {
    const e = await err(dataRegexExtract, { pattern: 'a', fields: { x: '$0' } }, params);
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });

  it('bounds the total input (RE2 is linear in it)', async () => {
    const e = await err(dataRegexExtract, { pattern: 'a', fields: { x: '$0' } }, { source: new Array(101).fill('a'.repeat(MAX_REGEX_INPUT)) });
    expect(e.message).toMatch('source holds 10100000 characters in all, at most 10000000');
  });
});

describe('data.regexReplace', () => {
  it('the first match, or every one with g; $1, $<name>, $&, $$ as in JavaScript', async () => {
    expect(await out(dataRegexReplace, { pattern: 'o', replacement: '0' }, { source: 'foo boo' })).toBe('f0o boo');
    expect(await out(dataRegexReplace, { pattern: 'o', replacement: '0', flags: 'g' }, { source: 'foo boo' })).toBe('f00 b00');
    expect(await out(dataRegexReplace, { pattern: '(?<y>\\d{4})-(\\d{2})-(\\d{2})', replacement: '$2/$3/$<y> [$&] $$1 $9' }, { source: 'on 2024-01-15.' })).toBe('on 01/15/2024 [2024-01-15] $1 $9.');
    expect(await out(dataRegexReplace, { pattern: '\\b(password|secret)\\b', replacement: '***', flags: 'gi' }, { source: 'My Password is SECRET' })).toBe('My *** is ***');
  });

  it('matches what String.prototype.replace gives, empty matches and unicode included', async () => {
    for (const [pattern, flags, replacement, source] of [
      ['', 'g', '-', 'héllo'],
      ['(l)(l)?', 'g', "[$2$1$`|$']", 'hello world'],
      ['x*', 'g', '.', 'aé😀b'],
      ['(\\w)(\\w)?', '', '$22$11$<n>', 'ab'],
    ]) {
      expect([pattern, await out(dataRegexReplace, { pattern, replacement, flags }, { source })]).toEqual([pattern, source.replace(new RegExp(pattern, `${flags}u`), replacement)]);
    }
  });

  it('a list: each string replaced, other items left as they are; detailed gives {original, replaced, matchCount}', async () => {
    const source = ['a@old.example', 'b@old.example', null, 3];
    expect(await out(dataRegexReplace, { pattern: '@old\\.example$', replacement: '@new.example' }, { source })).toEqual(['a@new.example', 'b@new.example', null, 3]);
    expect(await out(dataRegexReplace, { pattern: 'error', replacement: 'warning', flags: 'gi' }, { source: 'Error here. Another error.', detailed: true })).toEqual({
      original: 'Error here. Another error.',
      replaced: 'warning here. Another warning.',
      matchCount: 2,
    });
    expect(await out(dataRegexReplace, { pattern: 'x', replacement: 'y' }, { source: ['x x', 'none'], detailed: true })).toEqual({ original: ['x x', 'none'], replaced: ['y x', 'none'], matchCount: 1 });
  });

  it('the result may not grow past max-step-size', async () => {
    const e = await err(dataRegexReplace, { pattern: '', replacement: 'x'.repeat(1000), flags: 'g' }, { source: 'a'.repeat(50_000) }, { maxStepSize: 1024 * 1024 });
    expect(e.type).toBe('size_exceeded');
    expect(e.message).toMatch('max-step-size');
  });

  it.each([
    [{ pattern: 'a' }, /with\.replacement must be a string/],
    [{ pattern: 'a(?<!b)', replacement: '' }, /lookbehind/],
    [{ pattern: 'a', replacement: '', flags: 3 }, /with\.flags must be a string/],
  ])('rejects %j', async (input, message) => {
    const e = await err(dataRegexReplace, input, { source: 'a' });
    expect(e).toBeInstanceOf(StepError);
    expect(e.type).toBe('validation_error');
    expect(e.message).toMatch(message);
  });
});
