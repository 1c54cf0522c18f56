/**
 * Crash and capacity behaviour end to end: real redis-server, API and worker processes.
 * Workers are killed with SIGKILL at random points; waits must hold no worker.
 */
import { Queue } from 'bullmq';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/net';

let sys: System;
beforeAll(async () => {
  sys = await System.start({ workers: 2 });
}, 60_000);
afterAll(async () => sys?.stop());

async function runMany(workflowId: string, n: number, inputs: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, () => sys.request('POST', `/api/workflows/${workflowId}/run`, { body: { inputs } })),
    );
    for (const r of batch) {
      expect(r.status).toBe(202);
      ids.push(r.body.executionId);
    }
  }
  return ids;
}

async function statuses(ids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < ids.length; i += 100) {
    const rows = await Promise.all(ids.slice(i, i + 100).map((id) => sys.execution(id)));
    for (const e of rows) counts[e.status] = (counts[e.status] ?? 0) + 1;
  }
  return counts;
}

describe('kill -9 of workers in the middle of 20-step workflows', () => {
  it('every execution completes on another worker and each step is committed once', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ n: i, host: `h${i}` }));
    const steps = [`  - name: open_case\n    type: cases.createCase\n    with: { title: "crash test", severity: low }`];
    for (let i = 1; i < 20; i++) {
      steps.push(
        i % 2
          ? `  - name: map${i}\n    type: data.map\n    items: "\${{ consts.items }}"\n    with:\n      fields: { label: "{{ item.host }}-{{ index }}-${i}" }`
          : `  - name: note${i}\n    type: cases.addComment\n    with: { case_id: "{{ steps.open_case.output.case.id }}", comment: "step ${i}" }`,
      );
    }
    await sys.putWorkflow('crash20', `name: Crash 20\ntriggers: [{ type: manual }]\nconsts:\n  items: ${JSON.stringify(items)}\nsteps:\n${steps.join('\n')}\n`);
    const ids = await runMany('crash20', 20);

    for (let kill = 0; kill < 20; kill++) {
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 400)));
      const alive = sys.workers.filter((w) => w.exitCode === null && w.signalCode === null);
      const victim = alive[Math.floor(Math.random() * alive.length)];
      victim.kill('SIGKILL');
      // Every other replacement runs one job per step: both modes crash and take over each other's work.
      sys.startWorker(kill % 2 ? { FLOWGATE_CHAIN_STEPS: '0' } : {});
    }

    await waitFor(async () => (await statuses(ids)).COMPLETED === ids.length, 90_000, 'all 20 executions to complete', 500);
    for (const id of ids) {
      const e = await sys.execution(id);
      expect(e.steps).toHaveLength(20);
      expect(new Set(e.steps.map((s: any) => s.path)).size).toBe(20);
      expect(e.steps.every((s: any) => s.status === 'COMPLETED')).toBe(true);
      expect(e.steps.find((s: any) => s.path === 'map19').output).toHaveLength(400);
      const caseId = e.steps[0].output.case.id;
      const c = await sys.request('GET', `/api/cases/${caseId}`);
      // nine comment steps, each written once however many times its job ran
      expect(c.body.comments.map((x: any) => x.comment)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `step ${i}`));
    }
  }, 150_000);
});

describe('waits hold no worker', () => {
  it('1,000 executions waiting on wait: 1m do not stop another workflow’s 1,000 executions on one worker', async () => {
    // Only one worker from here on.
    for (const w of sys.workers) if (w.exitCode === null) w.kill('SIGKILL');
    sys.startWorker({ FLOWGATE_CONCURRENCY: '50' });
    await sys.putWorkflow('sleeper', 'name: Sleeper\ntriggers: [{ type: manual }]\nsteps:\n  - name: nap\n    type: wait\n    with: { duration: 1m }\n  - name: after\n    type: console\n    with: { message: woke }\n');
    await sys.putWorkflow('quick', 'name: Quick\ntriggers: [{ type: manual }]\nsteps:\n  - name: a\n    type: console\n    with: { message: "a" }\n  - name: b\n    type: data.set\n    with: { done: true }\n');

    const sleepers = await runMany('sleeper', 1000);
    await waitFor(async () => (await statuses(sleepers)).WAITING === 1000, 60_000, '1,000 executions to be WAITING', 500);
    const quick = await runMany('quick', 1000);
    await waitFor(async () => (await statuses(quick)).COMPLETED === 1000, 90_000, '1,000 quick executions to complete', 500);

    expect(await statuses(sleepers)).toEqual({ WAITING: 1000 });
    const steps = new Queue('steps', { connection: sys.redis.client(), prefix: 'fgq' });
    const timers = new Queue('timers', { connection: sys.redis.client(), prefix: 'fgq' });
    expect(await steps.getJobCounts('active', 'waiting')).toMatchObject({ active: 0, waiting: 0 });
    expect((await timers.getJobCounts('delayed')).delayed).toBe(1000);
    await Promise.all([steps.close(), timers.close()]);
  }, 200_000);
});

describe('definitions are versioned', () => {
  it('editing or deleting a workflow does not change executions already started', async () => {
    const v1 = 'name: Versioned\ntriggers: [{ type: manual }]\nsteps:\n  - name: ask\n    type: waitForApproval\n    with: { message: "ok?" }\n  - name: say\n    type: console\n    with: { message: "version one" }\n';
    await sys.putWorkflow('versioned', v1);
    const first = (await sys.request('POST', '/api/workflows/versioned/run', { body: { inputs: {} } })).body.executionId;
    await sys.waitForExecution(first, (e) => e?.status === 'WAITING_FOR_INPUT');
    await sys.putWorkflow('versioned', v1.replace('version one', 'version two'));
    const second = (await sys.request('POST', '/api/workflows/versioned/run', { body: { inputs: {} } })).body.executionId;
    await sys.waitForExecution(second, (e) => e?.status === 'WAITING_FOR_INPUT');
    expect((await sys.request('DELETE', '/api/workflows/versioned')).status).toBe(204);

    for (const id of [first, second]) expect((await sys.request('POST', `/api/workflowExecutions/${id}/resume`, { key: 'reviewer', body: { approved: true } })).status).toBe(200);
    const [a, b] = [await sys.waitForExecution(first), await sys.waitForExecution(second)];
    expect(a.steps.find((s: any) => s.path === 'say').output).toBe('version one');
    expect(b.steps.find((s: any) => s.path === 'say').output).toBe('version two');
    expect(a.workflowVersion).not.toBe(b.workflowVersion);
  }, 60_000);
});
