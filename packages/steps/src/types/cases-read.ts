/**
 * Kibana's cases steps that read cases: cases.getCases, cases.getCasesByAlertId, cases.findCases,
 * cases.findSimilarCases, cases.getAllAttachments; and cases.deleteCases. Output shapes are Kibana's
 * (`{cases, errors}`, `{cases, page, per_page, total, ...}`, `{attachments}`, `{case_ids}`), each case
 * in Flowgate's shape (docs/workflows.md "Kibana's case catalog").
 */
import type { StepRunContext, StepType } from '@flowgate/engine';
import { CASE_SORT_FIELDS, FIND_SCAN_LIMIT, MAX_PER_PAGE, type CaseQuery, type CaseSortField, type CustomFieldValue } from '@flowgate/store';
import { caseIdOf, customValueOf, describeValue, fail, idText, intOf, listOf, objectOf, oneOrMany, opKeyOf, severityOf, statusOf, stringsOf } from './cases-input';
import type { StepServices } from './services';

type T = StepType<StepServices>;

/** getCases reads at most this many ids (Kibana's MAX_BULK_GET_CASES); deleteCases deletes at most 100 (MAX_DELETE_IDS_LENGTH). */
export const MAX_GET_CASES = 1000;
export const MAX_DELETE_CASES = 100;
/** getAllAttachments answers at most this many (Kibana's MAX_DOCS_PER_PAGE), the oldest. */
export const MAX_ATTACHMENTS_ANSWERED = 10_000;

export const getCases: T = {
  type: 'cases.getCases',
  instant: true,
  async run(ctx, { cases }) {
    const ids = stringsOf(ctx, ctx.input.case_ids, 'with.case_ids', MAX_GET_CASES);
    const found = await cases.details(ids);
    // As Kibana's bulk get: the cases found, and one error per id that is not.
    return {
      kind: 'output',
      output: {
        cases: found.filter((c) => c !== null),
        errors: ids.filter((_, i) => found[i] === null).map((caseId) => ({ error: 'Not Found', message: `case "${caseId}" does not exist`, status: 404, caseId })),
      },
    };
  },
};

export const getCasesByAlertId: T = {
  type: 'cases.getCasesByAlertId',
  instant: true,
  async run(ctx, { cases }) {
    const alertId = idText(ctx, ctx.input.alert_id, 'with.alert_id').trim();
    return { kind: 'output', output: { cases: await cases.byAlert(alertId) } };
  },
};

function dateOf(ctx: StepRunContext, value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw fail(ctx, `${where} must be a date (ISO 8601), got ${describeValue(value)}`);
  return ms;
}

