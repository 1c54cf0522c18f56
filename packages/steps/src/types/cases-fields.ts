/**
 * Kibana's cases steps that change a case's own fields: the set* steps, tags, assignees, closeCase,
 * updateCase and updateCases. Each answers `{case}` (updateCases: `{cases}`), the case after the write.
 * Kibana's `version` (optimistic concurrency) is accepted and not used: every write here is atomic
 * on the case (case-mutate.lua), with a warning when the workflow is saved.
 */
import type { StepRunContext, StepType } from '@flowgate/engine';
import type { CaseDetail, CaseStore, CaseUpdate } from '@flowgate/store';
import {
  assigneesOf,
  caseIdOf,
  caseUpdateOf,
  customFieldTypeOf,
  customValueOf,
  fail,
  idText,
  listOf,
  objectOf,
  opKeyOf,
  requiredText,
  severityOf,
  tagsOf,
  written,
} from './cases-input';
import type { StepServices } from './services';

type T = StepType<StepServices>;

/** updateCases changes at most this many cases (Kibana's limit). */
export const MAX_UPDATE_CASES = 100;

/** A step writing one case through `write`, answering `{case}`. */
function caseStep(type: string, write: (ctx: StepRunContext, cases: CaseStore, id: string, opKey: string) => Promise<CaseDetail | null>): T {
  return {
    type,
    instant: true,
    async run(ctx, { cases }) {
      const id = caseIdOf(ctx);
      const updated = await written(ctx, id, () => write(ctx, cases, id, opKeyOf(ctx)));
      return { kind: 'output', output: { case: updated } };
    },
  };
}

/** A step setting fields read by `read` from the input. */
const setStep = (type: string, read: (ctx: StepRunContext) => CaseUpdate): T =>
  caseStep(type, (ctx, cases, id, opKey) => {
    const change = read(ctx);
    return cases.update(id, change, opKey);
  });

export const setTitle = setStep('cases.setTitle', (ctx) => ({ title: requiredText(ctx, ctx.input.title, 'with.title') }));

export const setDescription = setStep('cases.setDescription', (ctx) => {
  const d = ctx.input.description;
  if (d === null) return { description: null };
  if (typeof d !== 'string') throw fail(ctx, 'with.description must be text (Markdown)');
  return { description: d };
});

export const setSeverity = setStep('cases.setSeverity', (ctx) => ({ severity: severityOf(ctx, ctx.input.severity) }));

export const setCategory = setStep('cases.setCategory', (ctx) => ({ category: idText(ctx, ctx.input.category, 'with.category') }));

export const closeCase = setStep('cases.closeCase', () => ({ status: 'closed' }));

export const updateCase = setStep('cases.updateCase', (ctx) => caseUpdateOf(ctx, ctx.input.updates, 'with.updates'));

export const addTags = caseStep('cases.addTags', (ctx, cases, id, opKey) => {
  const tags = tagsOf(ctx, ctx.input.tags);
  return cases.changeTags(id, { add: tags }, opKey);
});

export const removeTags = caseStep('cases.removeTags', (ctx, cases, id, opKey) => {
  const tags = tagsOf(ctx, ctx.input.tags);
  return cases.changeTags(id, { remove: tags }, opKey);
});

export const assignCase = caseStep('cases.assignCase', (ctx, cases, id, opKey) => {
  const uids = assigneesOf(ctx, ctx.input.assignees);
  return cases.changeAssignees(id, { add: uids }, opKey);
});

/** `assignees: null` (or absent) unassigns everyone, as in Kibana. */
export const unassignCase = caseStep('cases.unassignCase', (ctx, cases, id, opKey) => {
  const given = ctx.input.assignees;
  if (given === null || given === undefined) return cases.changeAssignees(id, { clear: true }, opKey);
  return cases.changeAssignees(id, { remove: assigneesOf(ctx, given) }, opKey);
});

/** Kibana's `field_name` and `value`; the field's type follows the value (text, toggle, number). */
export const setCustomField = caseStep('cases.setCustomField', (ctx, cases, id, opKey) => {
  const key = idText(ctx, ctx.input.field_name, 'with.field_name');
  if (!('value' in ctx.input)) throw fail(ctx, 'with.value is required (text, a boolean, a number or null)');
  const value = customValueOf(ctx, ctx.input.value, 'with.value');
  return cases.setCustomField(id, { key, type: customFieldTypeOf(value), value }, opKey);
});

/**
 * Several cases at once: every item is checked, and every case found, before any case is written; each case is then written
 * on its own (op key `<executionId>/<path>#<i>`), so a repeat writes none of them twice.
 */
export const updateCases: T = {
  type: 'cases.updateCases',
  instant: true,
  async run(ctx, { cases }) {
    const items = listOf(ctx, ctx.input.cases, 'with.cases', MAX_UPDATE_CASES).map((raw, i) => {
      const item = objectOf(ctx, raw, `with.cases[${i}]`);
      return { id: caseIdOf(ctx, item.case_id, `with.cases[${i}].case_id`), change: caseUpdateOf(ctx, item.updates, `with.cases[${i}].updates`) };
    });
    // A missing case fails the step before any case is written.
    const found = await cases.details(items.map((item) => item.id));
    const missing = items.find((_, i) => found[i] === null);
    if (missing) throw fail(ctx, `case "${missing.id}" does not exist`);
    const updated: CaseDetail[] = [];
    for (const [i, item] of items.entries()) {
      updated.push(await written(ctx, item.id, () => cases.update(item.id, item.change, `${opKeyOf(ctx)}#${i}`)));
    }
    return { kind: 'output', output: { cases: updated } };
  },
};
