import type { StepRegistry } from '@flowgate/engine';
import { connectorStepTypes, type StepServices } from '@flowgate/steps';
import { ConnectorConfigError, loadConnectorsFile, type ConnectorRegistry } from '@flowgate/connectors';

/**
 * Connector-backed step types (http, elasticsearch.*, ai.*, kibana.*, slack, email) and their connectors.
 *
 * FLOWGATE_CONNECTORS is the path of connectors.yaml (docs/connectors.md); `${ENV}` references in it are
 * replaced from the environment. Absent: no connectors (http steps may still reach the hosts of
 * FLOWGATE_HTTP_ALLOWED_HOSTS). An unreadable or invalid file, or a missing variable, stops the
 * worker through `fail` with one line naming the file, the connector and the field.
 */
export async function loadStepExtensions(
  registry: StepRegistry<StepServices>,
  fail: (reason: string) => never,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ registry: StepRegistry<StepServices>; services: Partial<StepServices> }> {
  const path = env.FLOWGATE_CONNECTORS?.trim();
  let connectors: ConnectorRegistry | undefined;
  if (path) {
    try {
      connectors = loadConnectorsFile(path, env);
    } catch (err) {
      fail(err instanceof ConnectorConfigError ? err.message : `${path}: ${(err as Error).message}`);
    }
  }
  registry.register(...connectorStepTypes());
  return { registry, services: connectors ? { connectors } : {} };
}
