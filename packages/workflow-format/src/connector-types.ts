/**
 * The ids and types of a connectors.yaml (`connectors: { id: { type, ... } }`, docs/connectors.md), as
 * `ValidateOptions.connectors`. Only ids and types are read: `${ENV_VAR}` references are not substituted,
 * so validating needs no secrets. Throws an Error naming the problem.
 */
import { parse } from 'yaml';
import type { ValidateOptions } from './types';

export type ConnectorTypes = NonNullable<ValidateOptions['connectors']>;

export function connectorTypesFromYaml(text: string): ConnectorTypes {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new Error(`invalid YAML: ${(err as Error).message}`);
  }
  const connectors = (data as { connectors?: unknown } | null)?.connectors;
  if (connectors === null || typeof connectors !== 'object' || Array.isArray(connectors)) {
    throw new Error('expected a "connectors" mapping of id → { type, ... }');
  }
  const out: ConnectorTypes = {};
  for (const [id, value] of Object.entries(connectors as Record<string, unknown>)) {
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !type) throw new Error(`connector "${id}" has no type`);
    out[id] = { type };
  }
  return out;
}
