#!/usr/bin/env node
/**
 * Generates src/lib/api-types.ts, the UI's types of the HTTP API, from docs/openapi.yaml (the API's
 * contract) with openapi-typescript. Never edit that file by hand: change docs/openapi.yaml, then
 *
 *   pnpm --filter @flowgate/ui gen:api-types          writes src/lib/api-types.ts
 *   node packages/ui/scripts/gen-api-types.mjs --stdout   prints it instead
 *
 * test/contract/api-types.test.ts runs this with --stdout and fails when the committed file differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';

const SPEC = new URL('../../../docs/openapi.yaml', import.meta.url);
const OUT = new URL('../src/lib/api-types.ts', import.meta.url);

const HEADER = `/**
 * GENERATED FILE: do not edit. The HTTP API's types, generated from docs/openapi.yaml by openapi-typescript.
 * Regenerate after changing docs/openapi.yaml: pnpm --filter @flowgate/ui gen:api-types
 * (test/contract/api-types.test.ts fails when this file is out of date). Use them through src/lib/api.ts.
 */
`;

export async function generate() {
  // An object without declared properties (an alert, a trigger, a JSON Schema) is Record<string, unknown>,
  // not Record<string, never>.
  const ast = await openapiTS(await readFile(SPEC, 'utf8'), { emptyObjectsUnknown: true, silent: true });
  return HEADER + astToString(ast);
}

const text = await generate();
if (process.argv.includes('--stdout')) process.stdout.write(text);
else {
  const previous = await readFile(OUT, 'utf8').catch(() => null);
  if (previous !== text) await writeFile(OUT, text);
  console.log(previous === text ? 'src/lib/api-types.ts is up to date' : 'wrote src/lib/api-types.ts');
}
