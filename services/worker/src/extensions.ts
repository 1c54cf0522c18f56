import type { StepRegistry } from '@flowgate/engine';
import type { StepServices } from '@flowgate/steps';

/**
 * Connector-backed step types (http, elasticsearch.*, ai.*) plug in here once packages/connectors
 * provides them; until then the built-in types are the whole registry.
 */
export async function loadStepExtensions(
  registry: StepRegistry<StepServices>,
  _fail: (reason: string) => never,
): Promise<{ registry: StepRegistry<StepServices>; services: Partial<StepServices> }> {
  return { registry, services: {} };
}
