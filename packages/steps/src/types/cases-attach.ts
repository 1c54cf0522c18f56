/**
 * Kibana's cases steps that attach to a case: cases.addAlerts, cases.addEvents, cases.addObservables,
 * cases.addAttachments, and the observable edits cases.updateObservable, cases.deleteObservable.
 * Output `{case}` (the case with its observables and counts), like Kibana's; deleteObservable
 * answers `{case_id, observable_id}` as Kibana does.
 */
import type { StepRunContext, StepType } from '@flowgate/engine';
import { CASE_LIMITS, type Attachments, type CaseAlert } from '@flowgate/store';
import { caseIdOf, describeValue, fail, idText, listOf, objectOf, opKeyOf, requiredText, written } from './cases-input';
import type { StepServices } from './services';

type T = StepType<StepServices>;
type Row = Record<string, unknown>;

/** A batch of one step: Kibana's MAX_BULK_CREATE_ATTACHMENTS. */
export const MAX_ATTACH_BATCH = 100;

const optionalText = (ctx: StepRunContext, value: unknown, where: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw fail(ctx, `${where} must be text or null, got ${describeValue(value)}`);
  return value;
};

function ruleOf(ctx: StepRunContext, value: unknown, where: string): CaseAlert['rule'] {
  if (value === undefined || value === null) return null;
  const rule = objectOf(ctx, value, where);
  return { id: optionalText(ctx, rule.id, `${where}.id`), name: optionalText(ctx, rule.name, `${where}.name`) };
}

function alertOf(ctx: StepRunContext, a: Row, where: string) {
  return { alertId: idText(ctx, a.alertId, `${where}.alertId`), index: idText(ctx, a.index, `${where}.index`), rule: ruleOf(ctx, a.rule, `${where}.rule`) };
}

function eventOf(ctx: StepRunContext, e: Row, where: string) {
  return { eventId: idText(ctx, e.eventId, `${where}.eventId`), index: idText(ctx, e.index, `${where}.index`) };
}

/** Kibana's observable input: `typeKey` (Flowgate also reads `type`), `value`, `description`. */
function observableOf(ctx: StepRunContext, o: Row, where: string) {
  const typeKey = idText(ctx, o.typeKey ?? o.type, `${where}.typeKey`);
  return { typeKey, value: requiredText(ctx, o.value, `${where}.value`, CASE_LIMITS.valueLength), description: optionalText(ctx, o.description, `${where}.description`) };
}

const rows = (ctx: StepRunContext, field: string, max: number): Row[] =>
  listOf(ctx, ctx.input[field], `with.${field}`, max).map((item, i) => objectOf(ctx, item, `with.${field}[${i}]`));

/** Attaches what `build` reads from the input; answers `{case}`. */
function attachStep(type: string, build: (ctx: StepRunContext) => Attachments): T {
  return {
    type,
    instant: true,
    async run(ctx, { cases }) {
      const id = caseIdOf(ctx);
      const items = build(ctx);
      const updated = await written(ctx, id, () => cases.attach(id, items, opKeyOf(ctx)));
      return { kind: 'output', output: { case: updated } };
    },
  };
}

export const addAlerts = attachStep('cases.addAlerts', (ctx) => ({
  alerts: rows(ctx, 'alerts', CASE_LIMITS.alerts).map((a, i) => alertOf(ctx, a, `with.alerts[${i}]`)),
}));

export const addEvents = attachStep('cases.addEvents', (ctx) => ({
  events: rows(ctx, 'events', MAX_ATTACH_BATCH).map((e, i) => eventOf(ctx, e, `with.events[${i}]`)),
}));

export const addObservables = attachStep('cases.addObservables', (ctx) => ({
  observables: rows(ctx, 'observables', CASE_LIMITS.observables).map((o, i) => observableOf(ctx, o, `with.observables[${i}]`)),
}));

const ALERT_TYPES = ['alert', 'security.alert', 'stack.alert', 'observability.alert'];

/**
 * Kibana's attachment types: `comment`/`user` (`data.content` or `comment`), an alert type
 * (`attachmentId` or `alertId`, `metadata.index` or `index`, `metadata.rule` or `rule`), `event`
 * (`eventId`, `index`); any other type is kept as it is given (`data`).
 */
export const addAttachments = attachStep('cases.addAttachments', (ctx) => {
  const out: Required<Attachments> = { comments: [], alerts: [], events: [], attachments: [], observables: [] };
  rows(ctx, 'attachments', MAX_ATTACH_BATCH).forEach((a, i) => {
    const where = `with.attachments[${i}]`;
    const type = requiredText(ctx, a.type, `${where}.type`);
    const meta = a.metadata === undefined ? {} : objectOf(ctx, a.metadata, `${where}.metadata`);
    const data = a.data === undefined ? {} : objectOf(ctx, a.data, `${where}.data`);
    if (type === 'comment' || type === 'user') {
      out.comments.push({ comment: requiredText(ctx, data.content ?? a.comment, `${where}.data.content`), author: `workflow:${ctx.workflowId}` });
    } else if (ALERT_TYPES.includes(type)) {
      out.alerts.push(alertOf(ctx, { alertId: a.attachmentId ?? a.alertId, index: meta.index ?? a.index, rule: meta.rule ?? a.rule }, where));
    } else if (type === 'event') {
      out.events.push(eventOf(ctx, { eventId: a.attachmentId ?? a.eventId, index: meta.index ?? a.index }, where));
    } else {
      const { type: _type, ...rest } = a;
      out.attachments.push({ type, data: rest });
    }
  });
  return out;
});

export const updateObservable: T = {
  type: 'cases.updateObservable',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseIdOf(ctx);
    const observableId = requiredText(ctx, ctx.input.observable_id, 'with.observable_id');
    const value = requiredText(ctx, ctx.input.value, 'with.value', CASE_LIMITS.valueLength);
    const change = 'description' in ctx.input ? { value, description: optionalText(ctx, ctx.input.description, 'with.description') } : { value };
    const updated = await written(ctx, id, () => cases.updateObservable(id, observableId, change, opKeyOf(ctx)));
    return { kind: 'output', output: { case: updated } };
  },
};

export const deleteObservable: T = {
  type: 'cases.deleteObservable',
  instant: true,
  async run(ctx, { cases }) {
    const id = caseIdOf(ctx);
    const observableId = requiredText(ctx, ctx.input.observable_id, 'with.observable_id');
    await written(ctx, id, () => cases.deleteObservable(id, observableId, opKeyOf(ctx)));
    return { kind: 'output', output: { case_id: id, observable_id: observableId } };
  },
};
