import { isContainerStep, type StepDefinition } from '@flowgate/workflow-format';
import { formatPath, joinPath, parsePath, type PathSegment } from './paths';
import type { WorkflowPlan } from './plan';
import { StepError } from './errors';

/** What the engine needs to know about the running execution to move on: foreach item counts. */
export interface AdvanceState {
  /** the number of items of the foreach whose record is at `containerPath` */
  loopTotal(containerPath: string): number;
}

export interface Advance {
  /** the path that runs next, or null when nothing does */
  next: string | null;
  /** the attempt `next` runs as, when not 1: a while's check after its iteration i runs as attempt i + 2 */
  attempt?: number;
  /** containers whose last child just ended, innermost first: their records become COMPLETED */
  closed: string[];
  /** set when a fallback list ended without `continue`: the execution fails with this owner's error */
  failedOwner?: string;
}

/**
 * After the step at `path` ended (completed, skipped, or failed under `continue`), what runs next.
 * Walks up the tree: next sibling, else the next foreach iteration, else the container closes and
 * its own next sibling is looked for.
 */
export function advanceAfter(plan: WorkflowPlan, path: string, state: AdvanceState): Advance {
  const closed: string[] = [];
  let current = path;
  for (;;) {
    const segments = parsePath(current);
    const last = segments[segments.length - 1];
    const located = plan.locate(last.name);
    const prefix = segments.slice(0, -1);
    const sibling = located.list[located.index + 1];
    if (sibling) return { next: formatPath([...prefix, { name: sibling.name }]), closed };

    const scope = located.scope;
    if (scope.kind === 'root') return { next: null, closed };
    if (scope.kind === 'branch') {
      current = formatPath(prefix);
      closed.push(current);
      continue;
    }
    if (scope.kind === 'loop') {
      const loopSegment = prefix[prefix.length - 1];
      const outer = prefix.slice(0, -1);
      const containerPath = formatPath([...outer, { name: loopSegment.name }]);
      // a loop child's scope segment always carries its iteration: only firstOfIteration makes one
      const iteration = loopSegment.iteration!;
      // a while decides in a job of its own (its condition reads the whole context): the container runs again
      if (scope.container.type === 'while') return { next: containerPath, attempt: iteration + 2, closed };
      if (iteration + 1 < state.loopTotal(containerPath)) {
        return { next: firstOfIteration(outer, scope.container, iteration + 1), closed };
      }
      current = containerPath;
      closed.push(current);
      continue;
    }
    // The end of a fallback list: go on after the owner under `continue`, else the execution fails.
    const ownerPath = formatPath(segments.slice(0, -2));
    if (plan.onFailureOf(scope.owner.name)?.continue) {
      current = ownerPath;
      continue;
    }
    return { next: null, closed, failedOwner: ownerPath };
  }
}

/**
 * After loop.break or loop.continue at `path`: leave the innermost loop iteration around it. The
 * containers between the step and that iteration close; `break` then closes the loop too and goes on
 * after it; `continue` goes on as when the iteration's last step ends (the next iteration, a while's
 * check, or the loop's end). The format allows these steps only inside a loop.
 */
export function leaveIteration(plan: WorkflowPlan, path: string, control: 'break' | 'continue', state: AdvanceState): Advance {
  const segments = parsePath(path);
  const at = segments.map((s) => s.iteration !== undefined).lastIndexOf(true);
  if (at < 0) throw new StepError('validation_error', `loop.${control} at "${path}" is not inside a loop`);
  const closed: string[] = [];
  for (let i = segments.length - 2; i > at; i--) {
    // a `fallback` segment is a list, not a step: the step after it is in a fallback scope
    const isList = segments[i].name === 'fallback' && plan.locate(segments[i + 1].name).scope.kind === 'fallback';
    if (!isList && isContainerStep(plan.locate(segments[i].name).step.type)) closed.push(formatPath(segments.slice(0, i + 1)));
  }
  const loop = plan.locate(segments[at].name).step;
  const iterationPrefix = segments.slice(0, at + 1);
  if (control === 'break') {
    const loopPath = formatPath([...segments.slice(0, at), { name: loop.name }]);
    const after = advanceAfter(plan, loopPath, state);
    return { ...after, closed: [...closed, loopPath, ...after.closed] };
  }
  const lastChild = formatPath([...iterationPrefix, { name: loop.steps!.at(-1)!.name }]);
  const after = advanceAfter(plan, lastChild, state);
  return { ...after, closed: [...closed, ...after.closed] };
}

