import { StepError, toStepError, type StepType } from '@flowgate/engine';
import { parseDuration } from '@flowgate/workflow-format';
import { evaluateCondition } from '@flowgate/condition';
import { renderBudget, renderDeep } from '@flowgate/template';
import type { StepServices } from './services';
import { arrayValue } from '../array-value';

type T = StepType<StepServices>;

export const consoleStep: T = {
  type: 'console',
  instant: true,
  async run(ctx) {
    const message = ctx.input.message ?? '';
    ctx.log(typeof message === 'string' ? message : JSON.stringify(message), { type: 'console' });
    return { kind: 'output', output: message };
  },
};

/** data.set: the values set; they also become `variables.<key>` for the rest of the execution. */
export const dataSet: T = {
  type: 'data.set',
  instant: true,
  async run(ctx) {
    return { kind: 'output', output: ctx.input, variables: ctx.input };
  },
};

export const dataParseJson: T = {
  type: 'data.parseJson',
  instant: true,
  async run(ctx) {
    const source = ctx.params.source;
    if (typeof source !== 'string') return { kind: 'output', output: source ?? null };
    try {
      return { kind: 'output', output: JSON.parse(source) };
    } catch (err) {
      throw new StepError('validation_error', `data.parseJson: source is not JSON: ${(err as Error).message}`);
    }
  },
};

export const dataStringifyJson: T = {
  type: 'data.stringifyJson',
  instant: true,
  async run(ctx) {
    const pretty = ctx.input.pretty === true;
    return { kind: 'output', output: JSON.stringify(ctx.params.source ?? null, null, pretty ? 2 : undefined) };
  },
};

/** data.map and data.filter take at most this many items (as foreach does): each costs a render or an evaluation. */
export const MAX_ITEMS = 10_000;

function itemsOf(ctx: Parameters<T['run']>[0]): unknown[] {
  const items = arrayValue(ctx.params.items, `${ctx.step.type}: items`);
  if (items.length > MAX_ITEMS) throw new StepError('validation_error', `${ctx.step.type}: ${items.length} items, at most ${MAX_ITEMS}`);
  return items;
}

/**
 * data.map: `with.fields` are templates rendered once per item, with `item` and `index` in scope,
 * all items within one render time budget (docs/workflows.md "Limits").
 */
export const dataMap: T = {
  type: 'data.map',
  instant: true,
  async run(ctx) {
    const fields = (ctx.step.with?.fields ?? {}) as Record<string, unknown>;
    const items = itemsOf(ctx);
    try {
      const budget = renderBudget();
      const output = items.map((item, index) => renderDeep(fields, { ...ctx.context, item, index }, { budget }));
      return { kind: 'output', output };
    } catch (err) {
      throw toStepError(err); // a TemplateError: template_error or template_limit
    }
  },
};

/** data.filter: `with.condition` is KQL against `{ item, index }` plus the context, all items within one render time budget. */
export const dataFilter: T = {
  type: 'data.filter',
  instant: true,
  async run(ctx) {
    const condition = ctx.step.with?.condition;
    if (typeof condition !== 'string' && typeof condition !== 'boolean') {
      throw new StepError('validation_error', `data.filter: with.condition must be a condition (text or a boolean), not ${condition === null ? 'null' : typeof condition}`);
    }
    const limit = typeof ctx.input.limit === 'number' ? ctx.input.limit : Infinity;
    const kept: unknown[] = [];
    const items = itemsOf(ctx);
    const budget = renderBudget();
    try {
      for (let index = 0; index < items.length && kept.length < limit; index++) {
        if (evaluateCondition(condition, { ...ctx.context, item: items[index], index }, budget)) kept.push(items[index]);
      }
    } catch (err) {
      throw toStepError(err); // a ConditionError or a TemplateError
    }
    return { kind: 'output', output: kept };
  },
};

/** wait: a delayed job holds the execution (WAITING), never a worker. */
export const waitStep: T = {
  type: 'wait',
  instant: true,
  async run(ctx) {
    const d = ctx.input.duration;
    let ms: number;
    try {
      ms = parseDuration(d as string);
    } catch (err) {
      throw new StepError('validation_error', `wait: ${(err as Error).message}`);
    }
    return { kind: 'delay', ms };
  },
};

/** workflow.fail: ends the execution FAILED with the message; not catchable. */
export const workflowFail: T = {
  type: 'workflow.fail',
  instant: true,
  async run(ctx) {
    throw new StepError('workflow_fail', String(ctx.input.message ?? 'workflow.fail'));
  },
};
