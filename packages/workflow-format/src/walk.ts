/** Walking the step tree of a normalized definition. */
import type { StepDefinition } from './types';

export type Branch = 'root' | 'steps' | 'else' | 'cases' | 'default' | 'fallback';

export interface WalkInfo {
  /** the step holding this one (for a fallback step: the step that failed) */
  parent?: StepDefinition;
  /** which list of the parent this step is in */
  branch: Branch;
  /** for `cases`: the index of the case */
  caseIndex?: number;
  /** index in its list */
  index: number;
  /** the step path of docs/workflows.md "Step paths" without iteration indexes: `route/open_case`, `isolate/fallback/notify` */
  path: string;
  depth: number;
}

/**
 * Visits every step, depth first in document order: a step, then its `steps` (then-branch / loop body),
 * `else`, each case's `steps`, `default`, and its `on-failure.fallback`.
 * Returning `false` from `visit` skips the step's children.
 */
export function walkSteps(
  steps: readonly StepDefinition[],
  visit: (step: StepDefinition, info: WalkInfo) => void | boolean,
): void {
  walkList(steps, visit, undefined, 'root', undefined, '', 0);
}

function walkList(
  steps: readonly StepDefinition[],
  visit: (step: StepDefinition, info: WalkInfo) => void | boolean,
  parent: StepDefinition | undefined,
  branch: Branch,
  caseIndex: number | undefined,
  prefix: string,
  depth: number,
): void {
  steps.forEach((step, index) => {
    const path = prefix ? `${prefix}/${step.name}` : step.name;
    const info: WalkInfo = { parent, branch, index, path, depth, ...(caseIndex !== undefined ? { caseIndex } : {}) };
    if (visit(step, info) === false) return;
    if (step.steps) walkList(step.steps, visit, step, 'steps', undefined, path, depth + 1);
    if (step.else) walkList(step.else, visit, step, 'else', undefined, path, depth + 1);
    step.cases?.forEach((c, i) => walkList(c.steps, visit, step, 'cases', i, path, depth + 1));
    if (step.default) walkList(step.default, visit, step, 'default', undefined, path, depth + 1);
    if (step.onFailure?.fallback) {
      walkList(step.onFailure.fallback, visit, step, 'fallback', undefined, `${path}/fallback`, depth + 1);
    }
  });
}
