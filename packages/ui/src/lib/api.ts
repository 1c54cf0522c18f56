/** The HTTP API client (docs/api.md): same origin, `Authorization: ApiKey <secret>`. */

export type ExecutionStatus = 'PENDING' | 'RUNNING' | 'WAITING' | 'WAITING_FOR_INPUT' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type StepStatus = ExecutionStatus | 'SKIPPED';
export const EXECUTION_STATUSES: ExecutionStatus[] = ['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT', 'COMPLETED', 'FAILED', 'CANCELLED'];
export const TERMINAL: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export type JSONSchema = Record<string, any>;

export interface ExecutionRow {
  id: string;
  workflowId: string;
  workflowName: string;
  status: ExecutionStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  waitingFor: null | { step: string; since: string; title: string };
}

export interface WaitingFor {
  step: string;
  name: string;
  type: 'waitForInput' | 'waitForApproval' | string;
  message: string | null;
  schema: JSONSchema | null;
  since: string;
  approveLabel?: string | null;
  rejectLabel?: string | null;
}

export interface StepError {
  type?: string;
  message: string;
  details?: unknown;
  step?: string;
}

export interface StepRecord {
  name: string;
  path: string;
  type: string;
  status: StepStatus;
  iteration: number | null;
  input: unknown;
  output: unknown;
  error: StepError | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  respondedBy?: string | null;
  respondedAt?: string | null;
  responses?: { by: string; at: string; accepted: boolean; code: number }[] | null;
}

export interface Execution {
  id: string;
  workflowId: string;
  workflowName: string;
  workflowVersion: string;
  trigger: 'alert' | 'manual' | 'scheduled';
  triggeredBy: string;
  status: ExecutionStatus;
  event: any;
  inputs: any;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: null | StepError;
  cancellation: null | { reason: 'user' | 'timeout'; by: string; at: string };
  waitingFor: WaitingFor | null;
  steps: StepRecord[];
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  tags: string[] | null;
  triggers: { type: string; [k: string]: unknown }[];
  valid: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowDetail extends WorkflowSummary {
  yaml: string;
  definition: any;
  errors: { path?: string; line?: number; column?: number; message: string }[] | null;
}

export interface Case {
  id: string;
  title: string;
  description: string | null;
  severity: 'low' | 'medium' | 'high' | 'critical' | string;
  status: 'open' | 'in-progress' | 'closed';
  tags: string[] | null;
  executionId: string | null;
  createdAt: string;
  updatedAt: string;
  comments?: Comment[];
}

export interface Comment {
  id: string;
  case_id: string;
  comment: string;
  author: string;
  createdAt: string;
}

export interface Page<T> {
  results: T[];
  nextCursor: string | null;
}

export interface ErrorDetail {
  path?: string;
  keyword?: string;
  message?: string;
  line?: number;
  column?: number;
  status?: string;
  step?: string;
  respondedBy?: string | null;
  respondedAt?: string | null;
  [k: string]: unknown;
}

/** An answer that was not 2xx, with the API's error envelope when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class Api {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized?: () => void,
  ) {}

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `ApiKey ${this.key}`, accept: 'application/json' };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.raw(method, path, body);
    } catch {
      throw new ApiError(0, 'network', 'The Flowgate API could not be reached. Check your connection and try again.');
    }
    const text = await res.text();
    let parsed: any = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!res.ok) {
      const e = parsed?.error;
      if (res.status === 401) this.onUnauthorized?.();
      throw new ApiError(res.status, e?.code ?? httpCode(res.status), e?.message ?? `${res.status} ${res.statusText}`, Array.isArray(e?.details) ? e.details : []);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  listExecutions(q: { status?: string[]; workflowId?: string; order?: 'asc' | 'desc'; limit?: number; cursor?: string | null }): Promise<Page<ExecutionRow>> {
    const p = new URLSearchParams();
    if (q.status?.length) p.set('status', q.status.join(','));
    if (q.workflowId) p.set('workflowId', q.workflowId);
    if (q.order) p.set('order', q.order);
    p.set('limit', String(q.limit ?? 50));
    if (q.cursor) p.set('cursor', q.cursor);
    return this.get(`/api/workflowExecutions?${p}`);
  }

  execution(id: string): Promise<Execution> {
    return this.get(`/api/workflowExecutions/${encodeURIComponent(id)}`);
  }

  resume(id: string, step: string, answer: unknown): Promise<{ executionId: string; status: string; step: string }> {
    return this.call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/resume?step=${encodeURIComponent(step)}`, answer);
  }

  cancel(id: string): Promise<{ executionId: string; status: string }> {
    return this.call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/cancel`);
  }

  workflows(): Promise<{ results: WorkflowSummary[] }> {
    return this.get('/api/workflows');
  }

  workflow(id: string): Promise<WorkflowDetail> {
    return this.get(`/api/workflows/${encodeURIComponent(id)}`);
  }

  run(id: string, inputs: unknown): Promise<{ executionId: string }> {
    return this.call('POST', `/api/workflows/${encodeURIComponent(id)}/run`, { inputs });
  }

  cases(q: { status?: string; cursor?: string | null; limit?: number }): Promise<Page<Case>> {
    const p = new URLSearchParams();
    if (q.status) p.set('status', q.status);
    p.set('limit', String(q.limit ?? 50));
    if (q.cursor) p.set('cursor', q.cursor);
    return this.get(`/api/cases?${p}`);
  }

  case(id: string): Promise<Case> {
    return this.get(`/api/cases/${encodeURIComponent(id)}`);
  }

  addComment(id: string, comment: string): Promise<Comment> {
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/comments`, { comment });
  }

  setCaseStatus(id: string, status: string): Promise<Case> {
    return this.call('PATCH', `/api/cases/${encodeURIComponent(id)}`, { status });
  }
}

function httpCode(status: number): string {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'error';
}

export type Role = 'ingest' | 'viewer' | 'reviewer' | 'editor' | 'admin';
const RANK: Record<Role, number> = { ingest: 0, viewer: 1, reviewer: 2, editor: 3, admin: 4 };
export const atLeast = (role: Role | null | undefined, min: Role): boolean => !!role && RANK[role] >= RANK[min];

/**
 * There is no "who am I" endpoint, so the role is found by probing with requests that change
 * nothing: a list read (viewer+; 403 means ingest), a cancel of an id that cannot exist (404 for
 * reviewer+, 403 for a viewer), a validation of an empty document (editor+ get an answer, others
 * 403) and an empty alert body (400 for admin, 403 for an editor).
 */
export async function probeRole(key: string): Promise<Role> {
  const api = new Api(key);
  const status = async (method: string, path: string, body?: unknown): Promise<number> => (await api.raw(method, path, body)).status;
  const list = await status('GET', '/api/workflowExecutions?limit=1');
  if (list === 401) throw new ApiError(401, 'unauthorized', 'This API key was not accepted.');
  if (list === 429) throw new ApiError(429, 'rate_limited', 'Too many failed sign-ins from this address. Wait a minute and try again.');
  if (list === 403) return 'ingest';
  if (list !== 200) throw new ApiError(list, 'unavailable', `The API answered ${list}. Try again in a moment.`);
  const cancel = await status('POST', '/api/workflowExecutions/__probe__/cancel');
  if (cancel === 403) return 'viewer';
  const validate = await status('POST', '/api/workflows/validate');
  if (validate === 403) return 'reviewer';
  const alert = await status('POST', '/api/alerts', []);
  return alert === 403 ? 'editor' : 'admin';
}
