/**
 * The connector ids and types that workflows may name (`connector-id` is checked when a workflow is
 * saved, docs/connectors.md). Loading and checking connectors.yaml (with ${ENV} substitution) belongs to
 * @flowgate/connectors: an invalid file stops the API as it stops the workers.
 */
import { loadConnectorsFile } from '@flowgate/connectors';
import type { ConnectorTypes } from './workflow-service';

export async function loadConnectorTypes(path: string | null, env: NodeJS.ProcessEnv = process.env): Promise<ConnectorTypes | undefined> {
  if (!path) return undefined;
  return (await loadConnectorsFile(path, env)).describe();
}

/** The signing secrets of `slack_api` connectors: what a Slack button click is verified against. */
export async function loadSlackSigningSecrets(path: string | null, env: NodeJS.ProcessEnv = process.env): Promise<{ connectorId: string; signingSecret: string }[]> {
  if (!path) return [];
  const registry = await loadConnectorsFile(path, env);
  const out: { connectorId: string; signingSecret: string }[] = [];
  for (const id of Object.keys(registry.describe())) {
    const c = registry.get(id);
    if (c?.type === 'slack_api' && c.signingSecret) out.push({ connectorId: id, signingSecret: c.signingSecret });
  }
  return out;
}
