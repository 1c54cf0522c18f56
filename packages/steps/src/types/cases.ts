import { StepError, type StepRunContext, type StepType } from '@flowgate/engine';
import { CASE_SEVERITIES, CASE_STATUSES, type CaseStatus, type CaseUpdate } from '@flowgate/store';
import { assigneesOf, customFieldsOf, idText, opKeyOf as opKey } from './cases-input';
import type { StepServices } from './services';

type T = StepType<StepServices>;

function caseId(ctx: StepRunContext): string {
  const id = ctx.input.case_id;
  if (typeof id !== 'string' || id.trim() === '') throw new StepError('validation_error', `${ctx.step.type}: with.case_id is empty`);
  return id.trim();
}

export const createCase: T = {
  type: 'cases.createCase',
  instant: true,
  async run(ctx, { cases }) {
    const severity = String(ctx.input.severity ?? 'low');
    if (!(CASE_SEVERITIES as readonly string[]).includes(severity)) {
      throw new StepError('validation_error', `cases.createCase: severity "${severity}" is not one of ${CASE_SEVERITIES.join(', ')}`);
    }
    const created = await cases.create({
      title: String(ctx.input.title ?? ''),
      description: ctx.input.description == null ? null : String(ctx.input.description),
      severity,
      tags: Array.isArray(ctx.input.tags) ? ctx.input.tags.map(String) : [],
      executionId: ctx.executionId,
      opKey: opKey(ctx),
    });
    // Kibana's case fields the store holds too: a second write, keyed by the step as well
    const extra = kibanaCaseFields(ctx);
    if (Object.keys(extra).length === 0) return { kind: 'output', output: { case: created } };
    const detail = await cases.update(created.id, extra, `${opKey(ctx)}#fields`);
    if (!detail) throw new StepError('validation_error', `cases.createCase: case "${created.id}" was deleted while it was being created`);
    return { kind: 'output', output: { case: detail } };
  },
};

/** category, assignees ([{uid}]) and customFields ([{key, type, value}]) of Kibana's createCase, when given. */
function kibanaCaseFields(ctx: StepRunContext): CaseUpdate {
  const out: CaseUpdate = {};
  if (ctx.input.category !== undefined && ctx.input.category !== null) out.category = idText(ctx, ctx.input.category, 'with.category');
  if (ctx.input.assignees !== undefined && ctx.input.assignees !== null) {
    const uids = assigneesOf(ctx, ctx.input.assignees, 'with.assignees', 0);
    if (uids.length > 0) out.assignees = uids;
  }
  if (ctx.input.customFields !== undefined && ctx.input.customFields !== null) {
    const fields = customFieldsOf(ctx, ctx.input.customFields, 'with.customFields');
    if (fields.length > 0) out.customFields = fields;
  }
  return out;
}

export const addComment: T = {
  type: 'cases.addComment',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseId(ctx);
    const comment = await cases.addComment(id, { comment: String(ctx.input.comment ?? ''), author: `workflow:${ctx.workflowId}`, opKey: opKey(ctx) });
    if (!comment) throw new StepError('validation_error', `cases.addComment: case "${id}" does not exist`);
    return { kind: 'output', output: { comment } };
  },
};

export const getCase: T = {
  type: 'cases.getCase',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseId(ctx);
    const found = await cases.getWithComments(id);
    if (!found) throw new StepError('validation_error', `cases.getCase: case "${id}" does not exist`);
    return { kind: 'output', output: { case: found } };
  },
};

export const setStatus: T = {
  type: 'cases.setStatus',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseId(ctx);
    const status = String(ctx.input.status ?? '');
    if (!(CASE_STATUSES as readonly string[]).includes(status)) {
      throw new StepError('validation_error', `cases.setStatus: status "${status}" is not one of ${CASE_STATUSES.join(', ')}`);
    }
    const updated = await cases.setStatus(id, status as CaseStatus);
    if (!updated) throw new StepError('validation_error', `cases.setStatus: case "${id}" does not exist`);
    return { kind: 'output', output: { case: updated } };
  },
};
