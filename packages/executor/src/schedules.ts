import { rrulePattern } from '@flowgate/queue';
import type { Trigger, WorkflowDefinition } from '@flowgate/workflow-format';
import { startExecution } from './start';
import type { Runtime } from './runtime';

type Scheduled = Extract<Trigger, { type: 'scheduled' }>;

/** The BullMQ job scheduler id of a workflow's scheduled trigger. */
export const schedulerId = (workflowId: string, index: number) => `sched#${workflowId}#${index}`;

function repeatOf(t: Scheduled): { every: number } | { pattern: string; tz?: string } {
  if (t.everyMs) return { every: t.everyMs };
  if (t.cron) return { pattern: t.cron, ...(t.timezone ? { tz: t.timezone } : {}) };
  const rrule = t.rrule ?? {};
  const tz = typeof rrule.tzid === 'string' ? rrule.tzid : undefined;
  // tz is for whoever reads the scheduler back: the strategy goes by the rule's own TZID.
  return { pattern: rrulePattern(rrule), ...(tz ? { tz } : {}) };
}

/**
 * Makes the timers queue's job schedulers match a workflow: one per scheduled trigger while the
 * workflow is valid and enabled, none otherwise (pass null for a deleted or invalid workflow).
 */
export async function syncSchedules(rt: Runtime, workflowId: string, definition: WorkflowDefinition | null): Promise<void> {
  const wanted = definition && definition.enabled ? definition.triggers.map((t, i) => [t, i] as const).filter(([t]) => t.type === 'scheduled') : [];
  const existing = (await rt.queues.timers.getJobSchedulers(0, -1)).filter((s) => s.key.startsWith(`sched#${workflowId}#`));
  const keep = new Set<string>();
  for (const [trigger, index] of wanted) {
    const id = schedulerId(workflowId, index);
    keep.add(id);
    await rt.queues.timers.upsertJobScheduler(id, repeatOf(trigger as Scheduled), { name: 'timer', data: { kind: 'schedule', workflowId } });
  }
  for (const s of existing) if (!keep.has(s.key)) await rt.queues.timers.removeJobScheduler(s.key);
}

/** A schedule fired: start the workflow's current version if it is still valid and enabled. */
export async function runScheduled(rt: Runtime, workflowId: string): Promise<string | null> {
  const wf = await rt.workflows.get(workflowId);
  if (!wf || !wf.valid || !wf.enabled || !wf.version) return null;
  const { definition } = await rt.definitions.get(wf.version);
  return startExecution(rt, { workflowId, version: wf.version, definition, trigger: 'scheduled', triggeredBy: 'schedule', event: {}, inputs: {} });
}
