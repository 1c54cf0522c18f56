/**
 * The connector registry: the connectors of one connectors.yaml, their clients (created on first
 * use, one per connector, reused), and the redaction of their secrets.
 */
import { readFileSync } from 'node:fs';
import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Agent, type Dispatcher } from 'undici';
import { StepError, toStepError } from '@flowgate/engine';
import {
  ConnectorConfigError,
  parseConnectorsConfig,
  type Connector,
  type ConnectorType,
  type ElasticsearchConnector,
  type EmailConnector,
  type HttpConnector,
  type KibanaConnector,
  type OpenAIConnector,
  type SlackApiConnector,
  type SlackConnector,
} from './config';
import { createElasticsearchClient } from './elasticsearch';
import { remappingConnect } from './net';
import { createOpenAIClient, type OpenAIClientHandle } from './openai';
import { connectorSecrets } from './notify/secrets';
import { headerSecrets, Redactor } from './redact';

type ByType = {
  http: HttpConnector;
  elasticsearch: ElasticsearchConnector;
  openai: OpenAIConnector;
  kibana: KibanaConnector;
  slack: SlackConnector;
  slack_api: SlackApiConnector;
  email: EmailConnector;
};

/** The connectors that speak HTTP through an undici dispatcher (url, targetUrl, headers, tls). */
type HttpLikeConnector = HttpConnector | ElasticsearchConnector | OpenAIConnector | KibanaConnector;

/** The connector id `elasticsearch.*` steps use without `connector-id` (docs/connectors.md). */
export const DEFAULT_ELASTICSEARCH_CONNECTOR = 'elasticsearch';

export class ConnectorRegistry {
  private readonly byId = new Map<string, Connector>();
  private readonly redactor: Redactor;
  private readonly dispatchers = new Map<string, Agent>();
  private readonly esClients = new Map<string, ElasticsearchClient>();
  private readonly aiClients = new Map<string, OpenAIClientHandle>();

  constructor(connectors: readonly Connector[] = [], readonly source = 'connectors.yaml') {
    const secrets: string[] = [];
    for (const c of connectors) {
      if (this.byId.has(c.id)) throw new ConnectorConfigError(`${source}: connector "${c.id}" is defined twice`, source, c.id);
      this.byId.set(c.id, Object.freeze({ ...c }));
      if (c.type === 'slack' || c.type === 'slack_api' || c.type === 'email') {
        secrets.push(...connectorSecrets(c));
        continue;
      }
      for (const [name, value] of Object.entries(c.headers)) secrets.push(...headerSecrets(name, value));
      if (c.type === 'elasticsearch' || c.type === 'openai' || c.type === 'kibana') {
        if (c.apiKey) secrets.push(c.apiKey, `ApiKey ${c.apiKey}`, `Bearer ${c.apiKey}`);
      }
      if (c.type === 'elasticsearch' && c.username !== undefined) {
        if (c.password) secrets.push(c.password);
        secrets.push(Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64'));
      }
    }
    this.redactor = new Redactor(secrets);
  }

  /** The connector with this id, if configured. */
  get(id: string): Connector | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every connector id, in file order. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * The connector a step without `connector-id` uses among those of `type`: the one marked
   * `default: true`, else the only one. `candidates`: every connector of that type, for the error
   * a step gives when none is chosen.
   */
  defaultOf(type: ConnectorType): { id?: string; candidates: string[] } {
    const candidates = this.ids().filter((c) => this.byId.get(c)!.type === type);
    const marked = candidates.find((c) => (this.byId.get(c) as { default?: boolean }).default === true);
    const id = marked ?? (candidates.length === 1 ? candidates[0] : undefined);
    return id === undefined ? { candidates } : { id, candidates };
  }

  /** `{ id: { type } }`: what validateWorkflow's `connectors` option takes. */
  describe(): Record<string, { type: ConnectorType }> {
    const out: Record<string, { type: ConnectorType }> = {};
    for (const [id, c] of this.byId) out[id] = { type: c.type };
    return out;
  }

  /** A copy of `value` (string, object, array) with every connector secret replaced by "[REDACTED]". */
  redact<T>(value: T): T {
    return this.redactor.redact(value);
  }

  /** Any error as a StepError with every connector secret redacted from its message and details. */
  redactError(err: unknown): StepError {
    const e = toStepError(err);
    if (this.redactor.size === 0) return e;
    return new StepError(e.type, this.redactor.redactString(e.message), {
      retryable: e.retryable,
      ...(e.details !== undefined ? { details: this.redactor.redact(e.details) } : {}),
    });
  }

  /**
   * The connector a step needs, checked for its type; a StepError (configuration_error) naming the
   * step type and the connector otherwise. (Unknown ids are refused when a workflow is saved; this
   * covers a connectors.yaml changed since.)
   */
  require<K extends ConnectorType>(id: string, type: K, stepType: string): ByType[K] {
    const c = this.byId.get(id);
    if (!c) throw new StepError('configuration_error', `${stepType}: connector "${id}" is not configured`);
    if (c.type !== type) throw new StepError('configuration_error', `${stepType}: connector "${id}" is of type ${c.type}, a ${stepType} step needs one of type ${type}`);
    return c as ByType[K];
  }

  /** The undici dispatcher of an http connector (dials targetUrl when set). */
  dispatcher(connector: HttpLikeConnector): Dispatcher {
    let agent = this.dispatchers.get(connector.id);
    if (!agent) {
      agent = new Agent({ connect: remappingConnect(connector.targetUrl, connector.tls) });
      this.dispatchers.set(connector.id, agent);
    }
    return agent;
  }

  /** The official Elasticsearch client of a connector (one per connector, reused). */
  elasticsearch(connector: ElasticsearchConnector): ElasticsearchClient {
    let client = this.esClients.get(connector.id);
    if (!client) {
      client = createElasticsearchClient(connector);
      this.esClients.set(connector.id, client);
    }
    return client;
  }

  /** The official OpenAI client of a connector (one per connector, reused). */
  openai(connector: OpenAIConnector): OpenAIClientHandle {
    let handle = this.aiClients.get(connector.id);
    if (!handle) {
      handle = createOpenAIClient(connector);
      this.aiClients.set(connector.id, handle);
    }
    return handle;
  }

  /** Closes every client's connections (shutdown, tests). */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    for (const a of this.dispatchers.values()) closing.push(a.close());
    for (const c of this.esClients.values()) closing.push(c.close());
    for (const h of this.aiClients.values()) closing.push(h.dispatcher.close());
    this.dispatchers.clear();
    this.esClients.clear();
    this.aiClients.clear();
    await Promise.all(closing.map((p) => p.catch(() => undefined)));
  }
}

/** Parses connectors.yaml text into a registry. Throws ConnectorConfigError (one line) when invalid. */
export function parseConnectors(yamlText: string, env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env, sourceName = 'connectors.yaml'): ConnectorRegistry {
  return new ConnectorRegistry(parseConnectorsConfig(yamlText, env, sourceName), sourceName);
}

/** Reads and parses a connectors.yaml file. Throws ConnectorConfigError (one line, naming the file) when unreadable or invalid. */
export function loadConnectorsFile(path: string, env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): ConnectorRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConnectorConfigError(`${path}: cannot read the connectors file${code ? ` (${code})` : ''}`, path);
  }
  return parseConnectors(text, env, path);
}

/** A registry without connectors (no FLOWGATE_CONNECTORS). */
export function emptyConnectorRegistry(): ConnectorRegistry {
  return new ConnectorRegistry([]);
}
