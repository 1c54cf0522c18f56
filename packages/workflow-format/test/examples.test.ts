/** The shared examples validate with no error and no warning; examples/ stays equal to the shared folder. */
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { validateWorkflow } from '@flowgate/workflow-format';

const repoExamples = path.resolve(__dirname, '../../../examples');
const sharedExamples = path.resolve(__dirname, '../../../../shared/examples');
const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

describe('examples/', () => {
  const files = yamlFiles(repoExamples);

  it('holds the three reference workflows', () => {
    expect(files).toEqual(
      expect.arrayContaining(['escalation-gate.yaml', 'isolate-host-with-approval.yaml', 'triage-ambiguous-alert.yaml']),
    );
  });

  it.each(files)('%s validates with no error and no warning', (file) => {
    const result = validateWorkflow(readFileSync(path.join(repoExamples, file), 'utf8'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.definition).toBeDefined();
  });

  (existsSync(sharedExamples) ? it : it.skip)('equals /work/shared/examples', () => {
    const shared = yamlFiles(sharedExamples);
    expect(files).toEqual(shared);
    for (const file of shared) {
      expect(readFileSync(path.join(repoExamples, file), 'utf8')).toBe(readFileSync(path.join(sharedExamples, file), 'utf8'));
    }
  });
});
