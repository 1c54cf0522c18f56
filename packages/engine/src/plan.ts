import { isContainerStep, isLoopStep, isWaitStep, type OnFailure, type StepDefinition, type WorkflowDefinition } from '@flowgate/workflow-format';

/** Where a step sits in the definition tree. Step names are unique in the whole workflow. */
export type Scope =
  | { kind: 'root' }
  | { kind: 'branch'; container: StepDefinition }
  | { kind: 'loop'; container: StepDefinition }
  | { kind: 'fallback'; owner: StepDefinition };

export interface LocatedStep {
  step: StepDefinition;
  list: StepDefinition[];
  index: number;
  scope: Scope;
  /** true for steps in a fallback list or below one: settings.on-failure does not apply to them */
  inFallback: boolean;
}

/**
 * An index over a workflow definition, built once per definition version and cached by the caller:
 * locates any step by name and answers the static questions the engine asks.
 */
export class WorkflowPlan {
  private readonly byName = new Map<string, LocatedStep>();

  constructor(readonly definition: WorkflowDefinition) {
    this.index(definition.steps, { kind: 'root' }, false);
  }

  /** The format requires `steps` of foreach, while and if, and `cases` of switch (definitions are validated when saved). */
  private index(list: StepDefinition[], scope: Scope, inFallback: boolean): void {
    list.forEach((step, index) => {
      this.byName.set(step.name, { step, list, index, scope, inFallback });
      if (isLoopStep(step.type)) this.index(step.steps!, { kind: 'loop', container: step }, inFallback);
      else if (step.type === 'if') {
        this.index(step.steps!, { kind: 'branch', container: step }, inFallback);
        this.index(step.else ?? [], { kind: 'branch', container: step }, inFallback);
      } else if (step.type === 'switch') {
        for (const c of step.cases!) this.index(c.steps, { kind: 'branch', container: step }, inFallback);
        this.index(step.default ?? [], { kind: 'branch', container: step }, inFallback);
      }
      if (step.onFailure?.fallback) this.index(step.onFailure.fallback, { kind: 'fallback', owner: step }, true);
    });
  }

  locate(name: string): LocatedStep {
    const found = this.byName.get(name);
    if (!found) throw new Error(`step "${name}" is not in workflow "${this.definition.name}"`);
    return found;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** docs/workflows.md "Failure handling": a step's own on-failure wins; settings.on-failure covers action steps outside fallbacks. */
  onFailureOf(name: string): OnFailure | undefined {
    const { step, inFallback } = this.locate(name);
    if (step.onFailure) return step.onFailure;
    if (isContainerStep(step.type) || isWaitStep(step.type) || step.type === 'workflow.fail' || inFallback) return undefined;
    return this.definition.settings.onFailure;
  }
}
