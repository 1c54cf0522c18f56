/**
 * packages/ui/src/lib/api-types.ts, the UI's types of the HTTP API, is generated from docs/openapi.yaml
 * (the contract) by openapi-typescript. This fails when someone changed the contract without regenerating
 * (or edited the generated file): run `pnpm --filter @flowgate/ui gen:api-types` and commit the result.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const UI = join(__dirname, '../../packages/ui');

describe('packages/ui/src/lib/api-types.ts', () => {
  it('is what docs/openapi.yaml generates', () => {
    // The generator is ESM (openapi-typescript and its dependencies), so it runs in its own node process.
    const generated = execFileSync(process.execPath, [join(UI, 'scripts/gen-api-types.mjs'), '--stdout'], { cwd: UI, encoding: 'utf8', timeout: 60_000 });
    const committed = readFileSync(join(UI, 'src/lib/api-types.ts'), 'utf8');
    expect(generated.length).toBeGreaterThan(1000);
    if (committed !== generated) {
      const a = committed.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      throw new Error(
        `packages/ui/src/lib/api-types.ts is out of date with docs/openapi.yaml (first difference at line ${line + 1}: committed ${JSON.stringify(a[line])}, generated ${JSON.stringify(b[line])}). Run \`pnpm --filter @flowgate/ui gen:api-types\` and commit the result.`,
      );
    }
  });

  it('says it is generated and how to regenerate it', () => {
    const head = readFileSync(join(UI, 'src/lib/api-types.ts'), 'utf8').slice(0, 400);
    expect(head).toContain('GENERATED FILE');
    expect(head).toContain('pnpm --filter @flowgate/ui gen:api-types');
  });
});
