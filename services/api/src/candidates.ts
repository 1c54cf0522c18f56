import { compileCondition, evaluateKql, type KqlNode } from '@flowgate/condition';
import type { WorkflowDefinition } from '@flowgate/workflow-format';
import type { Runtime } from '@flowgate/executor';

/** An enabled, valid workflow with at least one `alert` trigger, ready to match events. */
export interface Candidate {
  id: string;
  version: string;
  definition: WorkflowDefinition;
  /** one per alert trigger: true (no condition / "true"), false ("false"), or the parsed KQL */
  conditions: (boolean | KqlNode)[];
}

function compileTrigger(condition: unknown): boolean | KqlNode {
  if (condition === undefined || condition === null) return true;
  if (typeof condition === 'boolean') return condition;
  const text = String(condition);
  const t = text.trim();
  if (t === '' || t === 'true') return true;
  if (t === 'false') return false;
  return compileCondition(text);
}

/** Whether an event matches one of the candidate's alert triggers (`on.condition` against the event itself). */
export function matches(c: Candidate, event: unknown): boolean {
  return c.conditions.some((cond) => (typeof cond === 'boolean' ? cond : evaluateKql(cond, event)));
}

/**
 * The alert-triggered workflows, kept in memory and reloaded when WorkflowStore.revision() moved
 * (any API process saving or deleting a workflow bumps it).
 */
export class AlertCandidates {
  private revision = -1;
  private list: Candidate[] = [];
  private loading: Promise<void> | null = null;

  constructor(private readonly rt: Runtime) {}

  /** Forces a reload on the next call (after a local change). */
  invalidate(): void {
    this.revision = -1;
  }

  async get(): Promise<Candidate[]> {
    const current = await this.rt.workflows.revision();
    if (current !== this.revision) {
      if (!this.loading) {
        this.loading = this.reload(current).finally(() => {
          this.loading = null;
        });
      }
      await this.loading;
    }
    return this.list;
  }

  private async reload(revision: number): Promise<void> {
    const workflows = await this.rt.workflows.list();
    const next: Candidate[] = [];
    for (const wf of workflows) {
      if (!wf.valid || !wf.enabled || !wf.version) continue;
      if (!wf.triggers.some((t) => (t as { type?: string })?.type === 'alert')) continue;
      try {
        const { definition } = await this.rt.definitions.get(wf.version);
        if (!definition.enabled) continue;
        const conditions = definition.triggers.filter((t) => t.type === 'alert').map((t) => compileTrigger((t as { condition?: unknown }).condition));
        if (conditions.length > 0) next.push({ id: wf.id, version: wf.version, definition, conditions });
      } catch (err) {
        this.rt.log.error({ workflowId: wf.id, err: (err as Error).message }, 'workflow left out of alert matching');
      }
    }
    this.list = next;
    this.revision = revision;
  }
}
