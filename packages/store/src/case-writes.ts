/**
 * The writes of Kibana's case catalog, each one call of `lua/case-mutate.lua` on the case's own keys
 * followed by the index entries it changed (case-index.ts). With an op key (`<executionId>/<stepPath>`)
 * a step run again writes nothing, and ids of what it adds are derived from the op key, so its output
 * is the same (docs/storage.md "Cases").
 */
import { randomUUID } from 'node:crypto';
import { applyIndexChanges, parseIndexChanges, reindexCase, type IndexChanges } from './case-index';
import { decodeCase, hashOf, type CaseHash } from './case-codec';
import {
  CASE_LIMITS,
  CaseInputError,
  type Case,
  type CaseAlert,
  type CaseAttachment,
  type CaseComment,
  type CaseCustomField,
  type CaseEvent,
  type CaseObservable,
} from './case-types';
import type { Keys } from './keys';
import { runScript, type RedisClient } from './scripts';

interface Ctx {
  redis: RedisClient;
  keys: Keys;
}

export type MutateOp = 'set' | 'tags' | 'assignees' | 'customField' | 'attach' | 'observable' | 'unobserve' | 'delete';

export interface MutateResult {
  /** false: the op key was applied already, nothing was written */
  applied: boolean;
  /** the case after the write (for delete: before it) */
  record: Case;
  changes: IndexChanges;
}

function caseKeys(keys: Keys, id: string): string[] {
  return [
    keys.case(id),
    keys.caseComments(id),
    keys.caseObservables(id),
    keys.caseObservableValues(id),
    keys.caseAlerts(id),
    keys.caseEvents(id),
    keys.caseAttachments(id),
    keys.caseOps(id),
    keys.caseTombstone(id),
  ];
}

/** One case-mutate.lua call and its index entries; null when the case does not exist. Throws CaseInputError when refused. */
export async function mutateCase(ctx: Ctx, caseId: string, op: MutateOp, payload: object, opKey?: string): Promise<MutateResult | null> {
  const reply = await runScript(ctx.redis, 'fgCaseMutate', caseKeys(ctx.keys, caseId), [op, opKey ?? '', new Date().toISOString(), JSON.stringify(payload)]);
  const code = Number(reply[0]);
  if (code === 0) return null;
  if (code === 3) throw new CaseInputError(String(reply[1]));
  const h: CaseHash = hashOf(reply[1] as unknown as string[]);
  const changes = parseIndexChanges(String(reply[2]));
  const record = decodeCase(h);
  if (code === 1) await applyIndexChanges(ctx.redis, ctx.keys, caseId, changes);
  // Repeated: the first run may have died before its index entries; put back the case's own (a deleted case has none).
  else if (h.id) await reindexCase(ctx.redis, ctx.keys, caseId, record.tags);
  return { applied: code === 1, record, changes };
}

/** The fields updateCase / the set* steps change; lists replace the case's. */
export interface CaseUpdate {
  title?: string;
  description?: string | null;
  severity?: string;
  status?: string;
  category?: string | null;
  tags?: string[];
  assignees?: string[];
  customFields?: CaseCustomField[];
}

export function updatePayload(u: CaseUpdate): object {
  const fields: Record<string, string> = {};
  for (const name of ['title', 'severity', 'status'] as const) if (u[name] !== undefined) fields[name] = u[name]!;
  if (u.description !== undefined) fields.description = u.description ?? '';
  if (u.category !== undefined) fields.category = u.category ?? '';
  if (u.tags && u.tags.length > CASE_LIMITS.tags) throw new CaseInputError(`a case holds at most ${CASE_LIMITS.tags} tags, got ${u.tags.length}`);
  if (u.assignees && u.assignees.length > CASE_LIMITS.assignees) throw new CaseInputError(`a case has at most ${CASE_LIMITS.assignees} assignees, got ${u.assignees.length}`);
  if (u.customFields && u.customFields.length > CASE_LIMITS.customFields) throw new CaseInputError(`a case has at most ${CASE_LIMITS.customFields} custom fields, got ${u.customFields.length}`);
  return {
    fields,
    ...(u.tags ? { tags: [...new Set(u.tags)] } : {}),
    ...(u.assignees ? { assignees: [...new Set(u.assignees)] } : {}),
    ...(u.customFields ? { customFields: u.customFields.map((f) => [f.key, JSON.stringify(f)]) } : {}),
  };
}

/** What cases.addAlerts/addEvents/addObservables/addAttachments attach; ids are derived from the op key. */
export interface Attachments {
  comments?: { comment: string; author: string }[];
  alerts?: { alertId: string; index: string; rule: CaseAlert['rule'] }[];
  events?: { eventId: string; index: string }[];
  attachments?: { type: string; data: Record<string, unknown> }[];
  observables?: { typeKey: string; value: string; description: string | null }[];
}

export function attachPayload(caseId: string, a: Attachments, idFor: (kind: string, i: number) => string): object {
  const now = new Date().toISOString();
  return {
    comments: (a.comments ?? []).map((c, i) => {
      const id = idFor('c', i);
      const comment: CaseComment = { id, case_id: caseId, comment: c.comment, author: c.author, createdAt: now };
      return [id, JSON.stringify(comment)];
    }),
    alerts: (a.alerts ?? []).map((x) => [x.alertId, JSON.stringify({ alertId: x.alertId, index: x.index, rule: x.rule, attachedAt: now } satisfies CaseAlert)]),
    events: (a.events ?? []).map((x) => [x.eventId, JSON.stringify({ eventId: x.eventId, index: x.index, attachedAt: now } satisfies CaseEvent)]),
    attachments: (a.attachments ?? []).map((x, i) => {
      const id = idFor('t', i);
      return [id, JSON.stringify({ id, type: x.type, data: x.data, attachedAt: now } satisfies CaseAttachment)];
    }),
    observables: (a.observables ?? []).map((o, i) => {
      const id = idFor('o', i);
      const observable: CaseObservable = { id, typeKey: o.typeKey, value: o.value, description: o.description, createdAt: now, updatedAt: now };
      // `_n`: the place in its batch, so that observables added together keep their order (not shown)
      return [id, o.typeKey, o.value, JSON.stringify({ ...observable, _n: i })];
    }),
    limits: CASE_LIMITS,
  };
}

/** Ids of the items one write adds: derived from its op key (same on a repeat), else random. */
export function itemIds(deterministicId: (key: string) => string, opKey?: string): (kind: string, i: number) => string {
  return (kind, i) => (opKey ? deterministicId(`${opKey}#${kind}${i}`) : randomUUID());
}
