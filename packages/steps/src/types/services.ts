import { emptyConnectorRegistry, type ConnectorRegistry } from '@flowgate/connectors';
import type { CaseStore } from '@flowgate/store';
import type { CaseTemplates } from '@flowgate/workflow-format';

/** What step types may use besides their input; the executor builds it once per process. */
export interface StepServices {
  cases: CaseStore;
  /** the connector registry (connectors.yaml), when one is configured */
  connectors?: ConnectorRegistry;
  /** FLOWGATE_HTTP_ALLOWED_HOSTS, parsed */
  httpAllowedHosts?: string[];
  /** the templates of cases.createCaseFromTemplate; absent: read from FLOWGATE_CASE_TEMPLATES once per process */
  caseTemplates?: CaseTemplates;
}

const NO_CONNECTORS = emptyConnectorRegistry();

/** The connector registry the worker passes in `services.connectors`, or an empty one. */
export function connectorsOf(services: StepServices): ConnectorRegistry {
  return services.connectors ?? NO_CONNECTORS;
}
