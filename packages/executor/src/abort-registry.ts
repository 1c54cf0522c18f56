import { StepError } from '@flowgate/engine';

/** The steps running in this process, by execution, so that a cancel can abort them. */
export class AbortRegistry {
  private readonly running = new Map<string, Set<AbortController>>();

  register(executionId: string, controller: AbortController): () => void {
    let set = this.running.get(executionId);
    if (!set) this.running.set(executionId, (set = new Set()));
    set.add(controller);
    return () => {
      set!.delete(controller);
      if (set!.size === 0) this.running.delete(executionId);
    };
  }

  abort(executionId: string, reason: string): void {
    for (const c of this.running.get(executionId) ?? []) c.abort(new StepError('cancelled', reason));
  }

  get size(): number {
    return this.running.size;
  }
}
