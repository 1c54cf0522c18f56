/** Helpers shared by the API's end-to-end tests (one real System per test file). */
import { waitFor } from '../../../test/helpers/net';
import type { System } from '../../../test/helpers/system';

export { System, KEYS, KEY_NAMES } from '../../../test/helpers/system';
export { waitFor };

let n = 0;
/** A workflow id / name no other test uses. */
export function uid(prefix = 'wf'): string {
  n += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${n}`;
}

/** A manual workflow with one console step. */
export function consoleWorkflow(name: string, extra = ''): string {
  return `name: ${name}
${extra}triggers:
  - type: manual
steps:
  - name: hello
    type: console
    with:
      message: "hello {{ inputs.who }}"
`;
}

/** Manual + alert triggers, then a wait for a reviewer's answer, then a console step. */
export function gateWorkflow(name: string, opts: { condition?: string; message?: string } = {}): string {
  const on = opts.condition ? `\n    on:\n      condition: ${JSON.stringify(opts.condition)}` : '';
  const message = opts.message ?? '## Isolate `{{ event.alerts[0].host.name | default: inputs.host }}`?\\nCheck the **evidence** first.';
  return `name: ${name}
triggers:
  - type: manual
  - type: alert${on}
steps:
  - name: review
    type: waitForInput
    with:
      message: "${message}"
      schema:
        type: object
        properties:
          approved: { type: boolean }
          notes: { type: string }
        required: [approved]
  - name: after
    type: console
    with:
      message: "approved={{ steps.review.output.approved }}"
`;
}

export const isWaiting = (e: any) => e?.status === 'WAITING_FOR_INPUT';

/** Starts a manual run and returns its id. */
export async function run(sys: System, workflowId: string, inputs: Record<string, unknown> = {}): Promise<string> {
  const r = await sys.request('POST', `/api/workflows/${workflowId}/run`, { key: 'editor', body: { inputs } });
  if (r.status !== 202) throw new Error(`run ${workflowId}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.executionId;
}

/** Starts a gate workflow run and waits until it waits for input. */
export async function waitingExecution(sys: System, workflowId: string): Promise<string> {
  const id = await run(sys, workflowId, { host: 'web-01' });
  await sys.waitForExecution(id, isWaiting);
  return id;
}

/** Every execution id of a workflow (pages through the list). */
export async function executionIds(sys: System, workflowId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/api/workflowExecutions?workflowId=${workflowId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await sys.request('GET', q);
    if (r.status !== 200) throw new Error(`list: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(...r.body.results.map((x: any) => x.id));
    cursor = r.body.nextCursor;
  } while (cursor);
  return ids;
}

/** `{"error": {"code", "message", "details": [...]}}` with that code. */
export function expectError(r: { status: number; body: any }, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  expect(typeof r.body.error.message).toBe('string');
  expect(r.body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(r.body.error.details)).toBe(true);
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
