import type { ExecutionState, ExecutionSummary, StepRecord, WaitingFor } from '@flowgate/engine';
import { APPROVAL_SCHEMA } from '@flowgate/workflow-format';

/**
 * ExecutionState <-> Redis hash fields. Field names are short because a waiting execution's
 * footprint is a product promise (≤ 2 KB); absent values are stored as ''.
 */
const FIELDS: Record<keyof ExecutionState, string> = {
  id: 'id',
  workflowId: 'wf',
  workflowName: 'wn',
  version: 'v',
  trigger: 'tr',
  triggeredBy: 'by',
  status: 'status',
  rev: 'rev',
  createdAt: 'ca',
  startedAt: 'sa',
  finishedAt: 'fa',
  error: 'err',
  cancellation: 'cx',
  waitingFor: 'wait',
  next: 'next',
  nextAt: 'na',
  event: 'ev',
  inputs: 'in',
  variables: 'var',
  deadline: 'dl',
  seqs: 'seq',
  traceparent: 'tp',
  summary: 'sm',
  group: 'grp',
  rerunOf: 'ro',
  reruns: 'rr',
  answeredBy: 'ans',
  waitEnded: 'we',
  output: 'out',
  parent: 'par',
  depth: 'dp',
};
const JSON_FIELDS = new Set<keyof ExecutionState>(['error', 'cancellation', 'waitingFor', 'event', 'inputs', 'variables', 'reruns', 'answeredBy', 'waitEnded', 'output', 'parent']);

/** The summary's fields under one-letter names, null fields left out: it stays in Redis as long as the execution. */
const SUMMARY_FIELDS = { host: 'h', user: 'u', rule: 'r', severity: 's', riskScore: 'k', alertId: 'a' } as const;

function compactSummary(summary: ExecutionSummary): string {
  const c: Record<string, unknown> = {};
  for (const [k, short] of Object.entries(SUMMARY_FIELDS)) {
    const v = summary[k as keyof ExecutionSummary];
    if (v !== null && v !== undefined) c[short] = v;
  }
  return Object.keys(c).length === 0 ? '' : JSON.stringify(c);
}

export function expandSummary(raw: string): ExecutionSummary {
  const c = JSON.parse(raw) as Record<string, unknown>;
  const out = {} as Record<string, unknown>;
  for (const [k, short] of Object.entries(SUMMARY_FIELDS)) out[k] = c[short] ?? null;
  return out as unknown as ExecutionSummary;
}
const NUMBER_FIELDS = new Set<keyof ExecutionState>(['rev', 'createdAt', 'startedAt', 'finishedAt', 'nextAt', 'deadline', 'seqs', 'depth']);
/** The execution hash's own fields (step records share the hash under RECORD_PREFIX). */
export const EXECUTION_FIELDS = Object.values(FIELDS).filter((f) => f !== 'id');

/**
 * Step records live in the execution's own hash, one field per path: `s:<path>` (and
 * `s:<path>#r` for the answers to a wait). One key per execution keeps a waiting one small.
 */
export const RECORD_PREFIX = 's:';
export const recordField = (path: string) => `${RECORD_PREFIX}${path}`;

export function encodeExecution(partial: Partial<ExecutionState>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(partial) as [keyof ExecutionState, unknown][]) {
    // rev is the script's; id is in the key already
    if (key === 'rev' || key === 'id' || value === undefined) continue;
    out.push(FIELDS[key], encodeValue(key, value));
  }
  return out;
}

/**
 * waitingFor without what can be derived (the step name from its path, waitForApproval's fixed
 * schema, default labels): a waiting execution is the one that stays in Redis for hours.
 */
function compactWait(w: WaitingFor): Record<string, unknown> {
  const c: Record<string, unknown> = { s: w.step, t: w.type, m: w.message, at: w.since };
  if (w.type !== 'waitForApproval') c.sc = w.schema;
  if (w.approveLabel !== undefined && w.approveLabel !== 'Approve') c.al = w.approveLabel;
  if (w.rejectLabel !== undefined && w.rejectLabel !== 'Decline') c.rl = w.rejectLabel;
  // settings.timeout's deadline is the execution's own `dl`: only a step's earlier timeout is kept here.
  if (w.deadline && w.onDeadline === 'fail') c.dl = w.deadline;
  if (w.ai) c.ai = w.ai;
  return c;
}

