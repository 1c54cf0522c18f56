/**
 * The archive of finished executions (docs/operations.md "Archive"): with FLOWGATE_ARCHIVE naming an
 * `elasticsearch` connector, the retention sweep (archive-sweep.ts) bulk-indexes every finished
 * execution into `flowgate-executions-YYYY.MM` (the UTC month of `finishedAt`) through the official
 * client, one document per execution with `_id` = the execution id, before removing it from Redis;
 * the API reads executions that left Redis back from there.
 *
 * The document is the execution as the API shows it (view.ts `executionView`: its steps and every
 * answer), each answer with its `channel`, plus flat fields for search (`respondedBy`).
 */
import type { ExecutionState, ExecutionStatus, StepRecord } from '@flowgate/engine';
import type { NotificationEntry, ResponseEntry } from '@flowgate/store';
import { executionView, iso, summaryView } from './view';
import type { Logger } from './runtime';

export const ARCHIVE_INDEX_PREFIX = 'flowgate-executions-';
export const ARCHIVE_INDEX_PATTERN = `${ARCHIVE_INDEX_PREFIX}*`;
export const ARCHIVE_TEMPLATE_NAME = 'flowgate-executions';
/** The channel of every answer today: they all come through the HTTP API (the UI, curl, Kibana's path). */
export const API_CHANNEL = 'api';

