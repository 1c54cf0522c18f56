#!/usr/bin/env node
/**
 * Micro-benchmark of @flowgate/template and @flowgate/condition (not a test).
 * Build first: pnpm --filter @flowgate/template build && pnpm --filter @flowgate/condition build
 * Prints µs per operation, each beside a naive baseline doing comparable string work.
 */
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('fs');
const path = require('path');
const { renderDeep, renderString } = require('../packages/template/dist');
const { compileCondition, evaluateKql, evaluateCondition } = require('../packages/condition/dist');

// ---- the reference example's with blocks (and its if:), read from the YAML ----
function loadExample() {
  const candidates = [
    path.join(__dirname, '../examples/isolate-host-with-approval.yaml'),
    '/work/shared/examples/isolate-host-with-approval.yaml',
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  const YAML = require(require.resolve('yaml', { paths: [path.join(__dirname, '../packages/workflow-format')] }));
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  const blocks = doc.steps.map((step) => {
    const withBlock = { ...(step.with || {}) };
    if (step.type === 'waitForInput') delete withBlock.schema; // never rendered (docs/workflows.md "Templates")
    return { name: step.name, with: withBlock, if: step.if };
  });
  return { file, blocks, condition: doc.steps.find((s) => s.if).if };
}

const { file, blocks, condition } = loadExample();

// ---- a realistic context at the last step ----
const hits = Array.from({ length: 20 }, (_, i) => ({
  _index: 'logs-endpoint-default',
  _id: `hit-${i}`,
  _source: { '@timestamp': `2026-01-15T10:${String(i).padStart(2, '0')}:00Z`, host: { name: 'web-01' }, process: { name: 'powershell.exe', args: ['-enc', 'SQBFAFgA'] }, event: { action: 'start' } },
}));
const ctx = {
  event: {
    alerts: [{ _id: 'a1', '@timestamp': '2026-01-15T10:00:00Z', host: { name: 'web-01' }, user: { name: 'jdoe' }, rule: { id: 'r1', name: 'Suspicious PowerShell', tags: ['page', 'edr'] } }],
    rule: { id: 'r1', name: 'Suspicious PowerShell', tags: ['page', 'edr'] },
  },
  inputs: {},
  consts: {},
  variables: {},
  steps: {
    open_case: { output: { case: { id: 'case-4711', title: 'Potential compromise: web-01', status: 'open' } }, status: 'COMPLETED' },
    investigate: { output: { took: 3, hits: { total: { value: 20 }, hits } }, status: 'COMPLETED' },
    classify: { output: { category: 'needs_review', rationale: 'Encoded PowerShell started by a user shell; no known admin activity.' }, status: 'COMPLETED' },
    review: { output: { approved: true, notes: 'Confirmed with the host owner' }, status: 'COMPLETED', respondedBy: 'analyst', respondedAt: '2026-01-15T10:05:00Z' },
  },
  execution: { id: 'exec-1', startedAt: '2026-01-15T10:00:01Z', url: 'http://localhost:7070/executions/exec-1', triggeredBy: 'ingest' },
  workflow: { id: 'isolate-host-with-approval', name: 'isolate-host-with-approval' },
  now: '2026-01-15T10:06:00Z',
};

// ---- baselines: the same texts through a plain String.replace with a dotted-path lookup ----
function lookup(expr) {
  let v = ctx;
  for (const part of expr.trim().split(/[.[\]]+/).filter(Boolean)) v = v == null ? undefined : v[part];
  return v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
function replaceDeep(value) {
  if (typeof value === 'string') return value.replace(/\$?\{\{([^}]*)\}\}/g, (_, expr) => lookup(expr));
  if (Array.isArray(value)) return value.map(replaceDeep);
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value)) out[k] = replaceDeep(value[k]);
    return out;
  }
  return value;
}

function bench(label, fn, iterations) {
  for (let i = 0; i < Math.min(5000, iterations); i++) fn(); // warm up (and fill the caches)
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  return { label, us };
}

function row(a, b) {
  const ratio = b.us > 0 ? (a.us / b.us).toFixed(1) : '-';
  console.log(`  ${a.label.padEnd(66)} ${a.us.toFixed(2).padStart(9)} µs   baseline ${b.label.padEnd(48)} ${b.us.toFixed(2).padStart(8)} µs   (x${ratio})`);
}

console.log(`Reference example: ${path.relative(process.cwd(), file)}`);
console.log('\nTemplates (parsed once, cached):');
let sink = 0;
const N = 20000;
for (const block of blocks) {
  row(
    bench(`renderDeep(${block.name}.with)`, () => { sink += renderDeep(block.with, ctx) ? 1 : 0; }, N),
    bench('String.replace of the same texts', () => { sink += replaceDeep(block.with) ? 1 : 0; }, N),
  );
}
row(
  bench('all six with blocks', () => { for (const b of blocks) sink += renderDeep(b.with, ctx) ? 1 : 0; }, N / 4),
  bench('String.replace of the same texts', () => { for (const b of blocks) sink += replaceDeep(b.with) ? 1 : 0; }, N / 4),
);
const decision = blocks.find((b) => b.name === 'record_decision').with.comment;
row(
  bench('renderString(record_decision comment, ternary)', () => { sink += renderString(decision, ctx).length; }, N),
  bench('String.replace of the same text', () => { sink += replaceDeep(decision).length; }, N),
);

console.log('\nConditions:');
const node = compileCondition(condition);
const M = 200000;
row(
  bench(`evaluateKql(parsed "${condition}")`, () => { sink += evaluateKql(node, ctx) ? 1 : 0; }, M),
  bench('String(ctx.steps.review...approved) === "true"', () => { sink += String(ctx.steps.review.output.approved) === 'true' ? 1 : 0; }, M),
);
row(
  bench('evaluateCondition(same text, cached parse)', () => { sink += evaluateCondition(condition, ctx) ? 1 : 0; }, M),
  bench('String.replace of the same text', () => { sink += condition.replace(/\s*:\s*/, '=').length; }, M),
);
const triggerCond = 'rule.tags : page and alerts.host.name : web*';
const triggerNode = compileCondition(triggerCond);
row(
  bench(`evaluateKql(parsed "${triggerCond}")`, () => { sink += evaluateKql(triggerNode, ctx.event) ? 1 : 0; }, M),
  bench('hand-written JS equivalent', () => { sink += ctx.event.rule.tags.includes('page') && ctx.event.alerts.some((a) => a.host.name.startsWith('web')) ? 1 : 0; }, M),
);
const templated = 'event.alerts.host.name : {{ event.alerts[0].host.name }} and steps.review.output.approved : true';
row(
  bench('evaluateCondition(templated, KQL-quoted)', () => { sink += evaluateCondition(templated, ctx) ? 1 : 0; }, M / 4),
  bench('String.replace of the same text', () => { sink += replaceDeep(templated).length; }, M / 4),
);
if (sink === -1) console.log(sink);
