/**
 * connectors.yaml (docs/connectors.md): parsing, `${ENV}` substitution and validation.
 * Every problem is one line naming the file, the connector and the field, e.g.
 * `connectors.yaml: connector "edr-connector": url: expected an absolute http(s) URL`.
 */
import { parseDocument } from 'yaml';
import { isPlainObject } from '@flowgate/template';
import { EnvSubstitutionError, substituteEnv } from './env';
import { FORBIDDEN_CONNECTOR_HEADERS, isHeaderName, isHeaderValue } from './headers';

export type ConnectorType = 'http' | 'elasticsearch' | 'openai' | 'kibana' | 'slack' | 'slack_api' | 'email';
export const CONNECTOR_TYPES: readonly ConnectorType[] = ['http', 'elasticsearch', 'openai', 'kibana', 'slack', 'slack_api', 'email'];
/** The connector types of notification channels (docs/connectors.md "type: slack", "type: slack_api", "type: email"). */
export type NotifyConnectorType = 'slack' | 'slack_api' | 'email';

export interface ConnectorTls {
  /** PEM text of the CA certificate(s) to trust (e.g. a self-managed Elasticsearch's http_ca.crt) */
  ca?: string;
  /** default true; false accepts any certificate (testing only) */
  rejectUnauthorized?: boolean;
}

/** A Slack incoming webhook (`@slack/webhook`). The whole `url` is a secret: never logged, redacted. */
export interface SlackConnector {
  id: string;
  type: 'slack';
  description?: string;
  /** https://hooks.slack.com/services/T.../B.../... (a stand-in's URL in tests) */
  url: string;
}

/** The Slack Web API (`@slack/web-api`): chat.postMessage with a bot token. */
export interface SlackApiConnector {
  id: string;
  type: 'slack_api';
  description?: string;
  /** the bot token (xoxb-...); a secret */
  token: string;
  /** the app's signing secret, to verify interactive button clicks; a secret */
  signingSecret?: string;
  /** the API base, default https://slack.com/api (a stand-in's URL in tests), without a trailing "/" */
  url: string;
}

/** An SMTP server (`nodemailer`). */
export interface EmailConnector {
  id: string;
  type: 'email';
  description?: string;
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it */
  secure: boolean;
  user?: string;
  /** a secret */
  password?: string;
  /** the sender, `flowgate@example.com` or `Flowgate <flowgate@example.com>` */
  from: string;
  tls?: ConnectorTls;
}

export type NotifyConnector = SlackConnector | SlackApiConnector | EmailConnector;

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

interface BaseConnector {
  id: string;
  description?: string;
  /** the absolute http(s) URL the connector stands for; its origin is the only one steps may reach */
  url: string;
  /** where requests for `url`'s origin really go (origin only); Host and TLS name stay `url`'s */
  targetUrl?: string;
  /** sent with every request; win over step headers; never recorded */
  headers: Record<string, string>;
  tls?: ConnectorTls;
}

export interface HttpConnector extends BaseConnector {
  type: 'http';
}

export interface ElasticsearchConnector extends BaseConnector {
  type: 'elasticsearch';
  apiKey?: string;
  username?: string;
  password?: string;
  /** retries of the client itself on connection errors (default 0: the step's on-failure decides) */
  maxRetries: number;
}

export interface OpenAIConnector extends BaseConnector {
  type: 'openai';
  apiKey?: string;
  model: string;
  /** the token budget of a step's input (~4 characters per token); longer input is cut */
  maxInputTokens: number;
  /** retries of the client on 408/409/429/5xx and connection errors (default 2) */
  maxRetries: number;
  /** first retry delay in ms, doubled per retry, at most 8 s (default 500); a Retry-After answer wins */
  retryDelayMs: number;
  /** `default: true`: the connector of `ai.*` steps without `connector-id` (at most one) */
  default?: boolean;
}

/** Kibana's HTTP API (docs/connectors.md "type: kibana"): the `kibana.*` and `ai.agent` steps. */
export interface KibanaConnector extends BaseConnector {
  type: 'kibana';
  /** sent as `Authorization: ApiKey <apiKey>`; absent only when `headers` carry an Authorization */
  apiKey?: string;
  /** a Kibana space id: API paths get `/s/<space>` in front (none for the default space) */
  space?: string;
  /** `default: true`: the connector of `kibana.*` and `ai.agent` steps without `connector-id` (at most one) */
  default?: boolean;
}

