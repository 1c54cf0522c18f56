#!/usr/bin/env node
/** Writes the workflow JSON Schema (packages/workflow-format/src/schema.ts, built to dist) to docs/workflow.schema.json. */
const fs = require('fs');
const path = require('path');
const { workflowSchema } = require('../dist/schema.js');

const target = path.resolve(__dirname, '../../../docs/workflow.schema.json');
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, `${JSON.stringify(workflowSchema, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
