/**
 * The connector ids and types that workflows may name (`connector-id` is checked when a workflow is
 * saved, SPEC §5). Loading and checking connectors.yaml belongs to @flowgate/connectors; this only
 * asks it for the ids and types.
 */
import type { ConnectorTypes } from './workflow-service';

export async function loadConnectorTypes(path: string | null, env: NodeJS.ProcessEnv = process.env): Promise<ConnectorTypes | undefined> {
  if (!path) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@flowgate/connectors') as Record<string, unknown>;
  const load = (mod.loadConnectorsFile ?? mod.loadConnectors ?? mod.readConnectorsFile) as ((p: string, e?: NodeJS.ProcessEnv) => unknown) | undefined;
  if (typeof load !== 'function') throw new Error('FLOWGATE_CONNECTORS: this build of @flowgate/connectors cannot load connectors.yaml');
  return connectorTypesOf(await load(path, env));
}

/** `{id: {type}}` from whatever shape the registry has (a Map, `{connectors: {...}}`, or a plain record). */
export function connectorTypesOf(registry: unknown): ConnectorTypes {
  const out: ConnectorTypes = {};
  const add = (id: string, c: unknown) => {
    const type = (c as { type?: unknown })?.type;
    if (typeof type === 'string') out[id] = { type };
  };
  const r = registry as { connectors?: unknown; entries?: () => Iterable<[string, unknown]> };
  const source = r && typeof r === 'object' && 'connectors' in r ? r.connectors : registry;
  if (source instanceof Map) for (const [id, c] of source) add(String(id), c);
  else if (source && typeof source === 'object') for (const [id, c] of Object.entries(source)) add(id, c);
  return out;
}