/** `flowgate-executions-YYYY.MM`, the UTC month of `finishedAt`. */
export function archiveIndex(finishedAtMs: number): string {
  const d = new Date(finishedAtMs);
  return `${ARCHIVE_INDEX_PREFIX}${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** An archived execution: the API's execution view, answers with their channel, and the search fields. */
export type ArchiveDocument = Record<string, unknown> & {
  id: string;
  workflowId: string;
  status: ExecutionStatus;
  createdAt: string | null;
  finishedAt: string | null;
  /** every accepted answerer, in answer order */
  respondedBy: string[];
  archivedAt: string;
  steps: Record<string, unknown>[];
};

/** The document of a finished execution (what the API shows, `executionView`, plus the archive's own fields). */
export function archiveDocument(
  s: ExecutionState,
  records: StepRecord[],
  responses: Map<string, ResponseEntry[]>,
  archivedAt: number,
  responseCounts: Map<string, number> = new Map(),
  notifications: Map<string, NotificationEntry[]> = new Map(),
): ArchiveDocument {
  const view = executionView(s, records, responses, responseCounts, notifications);
  const steps = view.steps.map((step) =>
    Array.isArray(step.responses) ? { ...step, responses: (step.responses as Record<string, unknown>[]).map((r) => ({ ...r, channel: r.channel ?? API_CHANNEL })) } : step,
  );
  const respondedBy = new Set<string>();
  for (const r of [...records].sort((a, b) => a.seq - b.seq)) {
    for (const e of responses.get(r.path) ?? []) if (e.accepted) respondedBy.add(e.by);
    if (r.respondedBy) respondedBy.add(r.respondedBy);
  }
  return { ...view, steps, respondedBy: [...respondedBy], archivedAt: iso(archivedAt)! };
}

/** What the API answers for an archived execution: the live view's shape, with `archived: true`. */
export function archivedView(doc: Record<string, unknown>): Record<string, unknown> {
  const { respondedBy: _flat, archivedAt: _at, ...view } = doc;
  return { ...archivedDefaults(doc), ...view, archived: true };
}

/** The fields a document archived before they existed lacks, as the live view would show them. */
function archivedDefaults(doc: Record<string, unknown>) {
  return {
    summary: summaryView({ summary: null }),
    group: doc.id as string,
    rerunOf: null,
    reruns: [],
    parent: null,
    output: null,
    answeredBy: null,
  };
}

/** A list row (docs/api.md "Executions") of an archived execution. */
export function archivedRow(doc: Record<string, unknown>) {
  const d: Record<string, unknown> = { ...archivedDefaults(doc), ...doc };
  return {
    id: d.id as string,
    workflowId: d.workflowId as string,
    workflowName: d.workflowName as string,
    status: d.status as ExecutionStatus,
    createdAt: (d.createdAt as string | null) ?? null,
    startedAt: (d.startedAt as string | null) ?? null,
    finishedAt: (d.finishedAt as string | null) ?? null,
    waitingFor: null,
    summary: d.summary as ReturnType<typeof summaryView>,
    group: d.group as string,
    rerunOf: (d.rerunOf as string | null) ?? null,
    parent: (d.parent as { executionId: string; step: string } | null) ?? null,
    answeredBy: (d.answeredBy as Record<string, unknown> | null) ?? null,
    cancellation: (d.cancellation as Record<string, unknown> | null | undefined) ?? null,
    error: (d.error as Record<string, unknown> | null | undefined) ?? null,
  };
}

const keyword = { type: 'keyword' } as const;
const date = { type: 'date' } as const;
/** Kept in `_source` (Discover shows it, the API returns it) but never parsed: any shape, any depth, no mapping. */
const opaque = { type: 'object', enabled: false } as const;
/** One field whatever the alert holds: every leaf a keyword (searchable as `event.host.name: x`), never a new mapping. */
const flattened = { type: 'flattened', ignore_above: 1024, depth_limit: 50 } as const;

/**
 * `PUT _index_template/flowgate-executions` (docs/operations.md "Archive" explains each choice; a test
 * checks that the documentation shows exactly this). `dynamic: false`: a field not listed here stays in
 * `_source` and is never mapped, so no document can add fields to the mapping.
 */
export const ARCHIVE_TEMPLATE = {
  index_patterns: [ARCHIVE_INDEX_PATTERN],
  priority: 200,
  _meta: { description: 'Flowgate: finished executions (docs/operations.md "Archive")', managed_by: 'flowgate' },
  template: {
    mappings: {
      dynamic: false,
      properties: {
        id: keyword,
        workflowId: keyword,
        workflowName: keyword,
        workflowVersion: keyword,
        trigger: keyword,
        triggeredBy: keyword,
        status: keyword,
        createdAt: date,
        startedAt: date,
        finishedAt: date,
        archivedAt: date,
        respondedBy: keyword,
        error: { properties: { type: keyword, message: { type: 'text' }, step: keyword } },
        cancellation: { properties: { reason: keyword, by: keyword, at: date } },
        event: flattened,
        inputs: flattened,
        waitingFor: opaque,
        steps: {
          properties: {
            name: keyword,
            path: keyword,
            type: keyword,
            status: keyword,
            iteration: { type: 'integer' },
            attempts: { type: 'integer' },
            startedAt: date,
            finishedAt: date,
            input: opaque,
            output: opaque,
            error: { properties: { type: keyword, message: { type: 'text' }, details: opaque } },
            respondedBy: keyword,
            respondedAt: date,
            responses: { properties: { by: keyword, at: date, accepted: { type: 'boolean' }, code: keyword, channel: keyword } },
          },
        },
      },
    },
  },
};

/* ---------- the archive ---------- */

/** One document to store. */
export interface ArchiveItem {
  id: string;
  index: string;
  doc: ArchiveDocument;
}

export interface StoreResult {
  /** ids whose document Elasticsearch acknowledged */
  stored: string[];
  /** ids it refused, with the item's status and reason (kept in Redis for the next pass) */
  failed: { id: string; status: number; reason: string }[];
}

export interface ArchiveQuery {
  statuses?: ExecutionStatus[];
  workflowId?: string;
  respondedBy?: string;
  /** ISO times: createdAt ≥ from, createdAt < to */
  from?: string;
  to?: string;
  order: 'asc' | 'desc';
  limit: number;
  /** the previous page's nextCursor */
  cursor?: string;
}

/** Where finished executions go, and are read back from. */
export interface ExecutionArchive {
  /** `elasticsearch connector "archive" (https://...)`: what error messages and logs name */
  readonly description: string;
  store(items: ArchiveItem[]): Promise<StoreResult>;
  get(id: string): Promise<Record<string, unknown> | null>;
  search(query: ArchiveQuery): Promise<{ results: Record<string, unknown>[]; nextCursor: string | null }>;
  /** Installs the index template when it is missing: 'created', or 'present' (left as it is). */
  ensureTemplate(): Promise<'created' | 'present'>;
}

/** The archive cannot be reached or refused the whole request (the API answers 503 `unavailable`). */
export class ArchiveUnavailableError extends Error {
  override name = 'ArchiveUnavailableError';
}

/** A cursor of archive pages, or a 400 for the caller: `cursor` was not one this endpoint returned. */
export class ArchiveCursorError extends Error {
  override name = 'ArchiveCursorError';
}

interface BulkItem {
  _id?: string | null;
  status: number;
  error?: { type?: string; reason?: string | null } | unknown;
}
interface SearchHit {
  _id?: string | null;
  _source?: unknown;
  sort?: unknown[];
}
type RequestOptions = { requestTimeout?: number };

/**
 * The part of the official Elasticsearch client (@elastic/elasticsearch v8, built by the connector
 * registry: packages/connectors `ConnectorRegistry.elasticsearch`) the archive uses.
 */
export interface ArchiveClient {
  bulk(params: { operations: unknown[]; refresh?: 'wait_for' | boolean }, options?: RequestOptions): Promise<{ errors: boolean; items: Partial<Record<string, BulkItem>>[] }>;
  search(
    params: {
      index: string;
      query: Record<string, unknown>;
      size: number;
      sort?: Record<string, unknown>[];
      search_after?: (string | number)[];
      _source?: string[] | boolean;
      track_total_hits?: boolean;
      ignore_unavailable?: boolean;
      allow_no_indices?: boolean;
    },
    options?: RequestOptions,
  ): Promise<{ hits: { hits: SearchHit[] } }>;
  indices: {
    existsIndexTemplate(params: { name: string }, options?: RequestOptions): Promise<boolean>;
    putIndexTemplate(params: Record<string, unknown> & { name: string; create?: boolean }, options?: RequestOptions): Promise<unknown>;
  };
}

/** The client's error, in one line (never its `meta`, which holds request headers). */
export function describeArchiveError(err: unknown): string {
  const e = err as { name?: string; message?: string; statusCode?: number; meta?: { statusCode?: number }; body?: { error?: { type?: string; reason?: string } | string } };
  const status = e?.statusCode ?? e?.meta?.statusCode;
  const body = e?.body?.error;
  const reason = typeof body === 'object' && body ? [body.type, body.reason].filter(Boolean).join(': ') : typeof body === 'string' ? body : '';
  if (status) return `Elasticsearch answered ${status}${reason ? `: ${reason}` : ''}`;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.split('\n')[0];
}

const ROW_FIELDS = ['id', 'workflowId', 'workflowName', 'status', 'createdAt', 'startedAt', 'finishedAt', 'summary', 'group', 'rerunOf', 'parent', 'answeredBy', 'cancellation', 'error'];
/** Bulk requests stay under this many bytes (Elasticsearch refuses bodies over http.max_content_length, 100 MB). */
const BULK_BYTES = 8 * 1024 * 1024;

/** The archive in Elasticsearch, through the official client of an `elasticsearch` connector. */
export class ElasticsearchArchive implements ExecutionArchive {
  readonly description: string;
  private templateChecked = false;

  constructor(
    private readonly client: ArchiveClient,
    private readonly options: { connector: string; where: string; log?: Logger; installTemplate?: boolean; requestTimeoutMs?: number },
  ) {
    this.description = `elasticsearch connector "${options.connector}" (${options.where})`;
  }

  private fail(what: string, err: unknown): ArchiveUnavailableError {
    return new ArchiveUnavailableError(`the archive (${this.description}) is unavailable: ${what}: ${describeArchiveError(err)}`);
  }

  async ensureTemplate(): Promise<'created' | 'present'> {
    const timeout = { requestTimeout: this.options.requestTimeoutMs ?? 10_000 };
    try {
      if (await this.client.indices.existsIndexTemplate({ name: ARCHIVE_TEMPLATE_NAME }, timeout)) return 'present';
      await this.client.indices.putIndexTemplate({ name: ARCHIVE_TEMPLATE_NAME, create: true, ...ARCHIVE_TEMPLATE }, timeout);
      return 'created';
    } catch (err) {
      // Another process created it between the two requests.
      if ((err as { statusCode?: number }).statusCode === 400 && /already exists/.test(describeArchiveError(err))) return 'present';
      throw this.fail('index template', err);
    }
  }

  /**
   * Installs the template once before the first documents (unless `installTemplate: false`). A
   * template Flowgate may not create (no `manage_index_templates` privilege) is logged, not fatal:
   * the operator may have created it. An unreachable cluster fails the store.
   */
  private async templateOnce(): Promise<void> {
    if (this.templateChecked || this.options.installTemplate === false) return;
    try {
      const result = await this.ensureTemplate();
      if (result === 'created') this.options.log?.info({ template: ARCHIVE_TEMPLATE_NAME, archive: this.description }, 'archive: index template created');
    } catch (err) {
      // Unreachable, overloaded (429) or failing (5xx): the store fails too, and is retried.
      if (!/answered 4(?!29)\d\d/.test((err as Error).message)) throw err;
      this.options.log?.warn({ err: (err as Error).message }, `archive: could not install the index template ${ARCHIVE_TEMPLATE_NAME}; create it as docs/operations.md "Archive" shows`);
    }
    this.templateChecked = true;
  }

  async store(items: ArchiveItem[]): Promise<StoreResult> {
    if (items.length === 0) return { stored: [], failed: [] };
    await this.templateOnce();
    // Bodies are serialized once, here, to measure them; the client sends strings as they are.
    const chunks: { ids: string[]; operations: string[] }[] = [];
    let current = { ids: [] as string[], operations: [] as string[] };
    let bytes = 0;
    for (const item of items) {
      const action = JSON.stringify({ index: { _index: item.index, _id: item.id } });
      const source = JSON.stringify(item.doc);
      if (current.ids.length > 0 && bytes + action.length + source.length > BULK_BYTES) {
        chunks.push(current);
        current = { ids: [], operations: [] };
        bytes = 0;
      }
      current.ids.push(item.id);
      current.operations.push(action, source);
      bytes += action.length + source.length + 2;
    }
    chunks.push(current);
    // `refresh: wait_for`: a document is searchable before its execution leaves Redis, so reads never
    // fall between the two. The chunks go at once and wait for the same refresh.
    const answers = await Promise.all(
      chunks.map((chunk) =>
        this.client.bulk({ operations: chunk.operations, refresh: 'wait_for' }, { requestTimeout: this.options.requestTimeoutMs ?? 30_000 }).then(
          (answer) => ({ chunk, answer }),
          (err) => {
            throw this.fail('bulk', err);
          },
        ),
      ),
    );
    const result: StoreResult = { stored: [], failed: [] };
    for (const { chunk, answer } of answers) {
      chunk.ids.forEach((id, i) => {
        const item = Object.values(answer.items?.[i] ?? {})[0];
        const status = Number(item?.status ?? 0);
        if (item && !item.error && status >= 200 && status < 300) {
          result.stored.push(id);
          return;
        }
        const e = item?.error as { type?: string; reason?: string } | undefined;
        const reason = e ? [e.type, e.reason].filter(Boolean).join(': ') : item ? `status ${status}` : 'no answer for this item';
        result.failed.push({ id, status, reason });
      });
    }
    return result;
  }

  async get(id: string): Promise<Record<string, unknown> | null> {
    let answer;
    try {
      answer = await this.client.search(
        { index: ARCHIVE_INDEX_PATTERN, query: { ids: { values: [id] } }, size: 1, ignore_unavailable: true, allow_no_indices: true },
        { requestTimeout: this.options.requestTimeoutMs ?? 10_000 },
      );
    } catch (err) {
      throw this.fail('get', err);
    }
    const hit = answer.hits.hits[0];
    return hit?._source ? (hit._source as Record<string, unknown>) : null;
  }

  async search(q: ArchiveQuery): Promise<{ results: Record<string, unknown>[]; nextCursor: string | null }> {
    const filter: Record<string, unknown>[] = [];
    if (q.statuses && q.statuses.length > 0) filter.push({ terms: { status: q.statuses } });
    if (q.workflowId) filter.push({ term: { workflowId: q.workflowId } });
    if (q.respondedBy) filter.push({ term: { respondedBy: q.respondedBy } });
    if (q.from || q.to) filter.push({ range: { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
    // Dates sort as ISO strings (`format`), so that the page's last sort values are the cursor and
    // search_after takes them back as they are.
    const sort = [{ createdAt: { order: q.order, format: 'strict_date_optional_time' } }, { id: { order: q.order } }];
    let answer;
    try {
      answer = await this.client.search(
        {
          index: ARCHIVE_INDEX_PATTERN,
          query: { bool: { filter } },
          size: q.limit + 1,
          sort,
          ...(q.cursor ? { search_after: decodeCursor(q.cursor) } : {}),
          _source: ROW_FIELDS,
          track_total_hits: false,
          ignore_unavailable: true,
          allow_no_indices: true,
        },
        { requestTimeout: this.options.requestTimeoutMs ?? 10_000 },
      );
    } catch (err) {
      throw this.fail('search', err);
    }
    const hits = answer.hits.hits;
    const page = hits.slice(0, q.limit);
    const last = page.at(-1);
    return {
      results: page.map((h) => (h._source ?? {}) as Record<string, unknown>),
      nextCursor: hits.length > q.limit && last?.sort ? encodeCursor(last.sort as (string | number)[]) : null,
    };
  }
}

/** The page cursor: the last row's sort values `[createdAt, id]`, base64url JSON. */
export function encodeCursor(sort: (string | number)[]): string {
  return Buffer.from(JSON.stringify(sort)).toString('base64url');
}

export function decodeCursor(cursor: string): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ArchiveCursorError(`"${cursor}" is not a cursor returned by this endpoint`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new ArchiveCursorError(`"${cursor}" is not a cursor returned by this endpoint`);
  }
  return parsed as (string | number)[];
}

/* ---------- configuration ---------- */

/** What FLOWGATE_ARCHIVE needs of the connector registry (packages/connectors `ConnectorRegistry`). */
export interface ArchiveConnectors {
  /** any connector type: an e-mail connector has no url */
  get(id: string): { type: string; url?: string; targetUrl?: string } | undefined;
  elasticsearch(connector: { type: string; url?: string; targetUrl?: string }): ArchiveClient;
}

/**
 * FLOWGATE_ARCHIVE (docs/operations.md "Archive"): the id of an `elasticsearch` connector of
 * FLOWGATE_CONNECTORS, or unset (no archive: the sweep deletes). Anything else throws one line naming
 * the variable and the id.
 */
export function archiveFromEnv(env: NodeJS.ProcessEnv, connectors: ArchiveConnectors | undefined, options: { log?: Logger } = {}): ElasticsearchArchive | null {
  const id = env.FLOWGATE_ARCHIVE?.trim();
  if (!id) return null;
  const connector = connectors?.get(id);
  if (!connectors || !connector || connector.type !== 'elasticsearch') {
    const why = !env.FLOWGATE_CONNECTORS?.trim()
      ? 'FLOWGATE_CONNECTORS is not set'
      : !connector
        ? `${env.FLOWGATE_CONNECTORS.trim()} has no connector "${id}"`
        : `connector "${id}" is of type ${connector.type}`;
    throw new Error(`FLOWGATE_ARCHIVE: "${id}" is not an elasticsearch connector (${why})`);
  }
  const url = connector.url ?? '';
  const where = connector.targetUrl ? `${url} via ${connector.targetUrl}` : url;
  return new ElasticsearchArchive(connectors.elasticsearch(connector), { connector: id, where, log: options.log });
}