export type Connector = HttpConnector | ElasticsearchConnector | OpenAIConnector | KibanaConnector | NotifyConnector;

export const DEFAULT_MAX_INPUT_TOKENS = 8000;
export const DEFAULT_OPENAI_MAX_RETRIES = 2;
export const DEFAULT_OPENAI_RETRY_DELAY_MS = 500;
export const DEFAULT_ELASTICSEARCH_MAX_RETRIES = 0;

const COMMON_FIELDS = ['type', 'description', 'url', 'targetUrl', 'headers', 'tls'];
const FIELDS: Record<ConnectorType, string[]> = {
  slack: ['type', 'description', 'url'],
  slack_api: ['type', 'description', 'token', 'signingSecret', 'url'],
  email: ['type', 'description', 'host', 'port', 'secure', 'user', 'password', 'from', 'tls'],
  http: COMMON_FIELDS,
  elasticsearch: [...COMMON_FIELDS, 'apiKey', 'username', 'password', 'maxRetries'],
  openai: [...COMMON_FIELDS, 'apiKey', 'model', 'maxInputTokens', 'maxRetries', 'retryDelay', 'default'],
  kibana: [...COMMON_FIELDS, 'apiKey', 'space', 'default'],
};

/** Kibana's space ids: lower-case letters, digits, `_` and `-`. */
export const KIBANA_SPACE_PATTERN = /^[a-z0-9_-]+$/;

export const CONNECTOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One invalid connectors.yaml: `message` is the whole one-line reason, file name included. */
export class ConnectorConfigError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly connector?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConnectorConfigError';
  }
}

type Raw = Record<string, unknown>;

class Reader {
  constructor(
    private readonly source: string,
    private readonly env: NodeJS.ProcessEnv | Record<string, string | undefined>,
  ) {}

  fail(message: string, connector?: string, field?: string): never {
    const where = connector === undefined ? '' : `connector "${connector}": `;
    throw new ConnectorConfigError(`${this.source}: ${where}${field ? `${field}: ` : ''}${message}`, this.source, connector, field);
  }

  /** A string field, `${ENV}` substituted. */
  string(raw: Raw, id: string, field: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): string | undefined {
    const v = raw[field];
    if (v === undefined || v === null) {
      if (opts.required) this.fail('is required', id, field);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') this.fail(`expected a string, got ${describe(v)}`, id, field);
    const text = this.subst(String(v), id, field);
    if (!opts.allowEmpty && text.trim() === '') this.fail(typeof v === 'string' && v.includes('${') ? `is empty (after substituting "${v}")` : 'is empty', id, field);
    return text;
  }

  subst(text: string, id: string, field: string): string {
    try {
      return substituteEnv(text, this.env);
    } catch (err) {
      if (err instanceof EnvSubstitutionError) this.fail(err.message, id, field);
      throw err;
    }
  }

  url(raw: Raw, id: string, field: 'url' | 'targetUrl', required: boolean): string | undefined {
    const text = this.string(raw, id, field, { required });
    if (text === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(text.trim());
    } catch {
      this.fail('expected an absolute http(s) URL', id, field);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') this.fail('expected an absolute http(s) URL', id, field);
    if (u.username || u.password) {
      this.fail('must not contain credentials (use apiKey, username/password or headers, with ${ENV} references)', id, field);
    }
    if (u.search || u.hash || text.includes('?') || text.includes('#')) this.fail('must not have a query or a fragment', id, field);
    if (field === 'targetUrl' && u.pathname !== '/') {
      this.fail('expected an origin only, such as http://127.0.0.1:9100 (targetUrl replaces the origin; the path stays the step\'s)', id, field);
    }
    // Normalised, without a trailing "/" (relative step URLs are joined with "/").
    return field === 'targetUrl' ? u.origin : u.href.replace(/\/+$/, '');
  }

  boolean(raw: Raw, id: string, field: string, fallback: boolean): boolean {
    const v = raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    const text = typeof v === 'string' ? this.subst(v, id, field).trim().toLowerCase() : '';
    if (text === 'true') return true;
    if (text === 'false') return false;
    this.fail(`expected true or false, got ${JSON.stringify(v)}`, id, field);
  }

  integer(raw: Raw, id: string, field: string, min: number, fallback: number): number {
    const v = raw[field];
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'string' ? Number(this.subst(v, id, field).trim()) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) this.fail(`expected an integer ≥ ${min}, got ${JSON.stringify(v)}`, id, field);
    return n;
  }

  durationMs(raw: Raw, id: string, field: string, fallback: number): number {
    const v = raw[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    const text = typeof v === 'string' ? this.subst(v, id, field).trim() : '';
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
    if (!m) this.fail(`expected a duration such as 500ms, 2s or 1m, got ${JSON.stringify(v)}`, id, field);
    return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000));
  }

