/**
 * The generated form's words (packages/ui/src/components/form/messages.ts) and its one-click shape
 * (form/quick-answer.ts): pure functions, tested here; the browser test (test/browser/schema-form.test.ts)
 * shows them in the form.
 */
import { validateJson } from '../src/lib/json-validate';
import { ajvSegments, humanMessage, humanizeRjsfErrors, propertySegments, resolveField } from '../src/components/form/messages';
import { quickAnswer, quickAnswerShape, words } from '../src/components/form/quick-answer';

const PATTERN = '^([0-9a-f]{64}|([0-9]{1,3}[.]){3}[0-9]{1,3})$';
const SCHEMA = {
  type: 'object',
  properties: {
    indicators: { type: 'array', title: 'Indicators to block', minItems: 2, uniqueItems: true, items: { type: 'string', title: 'Indicator', pattern: PATTERN, description: 'An IPv4 address or a SHA-256 hash.' } },
    action: { type: 'string', title: 'Action', enum: ['block', 'monitor'] },
    ticket: { type: 'string', title: 'Change ticket', minLength: 3, maxLength: 12 },
    risk: { type: 'integer', title: 'Risk score', minimum: 1, maximum: 10 },
    code: { type: 'string', pattern: '^[A-Z]{3}$' },
    email: { type: 'string', format: 'email', title: 'Owner e-mail' },
    contacts: { type: 'array', title: 'Contacts', items: { type: 'object', properties: { mail: { type: 'string', title: 'E-mail', format: 'email' } }, required: ['mail'] } },
  },
  required: ['indicators', 'action', 'ticket', 'risk'],
};

/** Every error of `data` in words, as the JSON editor and the one-click answer get them. */
const words_ = (data: unknown) => validateJson(SCHEMA, data).map((e) => humanMessage(SCHEMA, { keyword: e.keyword, segments: ajvSegments(e), params: e.params, data }));

