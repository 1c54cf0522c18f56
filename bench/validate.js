#!/usr/bin/env node
/**
 * Benchmark of @flowgate/workflow-format validateWorkflow on a generated 1,000-step workflow (not a test).
 * Build first: pnpm --filter @flowgate/workflow-format build (and its deps: template, condition).
 * Prints the ms to validate beside a baseline: `yaml` parsing alone of the same text, in the same run
 * (these machines are shared and noisy: the ratio is the result, the absolute number is context).
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports */
const path = require('path');
const { validateWorkflow, workflowValidator } = require('../packages/workflow-format/dist');
const YAML = require(require.resolve('yaml', { paths: [path.join(__dirname, '../packages/workflow-format')] }));

const STEPS = Number(process.env.STEPS || 1000);
const RUNS = Number(process.env.RUNS || 7);

/** A realistic mix: actions reading earlier steps, conditions, containers with nested steps, waits. */
function generate(n) {
  const lines = [
    'name: Generated benchmark workflow',
    'description: A long chain of steps reading each other.',
    'triggers:',
    '  - type: alert',
    '    on:',
    '      condition: "rule.tags : page and not host.name : *test*"',
    'settings:',
    '  timeout: 4h',
    '  on-failure:',
    '    retry: { max-attempts: 3, delay: 2s, strategy: exponential }',
    'steps:',
  ];
  let count = 0;
  let prev = null;
  const ref = () => (prev ? `{{ steps.${prev}.output | json }}` : '{{ event.alerts[0].host.name }}');
  while (count < n) {
    const i = count;
    const kind = i % 10;
    const name = `s${i}`;
    if (kind === 3 && n - count >= 3) {
      lines.push(
        `  - name: ${name}`,
        '    type: if',
        `    condition: "steps.${prev}.status : COMPLETED and event.severity >= 3"`,
        '    steps:',
        `      - name: ${name}_then`,
        '        type: console',
        `        with: { message: "then {{ steps.${prev}.output }}" }`,
        '    else:',
        `      - name: ${name}_else`,
        '        type: console',
        `        with: { message: "else {{ steps.${prev}.output }}" }`,
      );
      count += 3;
    } else if (kind === 7 && n - count >= 2) {
      lines.push(
        `  - name: ${name}`,
        '    type: foreach',
        `    foreach: "\${{ steps.${prev}.output.hits.hits }}"`,
        '    steps:',
        `      - name: ${name}_item`,
        '        type: http',
        '        connector-id: edr-connector',
        '        with:',
        '          method: POST',
        '          url: /isolate',
        `          body: { host: "{{ foreach.item._source.host.name }}", index: "{{ foreach.index }}", from: "${ref()}" }`,
      );
      count += 2;
    } else if (kind === 5) {
      lines.push(
        `  - name: ${name}`,
        '    type: elasticsearch.search',
        '    with:',
        '      index: "logs-*"',
        '      size: 20',
        `      query: { term: { "host.name": "${ref()}" } }`,
      );
      count += 1;
    } else if (kind === 9) {
      lines.push(
        `  - name: ${name}`,
        '    type: waitForInput',
        `    if: "steps.${prev}.status : COMPLETED"`,
        '    with:',
        `      message: "## Review {{ steps.${prev}.output }}"`,
        '      schema: { type: object, properties: { approved: { type: boolean } }, required: [approved] }',
      );
      count += 1;
    } else {
      const caseId = prev ? `{{ steps.${prev}.output.case.id | default: 'none' }}` : '{{ event.rule.id }}';
      const status = prev ? `{{ steps.${prev}.status | default: event.rule.name }}` : '{{ event.rule.name }}';
      lines.push(
        `  - name: ${name}`,
        '    type: cases.addComment',
        '    timeout: 30s',
        '    with:',
        `      case_id: "${caseId}"`,
        `      comment: "Step ${i}: ${ref()} ${status}"`,
      );
      count += 1;
    }
    prev = name;
  }
  return `${lines.join('\n')}\n`;
}

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const text = generate(STEPS);
workflowValidator(); // compile the schema once, as a long-running API does
const check = validateWorkflow(text);
if (!check.valid) {
  console.error(check.errors.slice(0, 5));
  throw new Error('the generated workflow should be valid');
}

// warm up both
for (let i = 0; i < 2; i++) {
  YAML.parse(text);
  validateWorkflow(text);
}
const base = [];
const full = [];
for (let i = 0; i < RUNS; i++) {
  base.push(time(() => YAML.parse(text)));
  full.push(time(() => validateWorkflow(text)));
}
const b = median(base);
const f = median(full);
console.log(`validate a ${STEPS}-step workflow (${(text.length / 1024).toFixed(0)} KiB of YAML, median of ${RUNS} runs)`);
console.log(`  baseline: yaml.parse alone                               ${b.toFixed(1).padStart(8)} ms`);
console.log(`  validateWorkflow (parse, schema, checks, normalize)    ${f.toFixed(1).padStart(8)} ms   ${(f / b).toFixed(1)}x baseline`);
