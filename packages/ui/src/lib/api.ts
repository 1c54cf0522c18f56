/** The HTTP API client (docs/api.md): same origin, `Authorization: ApiKey <secret>`. */

import type { components, operations } from './api-types';

/*
 * The API's types come from docs/openapi.yaml (the contract), through the generated api-types.ts
 * (`pnpm --filter @flowgate/ui gen:api-types`); never declare a response shape by hand here.
 */
type Schemas = components['schemas'];

export type ExecutionStatus = Schemas['ExecutionStatus'];
export type StepStatus = Schemas['StepStatus'];
export type ExecutionRow = Schemas['ExecutionRow'];
/** What a list row waits for: `{step, since, title}`. */
export type WaitSummary = Schemas['WaitSummary'];
/** The wait an execution is at, with its `title` (the same as the list row's). */
export type WaitingFor = Schemas['WaitingFor'];
export type ExecutionError = Schemas['ExecutionError'];
export type Cancellation = Schemas['Cancellation'];
export type StepError = Schemas['StepError'];
export type StepRecord = Schemas['StepRecord'];
export type Execution = Schemas['Execution'];
export type WorkflowSummary = Schemas['WorkflowSummary'];
export type WorkflowDetail = Schemas['Workflow'];
export type Problem = Schemas['Problem'];
export type CaseStatus = Schemas['CaseStatus'];
export type CaseSeverity = Schemas['CaseSeverity'];
export type Case = Schemas['Case'];
export type CaseWithComments = Schemas['CaseWithComments'];
export type CaseObservable = Schemas['CaseObservable'];
export type CaseAlert = Schemas['CaseAlert'];
export type CaseEvent = Schemas['CaseEvent'];
export type CaseAttachment = Schemas['CaseAttachment'];
export type Comment = Schemas['Comment'];
/** What an execution is about (host, user, rule, severity, risk score, alert id), read once from its event. */
export type Summary = Schemas['Summary'];
export type Severity = Schemas['Severity'];
/** A wait's triage context: the summary, the alert group and the AI verdict before the wait. */
export type WaitContext = Schemas['WaitContext'];
export type AiVerdict = Schemas['AiVerdict'];
export type AnsweredBy = Schemas['AnsweredBy'];
export type Session = Success<'getSession'>;
/** How one wait ended (GET /api/answers): answered, timed out or cancelled, by whom, through which channel. */
export type HistoryRow = Schemas['HistoryRow'];
export type AnswerChannel = Schemas['AnswerChannel'];
/** One channel's notification of a wait, on its step record. */
export type Notification = Schemas['Notification'];
/** What a single-use answer link answers (GET /api/external/link). */
export type LinkView = Schemas['LinkView'];
/** What the local Slack and SMTP stand-ins received (GET /api/standins/received; `enabled` false without them). */
export type ReceivedMessages = Success<'standinsReceived'>;
export type ReceivedMessage = ReceivedMessages['messages'][number];

/** The query of GET /api/answers (docs/api.md "History"). */
export interface AnswersQuery {
  channel?: string;
  outcome?: string;
  by?: string;
  workflowId?: string;
  since?: string;
  limit?: number;
}

/** The list query of GET /api/workflowExecutions (docs/api.md "Executions"). */
export interface ExecutionQuery {
  status?: string[];
  workflowId?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string | null;
  /** search in host, user, rule, alert id and execution id */
  q?: string;
  severity?: string[];
  host?: string;
  rule?: string;
  /** ISO times: createdAt >= from, createdAt < to */
  from?: string;
  to?: string;
}

/** The JSON body of an operation's success answer (200, 201 or 202), as docs/openapi.yaml declares it. */
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Responses<K extends keyof operations> = operations[K]['responses'];
export type Success<K extends keyof operations> = JsonOf<Responses<K>[keyof Responses<K> & (200 | 201 | 202)]>;

/** A JSON Schema (a wait's answer, a workflow's inputs) as the UI's forms take it. */
export type JSONSchema = Record<string, any>;

/** One entry of an error's `details` (docs/api.md "Errors"); which fields are set depends on the code. */
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
    // Answers given through the web app are recorded with the channel "ui" (docs/api.md "Executions").
    headers['x-flowgate-client'] = 'ui';
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

  listExecutions(q: ExecutionQuery): Promise<Success<'listExecutions'>> {
    const p = new URLSearchParams();
    if (q.status?.length) p.set('status', q.status.join(','));
    if (q.workflowId) p.set('workflowId', q.workflowId);
    if (q.order) p.set('order', q.order);
    p.set('limit', String(q.limit ?? 50));
    if (q.cursor) p.set('cursor', q.cursor);
    if (q.q) p.set('q', q.q);
    if (q.severity?.length) p.set('severity', q.severity.join(','));
    if (q.host) p.set('host', q.host);
    if (q.rule) p.set('rule', q.rule);
    if (q.from) p.set('from', q.from);
    if (q.to) p.set('to', q.to);
    return this.get(`/api/workflowExecutions?${p}`);
  }

  answers(q: AnswersQuery): Promise<Success<'listAnswers'>> {
    const p = new URLSearchParams();
    for (const k of ['channel', 'outcome', 'by', 'workflowId', 'since'] as const) {
      const v = q[k]?.trim();
      if (v) p.set(k, v);
    }
    p.set('limit', String(q.limit ?? 100));
    return this.get(`/api/answers?${p}`);
  }

  standinsReceived(): Promise<Success<'standinsReceived'>> {
    return this.get('/api/standins/received');
  }

  session(): Promise<Session> {
    return this.get('/api/session');
  }

  rerun(id: string): Promise<Success<'rerunExecution'>> {
    return this.call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/rerun`);
  }

  execution(id: string): Promise<Success<'getExecution'>> {
    return this.get(`/api/workflowExecutions/${encodeURIComponent(id)}`);
  }

  resume(id: string, step: string, answer: unknown): Promise<Success<'resumeExecution'>> {
    return this.call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/resume?step=${encodeURIComponent(step)}`, answer);
  }

  cancel(id: string, reason?: string): Promise<Success<'cancelExecution'>> {
    return this.call('POST', `/api/workflowExecutions/${encodeURIComponent(id)}/cancel`, reason ? { reason } : undefined);
  }

  workflows(): Promise<Success<'listWorkflows'>> {
    return this.get('/api/workflows');
  }

  workflow(id: string): Promise<Success<'getWorkflow'>> {
    return this.get(`/api/workflows/${encodeURIComponent(id)}`);
  }

  run(id: string, inputs: unknown): Promise<Success<'runWorkflow'>> {
    return this.call('POST', `/api/workflows/${encodeURIComponent(id)}/run`, { inputs });
  }

  cases(q: { status?: string; cursor?: string | null; limit?: number }): Promise<Success<'listCases'>> {
    const p = new URLSearchParams();
    if (q.status) p.set('status', q.status);
    p.set('limit', String(q.limit ?? 50));
    if (q.cursor) p.set('cursor', q.cursor);
    return this.get(`/api/cases?${p}`);
  }

  case(id: string): Promise<Success<'getCase'>> {
    return this.get(`/api/cases/${encodeURIComponent(id)}`);
  }

  addComment(id: string, comment: string): Promise<Success<'addCaseComment'>> {
    return this.call('POST', `/api/cases/${encodeURIComponent(id)}/comments`, { comment });
  }

  setCaseStatus(id: string, status: CaseStatus): Promise<Success<'setCaseStatus'>> {
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