describe('form messages', () => {
  it('names fields by title, items by number, and never shows a path or a regex', () => {
    const all = words_({ indicators: ['nope', 'nope'], action: 'drop', ticket: 'C1', risk: 42, code: 'abc', email: 'x', contacts: [{ mail: 'a@b.co' }, {}] });
    expect(all).toEqual(
      expect.arrayContaining([
        'Indicators to block #1 has the wrong format: An IPv4 address or a SHA-256 hash.',
        'Indicators to block #2 has the wrong format: An IPv4 address or a SHA-256 hash.',
        'Indicators to block lists the same entry twice (#1 and #2)',
        'Action must be one of: block, monitor',
        'Change ticket must be at least 3 characters long',
        'Risk score must be 10 or less',
        'code has the wrong format',
        'Owner e-mail must be an e-mail address',
        'Contacts #2 › E-mail is required',
      ]),
    );
    for (const m of all) {
      expect(m).not.toMatch(/\/(indicators|contacts)|\.indicators|\[0-9|\^|must NOT|must match/);
    }
  });

  it('required, limits, lists and types in plain English', () => {
    expect(words_({})).toEqual(expect.arrayContaining(['Indicators to block is required', 'Action is required', 'Change ticket is required', 'Risk score is required']));
    const more = words_({ indicators: ['192.0.2.1'], action: 'block', ticket: 'x'.repeat(13), risk: 0 });
    expect(more).toEqual(expect.arrayContaining(['Indicators to block needs at least 2 entries', 'Change ticket must be at most 12 characters long', 'Risk score must be 1 or more']));
    expect(words_({ indicators: ['192.0.2.1', null], action: 'block', ticket: 'CHG', risk: 1 })).toContain('Indicators to block #2 is empty: fill it in or remove it');
    expect(words_({ indicators: ['192.0.2.1', '192.0.2.2'], action: 'block', ticket: 'CHG', risk: 'high' })).toEqual(['Risk score must be a whole number']);
    expect(humanMessage(SCHEMA, { keyword: 'minLength', segments: ['ticket'], params: { limit: 1 } })).toBe('Change ticket must not be empty');
    expect(humanMessage(SCHEMA, { keyword: 'exclusiveMaximum', segments: ['risk'], params: { limit: 5 } })).toBe('Risk score must be less than 5');
    expect(humanMessage(SCHEMA, { keyword: 'someNewKeyword', segments: ['risk'] })).toBe('Risk score is not valid');
    expect(humanMessage(SCHEMA, { keyword: 'type', segments: [], params: { type: 'object' } })).toBe('The answer must be a group of fields');
  });

  it("rjsf errors: dotted properties are resolved, message and stack become the same sentence", () => {
    expect(propertySegments('.indicators.0')).toEqual(['indicators', '0']);
    expect(propertySegments('a~1b')).toEqual(['a/b']);
    expect(resolveField(SCHEMA, ['indicators', '2']).label).toBe('Indicators to block #3');
    expect(resolveField(SCHEMA, ['nope']).label).toBe('nope');
    const [e] = humanizeRjsfErrors(SCHEMA, [{ name: 'pattern', property: '.indicators.0', params: { pattern: PATTERN }, message: `must match pattern "${PATTERN}"`, stack: `.indicators.0 must match pattern "${PATTERN}"` }]);
    expect(e).toMatchObject({ message: 'Indicators to block #1 has the wrong format: An IPv4 address or a SHA-256 hash.', stack: 'Indicators to block #1 has the wrong format: An IPv4 address or a SHA-256 hash.' });
    // An error that is not about the answer (the schema could not be read) is left as it is.
    expect(humanizeRjsfErrors(SCHEMA, [{ stack: 'no schema' }])).toEqual([{ stack: 'no schema' }]);
  });
});

describe('one-click answers', () => {
  const yesNo = { type: 'object', properties: { isolate: { type: 'boolean', title: 'Isolate the host' }, notes: { type: 'string', title: 'Analyst notes' } }, required: ['isolate'] };

  it('recognizes exactly one required boolean and at most one optional string', () => {
    expect(quickAnswerShape(yesNo)).toEqual({ decision: 'isolate', question: 'Isolate the host', notes: 'notes', notesTitle: 'Analyst notes' });
    expect(quickAnswerShape({ properties: { block_sender: { type: 'boolean' } }, required: ['block_sender'] })).toEqual({ decision: 'block_sender', question: 'Block sender' });
    const not = [
      { ...yesNo, required: [] }, // the boolean is optional
      { ...yesNo, required: ['isolate', 'notes'] }, // the notes are required
      { ...yesNo, properties: { ...yesNo.properties, extra: { type: 'string' } } }, // two strings
      { ...yesNo, properties: { ...yesNo.properties, risk: { type: 'integer' } } }, // another field
      { ...yesNo, properties: { isolate: { type: 'boolean', const: true } } }, // "No" is not allowed
      { ...yesNo, properties: { ...yesNo.properties, notes: { type: 'string', enum: ['a', 'b'] } } }, // a select, not notes
      { ...yesNo, oneOf: [] },
      { ...yesNo, type: 'array' },
      { type: 'object', properties: { a: { type: 'boolean' }, b: { type: 'boolean' } }, required: ['a', 'b'] },
      null,
      'x',
    ];
    for (const s of not) expect(quickAnswerShape(s)).toBeNull();
  });

  it('answers the boolean, and the notes only when written', () => {
    const shape = quickAnswerShape(yesNo)!;
    expect(quickAnswer(shape, true, 'why')).toEqual({ isolate: true, notes: 'why' });
    expect(quickAnswer(shape, false, '   ')).toEqual({ isolate: false });
    expect(quickAnswer(shape, false, undefined)).toEqual({ isolate: false });
    expect(words('isolateHost')).toBe('Isolate host');
  });
});
