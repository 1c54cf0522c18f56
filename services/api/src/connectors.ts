/**
 * The connector ids and types that workflows may name (`connector-id` is checked when a workflow is
 * saved, docs/connectors.md). Loading and checking connectors.yaml (with ${ENV} substitution) belongs to
 * @flowgate/connectors: an invalid file stops the API as it stops the workers.
 */
import { loadConnectorsFile } from '@flowgate/connectors';
import type { ConnectorTypes } from './workflow-service';

/**
 * What the API needs of connectors.yaml, read once: the ids and types workflows may name, and the
 * signing secrets of `slack_api` connectors (what a Slack button click is verified against).
 */
export async function loadConnectorInfo(
  path: string | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ types: ConnectorTypes | undefined; slackSecrets: { connectorId: string; signingSecret: string }[] }> {
  if (!path) return { types: undefined, slackSecrets: [] };
  const registry = await loadConnectorsFile(path, env);
  const types = registry.describe();
  const slackSecrets: { connectorId: string; signingSecret: string }[] = [];
  for (const id of Object.keys(types)) {
    const c = registry.get(id);
    if (c?.type === 'slack_api' && c.signingSecret) slackSecrets.push({ connectorId: id, signingSecret: c.signingSecret });
  }
  return { types, slackSecrets };
}
