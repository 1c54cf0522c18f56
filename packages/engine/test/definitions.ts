/** Hand-made workflow definitions for the engine's unit tests (the engine never parses YAML). */
import type { StepDefinition, WorkflowDefinition } from '@flowgate/workflow-format';
import { WorkflowPlan } from '../src';

/** A step: an action of type `console` unless told otherwise. */
export const s = (name: string, type = 'console', extra: Partial<StepDefinition> = {}): StepDefinition => ({ name, type, with: {}, ...extra });

export function definition(steps: StepDefinition[], settings: Partial<WorkflowDefinition['settings']> = {}): WorkflowDefinition {
  return { name: 'w', enabled: true, tags: [], triggers: [{ type: 'manual' }], consts: {}, settings: { maxStepSize: 1 << 20, ...settings }, steps };
}

export function plan(steps: StepDefinition[], settings: Partial<WorkflowDefinition['settings']> = {}): WorkflowPlan {
  return new WorkflowPlan(definition(steps, settings));
}
