/** docs/workflow.schema.json is the exported schema, byte for byte (regenerate: pnpm --filter @flowgate/workflow-format gen-schema). */
import { readFileSync } from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { workflowSchema } from '@flowgate/workflow-format';

describe('workflow JSON Schema', () => {
  it('docs/workflow.schema.json equals the exported schema (run `pnpm --filter @flowgate/workflow-format gen-schema`)', () => {
    const file = readFileSync(path.resolve(__dirname, '../../../docs/workflow.schema.json'), 'utf8');
    expect(file).toBe(`${JSON.stringify(workflowSchema, null, 2)}\n`);
  });

  it('is a valid draft-07 schema and compiles in strict mode (no unknown keywords, consistent types)', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    expect(ajv.validateSchema(workflowSchema)).toBe(true);
    expect(() => ajv.compile(workflowSchema)).not.toThrow();
  });

  it('accepts the examples on its own (for editors using it)', () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(workflowSchema);
    const dir = path.resolve(__dirname, '../../../examples');
    for (const file of ['escalation-gate.yaml', 'isolate-host-with-approval.yaml', 'triage-ambiguous-alert.yaml']) {
      const ok = validate(parse(readFileSync(path.join(dir, file), 'utf8')));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('covers every step type with its own `with` shape', () => {
    const defs = workflowSchema.definitions as Record<string, unknown>;
    for (const type of ['console', 'data.set', 'wait', 'waitForInput', 'waitForApproval', 'http', 'ai.classify', 'cases.setStatus', 'workflow.fail']) {
      expect(defs[`with-${type}`]).toBeDefined();
    }
  });
});