function enumOf<E extends string>(ctx: StepRunContext, value: unknown, where: string, allowed: readonly E[]): E | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw fail(ctx, `${where} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
  return value as E;
}

/** findCases' `with`, Kibana's names; `owner` and `reporters` are accepted and not used (the validator warns). */
function queryOf(ctx: StepRunContext): CaseQuery {
  const w = ctx.input;
  const page = intOf(ctx, w.page, 'with.page', 1, FIND_SCAN_LIMIT);
  const perPage = intOf(ctx, w.perPage, 'with.perPage', 20, MAX_PER_PAGE);
  if (page * perPage > FIND_SCAN_LIMIT) throw fail(ctx, `page ${page} of ${perPage} goes past the first ${FIND_SCAN_LIMIT} cases: narrow the search`);
  const searchFields = oneOrMany(ctx, w.searchFields, 'with.searchFields')?.map((f) => {
    if (f !== 'title' && f !== 'description') throw fail(ctx, `with.searchFields: "${f}" is not searchable here (title, description)`);
    return f;
  });
  let customFields: Record<string, CustomFieldValue[]> | undefined;
  if (w.customFields !== undefined && w.customFields !== null) {
    customFields = {};
    for (const [key, values] of Object.entries(objectOf(ctx, w.customFields, 'with.customFields'))) {
      customFields[key] = listOf(ctx, values, `with.customFields.${key}`, 100).map((v, i) => customValueOf(ctx, v, `with.customFields.${key}[${i}]`));
    }
  }
  if (w.search !== undefined && w.search !== null && typeof w.search !== 'string') throw fail(ctx, `with.search must be text, got ${describeValue(w.search)}`);
  const search = typeof w.search === 'string' ? w.search : undefined;
  return {
    status: oneOrMany(ctx, w.status, 'with.status')?.map((s) => statusOf(ctx, s)),
    severity: oneOrMany(ctx, w.severity, 'with.severity')?.map((s) => severityOf(ctx, s)),
    tags: oneOrMany(ctx, w.tags, 'with.tags'),
    assignees: oneOrMany(ctx, w.assignees, 'with.assignees'),
    category: oneOrMany(ctx, w.category, 'with.category'),
    search,
    searchFields,
    operator: enumOf(ctx, w.defaultSearchOperator, 'with.defaultSearchOperator', ['AND', 'OR'] as const),
    from: dateOf(ctx, w.from, 'with.from'),
    to: dateOf(ctx, w.to, 'with.to'),
    customFields,
    sortField: enumOf<CaseSortField>(ctx, w.sortField, 'with.sortField', CASE_SORT_FIELDS),
    sortOrder: enumOf(ctx, w.sortOrder, 'with.sortOrder', ['asc', 'desc'] as const),
    page,
    perPage,
  };
}

export const findCases: T = {
  type: 'cases.findCases',
  instant: true,
  async run(ctx, { cases }) {
    return { kind: 'output', output: await cases.find(queryOf(ctx)) };
  },
};

export const findSimilarCases: T = {
  type: 'cases.findSimilarCases',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseIdOf(ctx);
    const page = intOf(ctx, ctx.input.page, 'with.page', 1, FIND_SCAN_LIMIT);
    const perPage = intOf(ctx, ctx.input.perPage, 'with.perPage', 20, MAX_PER_PAGE);
    const found = await cases.findSimilar(id, page, perPage);
    if (!found) throw fail(ctx, `case "${id}" does not exist`);
    return { kind: 'output', output: found };
  },
};

/** Every attachment in Kibana's shapes: comments (`user`), alerts, events, other types; oldest first. */
export const getAllAttachments: T = {
  type: 'cases.getAllAttachments',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseIdOf(ctx);
    const full = await cases.getWithComments(id);
    if (!full) throw fail(ctx, `case "${id}" does not exist`);
    const attachments = [
      ...full.comments.map((c) => ({ id: c.id, type: 'user', comment: c.comment, author: c.author, createdAt: c.createdAt })),
      ...full.alerts.map((a) => ({ id: a.alertId, type: 'alert', alertId: a.alertId, index: a.index, rule: a.rule, createdAt: a.attachedAt })),
      ...full.events.map((e) => ({ id: e.eventId, type: 'event', eventId: e.eventId, index: e.index, createdAt: e.attachedAt })),
      ...full.attachments.map((t) => ({ id: t.id, type: t.type, data: t.data, createdAt: t.attachedAt })),
    ].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return { kind: 'output', output: { attachments: attachments.slice(0, MAX_ATTACHMENTS_ANSWERED) } };
  },
};

/**
 * Deletes cases with their comments, attachments and index entries. Every id must exist (checked
 * before any is deleted); the same step run again finds its own deletions done (docs/storage.md).
 */
export const deleteCases: T = {
  type: 'cases.deleteCases',
  instant: true,
  async run(ctx, { cases }) {
    const ids = [...new Set(stringsOf(ctx, ctx.input.case_ids, 'with.case_ids', MAX_DELETE_CASES))];
    const opKey = (id: string) => `${opKeyOf(ctx)}#${id}`;
    const existing = await cases.details(ids);
    for (const [i, id] of ids.entries()) {
      if (existing[i] === null && !(await cases.delete(id, opKey(id)))) throw fail(ctx, `case "${id}" does not exist`);
    }
    for (const id of ids) await cases.delete(id, opKey(id));
    return { kind: 'output', output: { case_ids: ids } };
  },
};