function expandWait(c: Record<string, any>): WaitingFor {
  const approval = c.t === 'waitForApproval';
  return {
    step: c.s,
    name: String(c.s).split('/').pop()!,
    type: c.t,
    message: c.m,
    schema: approval ? APPROVAL_SCHEMA : (c.sc ?? null),
    since: c.at,
    ...(approval ? { approveLabel: c.al ?? 'Approve', rejectLabel: c.rl ?? 'Decline' } : {}),
    ...(c.dl !== undefined ? { deadline: c.dl, onDeadline: 'fail' as const } : {}),
    ...(c.ai !== undefined ? { ai: c.ai } : {}),
  };
}

/**
 * The alert event without the copy of `alerts[0].rule` that ingestion adds as `event.rule`
 * (docs/api.md "Alert ingestion"); `expandEvent` puts it back, so the event reads exactly as it was.
 */
function compactEvent(event: unknown): unknown {
  const e = event as { rule?: unknown; alerts?: { rule?: unknown }[] } | null;
  if (!e || typeof e !== 'object' || e.rule === undefined || !Array.isArray(e.alerts)) return event;
  if (JSON.stringify(e.alerts[0]?.rule) !== JSON.stringify(e.rule)) return event;
  const { rule: _copy, ...rest } = e;
  return rest;
}

function expandEvent(event: unknown): unknown {
  const e = event as { rule?: unknown; alerts?: { rule?: unknown }[] } | null;
  if (!e || typeof e !== 'object' || 'rule' in e || !Array.isArray(e.alerts)) return event;
  const rule = e.alerts[0]?.rule;
  return rule === undefined ? event : { ...e, rule };
}

/** The event as stored, in the execution's hash (`ev`) or shared by several executions (Keys.event). */
export function encodeEvent(event: unknown): string {
  return JSON.stringify(compactEvent(event));
}

export function decodeEvent(json: string): unknown {
  return expandEvent(JSON.parse(json));
}

/**
 * The hash field naming the shared event of an execution started with others by one alert (`ev` is
 * then absent): see ExecutionStore.createMany.
 */
export const EVENT_REF_FIELD = 'evr';

function encodeValue(key: keyof ExecutionState, value: unknown): string {
  if (value === null) return '';
  if (key === 'event') return encodeEvent(value);
  if (key === 'waitingFor') return JSON.stringify(compactWait(value as WaitingFor));
  if (key === 'summary') return compactSummary(value as ExecutionSummary);
  if (JSON_FIELDS.has(key)) return JSON.stringify(value);
  return String(value);
}

export function decodeExecution(id: string, hash: Record<string, string>): ExecutionState | null {
  if (!hash.status) return null;
  const state: Record<string, unknown> = { id };
  for (const [key, field] of Object.entries(FIELDS) as [keyof ExecutionState, string][]) {
    if (key === 'id') continue;
    const raw = hash[field];
    if (raw === undefined || raw === '') {
      state[key] = key === 'next' ? '' : key === 'variables' ? {} : key === 'seqs' ? 0 : null;
    } else if (key === 'waitingFor') state[key] = expandWait(JSON.parse(raw));
    else if (key === 'summary') state[key] = expandSummary(raw);
    else if (key === 'event') state[key] = decodeEvent(raw);
    else if (JSON_FIELDS.has(key)) state[key] = JSON.parse(raw);
    else if (NUMBER_FIELDS.has(key)) state[key] = Number(raw);
    else state[key] = raw;
  }
  return state as unknown as ExecutionState;
}

/** Step records are JSON without their null fields (they come back as null). */
export function encodeRecord(record: StepRecord): string {
  const compact: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== null && v !== undefined) compact[k] = v;
  return JSON.stringify(compact);
}

export function decodeRecord(json: string): StepRecord {
  const r = JSON.parse(json) as Partial<StepRecord>;
  return {
    name: r.name!,
    path: r.path!,
    type: r.type!,
    status: r.status!,
    iteration: r.iteration ?? null,
    seq: r.seq ?? 0,
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.error ?? null,
    attempts: r.attempts ?? 0,
    startedAt: r.startedAt ?? null,
    finishedAt: r.finishedAt ?? null,
    ...(r.respondedBy !== undefined ? { respondedBy: r.respondedBy, respondedAt: r.respondedAt } : {}),
    ...(r.respondedVia !== undefined ? { respondedVia: r.respondedVia } : {}),
    ...(r.child !== undefined ? { child: r.child } : {}),
  };
}
