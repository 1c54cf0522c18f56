/**
 * @flowgate/connectors: the connector registry built from connectors.yaml (docs/connectors.md) and the clients
 * the connector-backed step types use (http over undici, the official Elasticsearch client, the
 * official OpenAI client), and the notification senders of the wait steps' channels (Slack, e-mail, webhook).
 */
export {
  CONNECTOR_TYPES,
  CONNECTOR_ID_PATTERN,
  ConnectorConfigError,
  DEFAULT_ELASTICSEARCH_MAX_RETRIES,
  DEFAULT_MAX_INPUT_TOKENS,
  DEFAULT_OPENAI_MAX_RETRIES,
  DEFAULT_OPENAI_RETRY_DELAY_MS,
  DEFAULT_SLACK_API_URL,
  isEmailAddress,
  KIBANA_SPACE_PATTERN,
  parseConnectorsConfig,
} from './config';
export type {
  Connector,
  ConnectorTls,
  ConnectorType,
  ElasticsearchConnector,
  EmailConnector,
  HttpConnector,
  KibanaConnector,
  NotifyConnector,
  NotifyConnectorType,
  OpenAIConnector,
  SlackApiConnector,
  SlackConnector,
} from './config';
export { ConnectorRegistry, DEFAULT_ELASTICSEARCH_CONNECTOR, emptyConnectorRegistry, loadConnectorsFile, parseConnectors } from './registry';
export { EnvSubstitutionError, substituteEnv } from './env';
export { REDACTED, Redactor, headerSecrets } from './redact';
export {
  AddressNotAllowedError,
  embeddedV4,
  guardedConnect,
  isHostAllowed,
  isIpListed,
  nonPublicReason,
  parseAllowedHosts,
  remappingConnect,
  systemResolver,
} from './net';
export type { AllowedHost, Resolver } from './net';
export { ERROR_BODY_EXCERPT, MAX_REDIRECTS, closeGuardedDispatchers, guardedDispatcher, httpCall, resolveConnectorUrl } from './http';
export type { HttpCallInput, HttpCallOptions, HttpResult, HttpRoute } from './http';
export { createElasticsearchClient, elasticsearchWhere, mapElasticsearchError, resolveApi } from './elasticsearch';
export type { ApiFunction } from './elasticsearch';
export { CHARS_PER_TOKEN, chatJson, createOpenAIClient, fitToTokenBudget, invalidAnswer, mapOpenAIError } from './openai';
export type { ChatJsonRequest, ChatJsonResult, OpenAIClientHandle } from './openai';
export { abortError, errorCode, networkError } from './errors';
export * from './notify';
export { KIBANA_TIMEOUT_MS, kibanaCall, kibanaPath, kibanaSecrets } from './kibana';
export type { KibanaCallOptions, KibanaRequest } from './kibana';
