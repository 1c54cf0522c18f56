/**
 * Re-running a failed or cancelled execution (docs/api.md "Executions"): a new execution of the
 * workflow's current version with the same event and inputs, linked both ways — `rerunOf` on the new
 * one, `reruns` on the old one (the latest 20 kept: a finished execution is never rewritten otherwise,
 * and the list must stay small).
 */
import type { ExecutionState } from '@flowgate/engine';
import type { Runtime } from './runtime';
import { startExecution } from './start';

export const RERUNS_KEPT = 20;
const RERUNNABLE = new Set<ExecutionState['status']>(['FAILED', 'CANCELLED']);

export type RerunResult =
  | { ok: true; executionId: string; rerunOf: string }
  | { ok: false; code: 'not_found' }
  | { ok: false; code: 'not_rerunnable'; status: string }
  | { ok: false; code: 'workflow_unavailable'; message: string };

export async function rerunExecution(rt: Runtime, executionId: string, by: string): Promise<RerunResult> {
  const old = await rt.executions.load(executionId);
  if (!old) return { ok: false, code: 'not_found' };
  if (!RERUNNABLE.has(old.status)) return { ok: false, code: 'not_rerunnable', status: old.status };
  const workflow = await rt.workflows.get(old.workflowId);
  if (!workflow) return { ok: false, code: 'workflow_unavailable', message: `the workflow "${old.workflowId}" no longer exists` };
  if (!workflow.valid || !workflow.version) return { ok: false, code: 'workflow_unavailable', message: `the workflow "${old.workflowId}" is not valid and cannot run` };
  const { definition } = await rt.definitions.get(workflow.version);
  if (!definition.enabled) return { ok: false, code: 'workflow_unavailable', message: `the workflow "${old.workflowId}" is disabled` };
  const id = await startExecution(rt, {
    workflowId: old.workflowId,
    version: workflow.version,
    definition,
    trigger: old.trigger,
    triggeredBy: by,
    event: old.event,
    inputs: old.inputs,
    rerunOf: old.id,
  });
  await rt.executions.addRerun(old.id, id, RERUNS_KEPT);
  return { ok: true, executionId: id, rerunOf: old.id };
}
