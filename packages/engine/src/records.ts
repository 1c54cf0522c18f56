import type { StepErrorInfo } from './errors';
import type { ExecutionStatus, StepStatus } from './status';

/** One run of a step at one path, updated in place across attempts (docs/workflows.md "Step paths", docs/api.md "Executions"). Times in ms. */
export interface StepRecord {
  name: string;
  path: string;
  type: string;
  status: StepStatus;
  iteration: number | null;
  /** start order */
  seq: number;
  input: unknown;
  output: unknown;
  error: StepErrorInfo | null;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  respondedBy?: string;
  respondedAt?: number;
  /** how the accepted answer came: 'ui' (the web app) or 'api' */
  respondedVia?: AnswerChannel;
  /** workflow.execute / executeAsync: the execution it started */
  child?: string;
  /** if/switch/foreach: what the container chose ({branch}, {match}, {count}) is its output */
}

export interface WaitingFor {
  step: string;
  name: string;
  type: string;
  message: string;
  schema: unknown;
  since: number;
  approveLabel?: string;
  rejectLabel?: string;
  /** ms: the earlier of the step's own timeout and settings.timeout, null when neither is set */
  deadline?: number | null;
  /** what the deadline does: the step fails ('fail') or the execution is cancelled ('cancel') */
  onDeadline?: 'fail' | 'cancel' | null;
  /** the AI verdict of a step before the wait, read once when the wait starts */
  ai?: AiVerdict | null;
}

export interface AiVerdict {
  step: string;
  category: string | null;
  confidence: number | null;
  rationale: string | null;
}

/** What an execution is about, read once from its event when it is created (docs/api.md "Summary"). */
export interface ExecutionSummary {
  host: string | null;
  user: string | null;
  rule: string | null;
  severity: Severity | null;
  riskScore: number | null;
  alertId: string | null;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';
/** How an answer came: the web app, the API with a key, or a single-use link carried by a notification channel. */
export type AnswerChannel = 'ui' | 'api' | NotificationChannel;
export type NotificationChannel = 'slack' | 'slack_api' | 'email' | 'webhook';

export interface AnsweredBy {
  by: string;
  at: number;
  step: string;
  channel: AnswerChannel;
}

/** How the latest wait of an execution ended: the inbox's History (docs/api.md "History"). */
export interface WaitEnded {
  step: string;
  /** the wait's title, as the inbox showed it */
  title: string;
  outcome: 'answered' | 'timed_out' | 'cancelled';
  at: number;
  /** who answered or cancelled; null for a timeout */
  by: string | null;
  channel: AnswerChannel | null;
  /** the AI verdict the wait showed */
  ai: AiVerdict | null;
}

export interface Cancellation {
  reason: 'user' | 'timeout';
  by: string;
  at: number;
  /** the reason a person gave with the cancel */
  comment?: string | null;
}

export interface ExecutionError {
  type: string;
  message: string;
  step: string | null;
}

/** The execution's own record (everything but its step records). Times in ms. */
export interface ExecutionState {
  id: string;
  workflowId: string;
  workflowName: string;
  /** the content hash of the definition version this execution runs */
  version: string;
  trigger: 'alert' | 'manual' | 'scheduled';
  triggeredBy: string;
  status: ExecutionStatus;
  /** bumped by every transition: the compare-and-set version */
  rev: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: ExecutionError | null;
  cancellation: Cancellation | null;
  waitingFor: WaitingFor | null;
  /** the continuation: `<path>#<attempt>` of the step job that must run next, '' when none */
  next: string;
  /** when `next` was set (the reconciler re-adds jobs of continuations older than 10 s) */
  nextAt: number;
  event: unknown;
  inputs: unknown;
  variables: Record<string, unknown>;
  /** timeout deadline (ms), when settings.timeout is set */
  deadline: number | null;
  /** number of step records so far (the next record's seq) */
  seqs: number;
  /** read from the event at creation; null for executions created before summaries existed */
  summary?: ExecutionSummary | null;
  /** without an alert id: the first execution created from the same posted alert, else null (the group is then the own id) */
  group?: string | null;
  /** the execution this one re-runs */
  rerunOf?: string | null;
  /** executions that re-ran this one, oldest first */
  reruns?: string[] | null;
  /** the latest accepted answer */
  answeredBy?: AnsweredBy | null;
  /** how the latest wait ended (answered, timed out, cancelled) */
  waitEnded?: WaitEnded | null;
  /** W3C traceparent of the execution's trace, only when an OpenTelemetry SDK records spans */
  traceparent?: string | null;
  /** what a workflow.output step set: the execution's outputs (a parent's workflow.execute reads them) */
  output?: Record<string, unknown> | null;
  /** the execution whose workflow.execute (or executeAsync) started this one */
  parent?: ParentLink | null;
  /** how many workflow.execute calls deep this execution is (0 or absent: started by a trigger) */
  depth?: number | null;
}

/** Where a child execution came from; `wait`: the parent waits for it (workflow.execute), to be woken when it ends. */
export interface ParentLink {
  executionId: string;
  step: string;
  attempt: number;
  wait: boolean;
}

export function newStepRecord(fields: { name: string; path: string; type: string; seq: number; iteration: number | null; status?: StepStatus }): StepRecord {
  return {
    name: fields.name,
    path: fields.path,
    type: fields.type,
    status: fields.status ?? 'PENDING',
    iteration: fields.iteration,
    seq: fields.seq,
    input: null,
    output: null,
    error: null,
    attempts: 0,
    startedAt: null,
    finishedAt: null,
  };
}

/** The innermost foreach iteration of a path (`a[2]/b[0]/c` → 0), or null outside loops. */
export function innermostIteration(path: string): number | null {
  const matches = [...path.matchAll(/\[(\d+)\]/g)];
  return matches.length === 0 ? null : Number(matches[matches.length - 1][1]);
}