/** A loop's `steps` are required and never empty (the format's schema), so there is a first. */
function firstOfIteration(outer: PathSegment[], loop: StepDefinition, iteration: number): string {
  return formatPath([...outer, { name: loop.name, iteration }, { name: loop.steps![0].name }]);
}

/** How a container chose to run its children. */
export type ContainerChoice =
  | { type: 'if'; branch: 'then' | 'else' }
  | { type: 'switch'; caseIndex: number | 'default' | null }
  | { type: 'foreach'; total: number }
  /** a while enters `iteration`, or none (null) when its condition is false or its cap is reached */
  | { type: 'while'; iteration: number | null };

/**
 * The first child path a container runs, or null when it runs nothing (then it closes at once): a
 * foreach over no items, an `if` going to an absent or empty `else`, a switch with no match and no
 * default. (The format requires `steps` of if/foreach and of every case; the executor chooses a case
 * by its index in `cases`, and 'default' only when `default` has steps.)
 */
export function enterContainer(step: StepDefinition, path: string, choice: ContainerChoice): string | null {
  if (choice.type === 'foreach') return choice.total > 0 ? firstOfIteration(parsePath(path).slice(0, -1), step, 0) : null;
  if (choice.type === 'while') return choice.iteration === null ? null : firstOfIteration(parsePath(path).slice(0, -1), step, choice.iteration);
  let children: StepDefinition[] | undefined;
  if (choice.type === 'if') children = choice.branch === 'then' ? step.steps : step.else;
  else if (choice.caseIndex === 'default') children = step.default;
  else if (choice.caseIndex !== null) children = step.cases![choice.caseIndex].steps;
  return children && children.length > 0 ? joinPath(path, children[0].name) : null;
}

export type FailureDecision =
  | { kind: 'retry'; attempt: number; delayMs: number }
  | { kind: 'fallback'; next: string }
  | { kind: 'continue' }
  | { kind: 'fail' };

/**
 * docs/workflows.md "Failure handling": retry (retryable errors only, `max-attempts` counting the first), then fallback, then
 * continue. `fallbackDone` is true when the fallback already ran for this failure.
 */
export function decideFailure(plan: WorkflowPlan, path: string, attempt: number, error: StepError): FailureDecision {
  if (error.type === 'workflow_fail' || error.type === 'cancelled') return { kind: 'fail' };
  const name = parsePath(path).at(-1)!.name;
  const policy = plan.onFailureOf(name);
  if (!policy) return { kind: 'fail' };
  // a container (`on-failure` on a foreach, as Kibana allows) is not retried: its fallback and continue apply
  const retry = isContainerStep(plan.locate(name).step.type) ? undefined : policy.retry;
  if (retry && error.retryable && attempt < retry.maxAttempts) {
    return { kind: 'retry', attempt: attempt + 1, delayMs: retryDelay(retry, attempt) };
  }
  if (policy.fallback && policy.fallback.length > 0) {
    return { kind: 'fallback', next: `${path}/fallback/${policy.fallback[0].name}` };
  }
  return policy.continue ? { kind: 'continue' } : { kind: 'fail' };
}

/** The wait before attempt `attempt + 1`: fixed, or delay × multiplier^(attempt-1) capped by max-delay. */
export function retryDelay(retry: { delayMs: number; strategy: string; multiplier: number; maxDelayMs: number }, attempt: number): number {
  const raw = retry.strategy === 'exponential' ? retry.delayMs * Math.pow(retry.multiplier, attempt - 1) : retry.delayMs;
  return Math.min(raw, retry.maxDelayMs);
}
