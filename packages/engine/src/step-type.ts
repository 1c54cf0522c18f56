import { isContainerStep, isLoopControlStep, type StepDefinition } from '@flowgate/workflow-format';
import type { TemplateContext } from './context';

/** Everything one run of an action step gets. `input` is the rendered `with`. */
export interface StepRunContext {
  executionId: string;
  workflowId: string;
  path: string;
  attempt: number;
  step: StepDefinition;
  input: Record<string, unknown>;
  /** rendered step-level parameters (`items`, `source`), when the type has them */
  params: Record<string, unknown>;
  context: TemplateContext;
  /** aborted on cancel, execution timeout, or the step's own timeout */
  signal: AbortSignal;
  maxStepSize: number;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** What an action step decided. Errors are thrown (StepError carries whether they are retryable). */
export type StepOutcome =
  | { kind: 'output'; output: unknown; variables?: Record<string, unknown> }
  | { kind: 'waitForInput'; message: string; schema: unknown; approveLabel?: string; rejectLabel?: string }
  | { kind: 'delay'; ms: number };

export interface StepType<Services = unknown> {
  /** the exact type name, or a prefix ending in "." (e.g. "elasticsearch.") */
  type: string;
  /**
   * true when the step does no I/O outside Redis: the executor then skips its separate RUNNING write,
   * and may run it in the job of the step before it (FLOWGATE_CHAIN_STEPS)
   */
  instant?: boolean;
  run(ctx: StepRunContext, services: Services): Promise<StepOutcome>;
}

/** Finds the handler of a step type: exact names first, then the longest matching prefix. */
export class StepRegistry<Services = unknown> {
  private readonly exact = new Map<string, StepType<Services>>();
  private readonly prefixes: StepType<Services>[] = [];

  register(...types: StepType<Services>[]): this {
    for (const t of types) {
      if (t.type.endsWith('.')) this.prefixes.push(t);
      else this.exact.set(t.type, t);
    }
    this.prefixes.sort((a, b) => b.type.length - a.type.length);
    return this;
  }

  get(type: string): StepType<Services> | undefined {
    return this.exact.get(type) ?? this.prefixes.find((p) => type.startsWith(p.type));
  }

  /** Every registered type: exact names in registration order, then prefixes longest first. */
  types(): StepType<Services>[] {
    return [...this.exact.values(), ...this.prefixes];
  }

  /** if / switch / foreach / while: run by the executor itself, never through a registered type. */
  isContainer(type: string): boolean {
    return isContainerStep(type);
  }

  /**
   * Whether a step does no I/O outside Redis (a container, loop.break/continue, or a type marked `instant`): it needs no
   * separate RUNNING write, has nothing to abort, and may run in the job of the step before it.
   */
  isInstant(type: string): boolean {
    return isContainerStep(type) || isLoopControlStep(type) || this.get(type)?.instant === true;
  }
}