  headers(raw: Raw, id: string): Record<string, string> {
    const v = raw.headers;
    if (v === undefined || v === null) return {};
    if (!isPlainObject(v)) this.fail(`expected a mapping of header names to values, got ${describe(v)}`, id, 'headers');
    const out: Record<string, string> = {};
    const seen = new Set<string>();
    for (const [name, value] of Object.entries(v)) {
      const field = `headers.${name}`;
      if (!isHeaderName(name)) this.fail('is not a valid HTTP header name', id, field);
      const lower = name.toLowerCase();
      if (FORBIDDEN_CONNECTOR_HEADERS.has(lower)) this.fail(`cannot be set by a connector (Flowgate sets ${name})`, id, field);
      if (seen.has(lower)) this.fail('is set twice (header names are case-insensitive)', id, field);
      seen.add(lower);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') this.fail(`expected a string, got ${describe(value)}`, id, field);
      const text = this.subst(String(value), id, field);
      if (!isHeaderValue(text)) this.fail('contains a character not allowed in a header value (CR, LF or NUL)', id, field);
      out[name] = text;
    }
    return out;
  }

  tls(raw: Raw, id: string): ConnectorTls | undefined {
    const v = raw.tls;
    if (v === undefined || v === null) return undefined;
    if (!isPlainObject(v)) this.fail(`expected a mapping with ca and/or rejectUnauthorized, got ${describe(v)}`, id, 'tls');
    const out: ConnectorTls = {};
    for (const key of Object.keys(v)) {
      if (key !== 'ca' && key !== 'rejectUnauthorized') this.fail('unknown field (expected ca or rejectUnauthorized)', id, `tls.${key}`);
    }
    if (v.ca !== undefined && v.ca !== null) {
      if (typeof v.ca !== 'string') this.fail(`expected PEM text, got ${describe(v.ca)}`, id, 'tls.ca');
      out.ca = this.subst(v.ca, id, 'tls.ca');
      if (!out.ca.includes('-----BEGIN')) this.fail('expected PEM text (-----BEGIN CERTIFICATE----- ...)', id, 'tls.ca');
    }
    if (v.rejectUnauthorized !== undefined) {
      if (typeof v.rejectUnauthorized !== 'boolean') this.fail('expected true or false', id, 'tls.rejectUnauthorized');
      out.rejectUnauthorized = v.rejectUnauthorized;
    }
    return out;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** `a@b.c` or `Name <a@b.c>` (no CR/LF: a From header must not be split). */
const EMAIL_ADDRESS = /^[^\s<>@",;]+@[^\s<>@",;]+$/;
const NAMED_ADDRESS = /^[^<>\r\n]*<([^\s<>@",;]+@[^\s<>@",;]+)>$/;

export function isEmailAddress(text: string, allowName = false): boolean {
  const t = text.trim();
  return EMAIL_ADDRESS.test(t) || (allowName && NAMED_ADDRESS.test(t));
}

/** The connectors of notification channels: slack, slack_api, email (docs/connectors.md). */
function parseNotifyConnector(r: Reader, raw: Raw, id: string, t: NotifyConnectorType): NotifyConnector {
  const description = raw.description != null ? { description: String(raw.description) } : {};
  if (t === 'slack') {
    return { id, type: 'slack', ...description, url: r.url(raw, id, 'url', true)! };
  }
  if (t === 'slack_api') {
    const signingSecret = r.string(raw, id, 'signingSecret');
    return {
      id,
      type: 'slack_api',
      ...description,
      token: r.string(raw, id, 'token', { required: true })!.trim(),
      ...(signingSecret !== undefined ? { signingSecret: signingSecret.trim() } : {}),
      url: r.url(raw, id, 'url', false) ?? DEFAULT_SLACK_API_URL,
    };
  }
  const host = r.string(raw, id, 'host', { required: true })!.trim();
  if (/[\s/]/.test(host)) r.fail('expected a host name or an IP address (no scheme, path or spaces)', id, 'host');
  const secure = r.boolean(raw, id, 'secure', false);
  const port = r.integer(raw, id, 'port', 1, secure ? 465 : 587);
  if (port > 65535) r.fail(`expected a port number (1-65535), got ${port}`, id, 'port');
  const user = r.string(raw, id, 'user');
  const password = r.string(raw, id, 'password', { allowEmpty: true });
  if (user !== undefined && password === undefined) r.fail('is required with user', id, 'password');
  if (password !== undefined && user === undefined) r.fail('is required with password', id, 'user');
  const from = r.string(raw, id, 'from', { required: true })!.trim();
  if (!isEmailAddress(from, true)) r.fail('expected an e-mail address, such as flowgate@example.com or "Flowgate <flowgate@example.com>"', id, 'from');
  const tls = r.tls(raw, id);
  return {
    id,
    type: 'email',
    ...description,
    host,
    port,
    secure,
    ...(user !== undefined ? { user, password } : {}),
    from,
    ...(tls ? { tls } : {}),
  };
}

/** A `kibana` connector's own fields: apiKey (or an Authorization header), space, default. */
function parseKibanaConnector(r: Reader, raw: Raw, id: string, base: Omit<KibanaConnector, 'type'>, before: readonly Connector[]): KibanaConnector {
  const apiKey = r.string(raw, id, 'apiKey')?.trim();
  const hasAuthorization = Object.keys(base.headers).some((h) => h.toLowerCase() === 'authorization');
  if (apiKey === undefined && !hasAuthorization) r.fail('is required (a Kibana API key, taken from the environment; or an Authorization header in headers)', id, 'apiKey');
  if (apiKey !== undefined && hasAuthorization) r.fail('set either apiKey or an Authorization header, not both', id, 'apiKey');
  const space = r.string(raw, id, 'space')?.trim();
  if (space !== undefined && !KIBANA_SPACE_PATTERN.test(space)) {
    r.fail(`expected a Kibana space id (lower-case letters, digits, "_" and "-"), got ${JSON.stringify(space)}`, id, 'space');
  }
  if (raw.default !== undefined && typeof raw.default !== 'boolean') r.fail('expected true or false', id, 'default');
  if (raw.default === true && before.some((c) => c.type === 'kibana' && c.default)) r.fail('only one connector of type kibana may be the default', id, 'default');
  return {
    ...base,
    type: 'kibana',
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(space !== undefined ? { space } : {}),
    ...(raw.default === true ? { default: true } : {}),
  };
}

/**
 * Parses the text of a connectors.yaml. `sourceName` prefixes every error (usually the file path).
 * Throws ConnectorConfigError (one line) on the first problem.
 */
export function parseConnectorsConfig(yamlText: string, env: NodeJS.ProcessEnv | Record<string, string | undefined>, sourceName = 'connectors.yaml'): Connector[] {
  const r: Reader = new Reader(sourceName, env);
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const offset = Math.min(e.pos[0], yamlText.length);
    const before = yamlText.slice(0, offset).split('\n');
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConnectorConfigError(`${sourceName}:${before.length}:${before[before.length - 1].length + 1}: ${msg}`, sourceName);
  }
  const root = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (root === null || root === undefined) r.fail('expected a mapping with a "connectors" key (the file is empty)');
  if (!isPlainObject(root)) r.fail(`expected a mapping with a "connectors" key, got ${describe(root)}`);
  for (const key of Object.keys(root)) {
    if (key !== 'connectors') r.fail(`unknown top-level key "${key}" (expected "connectors")`);
  }
  const list = root.connectors;
  if (list === undefined) r.fail('expected a mapping with a "connectors" key');
  if (list === null) return [];
  if (!isPlainObject(list)) r.fail(`connectors: expected a mapping of connector ids to connectors, got ${describe(list)}`);

  const out: Connector[] = [];
  for (const [id, raw] of Object.entries(list)) {
    if (!CONNECTOR_ID_PATTERN.test(id)) r.fail(`is not a valid connector id (letters, digits, ".", "_", "-"; at most 128)`, id);
    if (!isPlainObject(raw)) r.fail(`expected a mapping with type, url, ..., got ${describe(raw)}`, id);
    const type = raw.type;
    if (type === undefined || type === null) r.fail(`is required (one of ${CONNECTOR_TYPES.join(', ')})`, id, 'type');
    if (typeof type !== 'string' || !(CONNECTOR_TYPES as readonly string[]).includes(type)) {
      r.fail(`unknown connector type ${JSON.stringify(type)} (expected one of ${CONNECTOR_TYPES.join(', ')})`, id, 'type');
    }
    const t = type as ConnectorType;
    for (const key of Object.keys(raw)) {
      if (!FIELDS[t].includes(key)) r.fail(`unknown field for a connector of type ${t} (expected one of ${FIELDS[t].join(', ')})`, id, key);
    }
    if (t === 'slack' || t === 'slack_api' || t === 'email') {
      out.push(parseNotifyConnector(r, raw, id, t));
      continue;
    }
    const base = {
      id,
      url: r.url(raw, id, 'url', true)!,
      headers: r.headers(raw, id),
      ...(raw.description != null ? { description: String(raw.description) } : {}),
    };
    const targetUrl = r.url(raw, id, 'targetUrl', false);
    const tls = r.tls(raw, id);
    const extra = { ...(targetUrl ? { targetUrl } : {}), ...(tls ? { tls } : {}) };
    if (t === 'http') {
      out.push({ ...base, ...extra, type: 'http' });
    } else if (t === 'elasticsearch') {
      const apiKey = r.string(raw, id, 'apiKey');
      const username = r.string(raw, id, 'username');
      const password = r.string(raw, id, 'password', { allowEmpty: true });
      if (apiKey !== undefined && (username !== undefined || password !== undefined)) r.fail('set either apiKey or username/password, not both', id, 'apiKey');
      if (username !== undefined && password === undefined) r.fail('is required with username', id, 'password');
      if (password !== undefined && username === undefined) r.fail('is required with password', id, 'username');
      out.push({
        ...base,
        ...extra,
        type: 'elasticsearch',
        ...(apiKey !== undefined ? { apiKey } : {}),
        ...(username !== undefined ? { username, password } : {}),
        maxRetries: r.integer(raw, id, 'maxRetries', 0, DEFAULT_ELASTICSEARCH_MAX_RETRIES),
      });
    } else if (t === 'kibana') {
      out.push(parseKibanaConnector(r, raw, id, { ...base, ...extra }, out));
    } else {
      const apiKey = r.string(raw, id, 'apiKey');
      out.push({
        ...base,
        ...extra,
        type: 'openai',
        ...(apiKey !== undefined ? { apiKey } : {}),
        model: r.string(raw, id, 'model', { required: true })!,
        maxInputTokens: r.integer(raw, id, 'maxInputTokens', 1, DEFAULT_MAX_INPUT_TOKENS),
        maxRetries: r.integer(raw, id, 'maxRetries', 0, DEFAULT_OPENAI_MAX_RETRIES),
        retryDelayMs: r.durationMs(raw, id, 'retryDelay', DEFAULT_OPENAI_RETRY_DELAY_MS),
        ...(raw.default === true ? { default: true } : {}),
      });
      if (raw.default !== undefined && typeof raw.default !== 'boolean') r.fail('expected true or false', id, 'default');
      if (raw.default === true && out.some((c) => c.id !== id && c.type === 'openai' && c.default)) {
        r.fail('only one connector of type openai may be the default', id, 'default');
      }
    }
  }
  return out;
}
