import {
  DEFAULT_MAX_STEP_SIZE,
  formatDuration,
  inputsToJsonSchema,
  isContainerStep,
  isKnownStepType,
  isValidWorkflowId,
  parseDuration,
  parseSize,
  RESERVED_WORKFLOW_IDS,
  slugify,
  STEP_TYPES,
  WORKFLOW_ID_PATTERN,
} from '@flowgate/workflow-format';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1h1m1s1ms', 3_661_001],
    ['1w2d3h4m5s6ms', 604_800_000 + 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000 + 6],
    [' 5m ', 300_000],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('takes a number as milliseconds', () => expect(parseDuration(1500)).toBe(1500));

  it.each(['', '5', '5x', '30m1h', '1.5h', 'm', '5 m', '-1s', '1s1s', '1ms1s', 'h1'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/^invalid duration .*: expected a number and a unit \(ms, s, m, h, d, w\), e.g. 90s or 1h30m$/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/invalid duration/);
    expect(() => parseDuration(Infinity)).toThrow(/invalid duration/);
  });

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_250)).toBe('1m30s250ms');
  });
});

describe('parseSize', () => {
  it.each([
    ['1b', 1],
    ['512kb', 512 * 1024],
    ['1kb', 1024],
    ['1mb', 1_048_576],
    ['2gb', 2 * 1024 ** 3],
    ['10MB', 10 * 1_048_576],
    ['1.5kb', 1536],
  ])('%s → %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', '1', '1tb', 'mb', '1 m', '-1kb'])('rejects %j', (text) => {
    expect(() => parseSize(text)).toThrow(/^invalid size .*: expected a number and a unit \(b, kb, mb, gb\)/);
  });

  it('defaults max-step-size to 1 MiB', () => expect(DEFAULT_MAX_STEP_SIZE).toBe(1_048_576));
});

describe('slugify and workflow ids', () => {
  it.each([
    ['Isolate host with approval', 'isolate-host-with-approval'],
    ['isolate-host-with-approval', 'isolate-host-with-approval'],
    ['  Triage: ambiguous alert!! ', 'triage-ambiguous-alert'],
    ['Café Résumé', 'cafe-resume'],
    ['ＦＵＬＬ width', 'full-width'],
    ['snake_case_name', 'snake-case-name'],
    ['日本語', ''],
    ['---', ''],
    ['A1 / B2', 'a1-b2'],
  ])('%j → %j', (name, slug) => expect(slugify(name)).toBe(slug));

  it('cuts to 128 characters', () => {
    const slug = slugify('a'.repeat(200));
    expect(slug).toHaveLength(128);
    expect(WORKFLOW_ID_PATTERN.test(slug)).toBe(true);
  });

  it('checks ids', () => {
    expect(WORKFLOW_ID_PATTERN.source).toBe('^[a-z0-9][a-z0-9_-]{0,127}$');
    expect(RESERVED_WORKFLOW_IDS).toEqual(['validate', 'executions']);
    expect(isValidWorkflowId('escalation-gate')).toBe(true);
    expect(isValidWorkflowId('validate')).toBe(false);
    expect(isValidWorkflowId('-x')).toBe(false);
    expect(isValidWorkflowId('Upper')).toBe(false);
    expect(isValidWorkflowId('a'.repeat(129))).toBe(false);
  });
});

describe('step types', () => {
  it('lists the built-in types', () => {
    expect(STEP_TYPES).toContain('waitForInput');
    expect(STEP_TYPES).toContain('cases.setStatus');
    expect(STEP_TYPES).toEqual(expect.arrayContaining(['data.aggregate', 'data.concat', 'data.dedupe', 'data.find', 'data.regexExtract', 'data.regexReplace']));
    expect(new Set(STEP_TYPES).size).toBe(STEP_TYPES.length);
  });

  it.each(['elasticsearch.search', 'elasticsearch.esql.query', 'elasticsearch.indices.create', 'elasticsearch.bulk', 'console'])(
    '%s is known',
    (type) => expect(isKnownStepType(type)).toBe(true),
  );

  it.each([
    'elasticsearch.close',
    'elasticsearch.transport',
    'elasticsearch.transport.request',
    'elasticsearch.helpers.bulk',
    'elasticsearch.child',
    'elasticsearch.extend',
    'elasticsearch.diagnostic',
    'elasticsearch.connectionPool',
    // a forbidden member reached through an API namespace, in any segment
    'elasticsearch.indices.transport.connectionPool.empty',
    'elasticsearch.indices.transport',
    'elasticsearch.cat.helpers.search',
    'elasticsearch.security.close',
    'elasticsearch',
    'elasticsearch.',
    'ai.translate',
    'jira',
    'kibana.setAlertsStatus', // Kibana's own ids are PascalCase: the lower-case spelling is not a type there either
  ])('%s is not', (type) => expect(isKnownStepType(type)).toBe(false));

  it('knows the containers', () => {
    expect(['if', 'switch', 'foreach'].every(isContainerStep)).toBe(true);
    expect(isContainerStep('http')).toBe(false);
  });
});

describe('inputs list form → JSON Schema', () => {
  it('converts every type', () => {
    expect(
      inputsToJsonSchema([
        { name: 'summary', type: 'string', required: true, description: 'What happened' },
        { name: 'count', type: 'number', default: 3 },
        { name: 'dryRun', type: 'boolean', default: false },
        { name: 'level', type: 'choice', options: ['low', 'high'], default: 'low' },
        { name: 'hosts', type: 'array', required: true },
      ]),
    ).toEqual({
      type: 'object',
      properties: {
        summary: { type: 'string', description: 'What happened' },
        count: { type: 'number', default: 3 },
        dryRun: { type: 'boolean', default: false },
        level: { type: 'string', enum: ['low', 'high'], default: 'low' },
        hosts: { type: 'array', items: { type: ['string', 'number', 'boolean'] } },
      },
      required: ['summary', 'hosts'],
      additionalProperties: false,
    });
  });

  it('keeps a JSON Schema object as is', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(inputsToJsonSchema(schema)).toBe(schema);
  });

  it('omits required when nothing is required', () => {
    expect(inputsToJsonSchema([{ name: 'a', type: 'string' }])).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: false,
    });
  });
});
