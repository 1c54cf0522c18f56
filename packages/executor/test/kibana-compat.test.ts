/** Issue 14, item 1: Kibana workflows that now validate also run, on a real redis-server. */
import type IORedis from 'ioredis';
import { ExecutorHarness } from './harness';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;
let h: ExecutorHarness;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());
beforeEach(() => {
  h = new ExecutorHarness(redis);
});
afterEach(async () => h.close());

const header = 'name: T\ntriggers: [{ type: manual }]\n';

describe('Kibana workflows on the executor', () => {
  it('runs steps whose names hold spaces: paths, steps[\'open ticket\'] in templates and in KQL conditions', async () => {
    const id = await h.start(
      'spaces',
      `${header}steps:\n` +
        `  - name: open ticket\n    type: data.set\n    with: { ticket: T-1 }\n` +
        `  - name: each host\n    type: foreach\n    foreach: '["a", "b"]'\n    steps:\n      - name: note host\n        type: console\n        with: { message: "{{ foreach.item }} {{ steps['open ticket'].output.ticket }}" }\n` +
        `  - name: report\n    type: console\n    if: "steps['open ticket'].output.ticket : T-1 and steps[\\"note host\\"].status : COMPLETED"\n` +
        `    with: { message: "{{ steps['open ticket'].output.ticket }} / {{ steps[\\"note host\\"].output }}" }\n`,
    );
    const { exec, step, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(records.map((r) => r.path)).toEqual(['open ticket', 'each host', 'each host[0]/note host', 'each host[1]/note host', 'report']);
    expect(step('each host[1]/note host')!.output).toBe('b T-1');
    expect(step('report')!.output).toBe('T-1 / b T-1');
  });

  it('runs a step-level foreach: the step once per item in a foreach_<name> container, steps.<name> the last item\'s after the loop', async () => {
    const id = await h.start(
      'step-foreach',
      `${header}consts: { index: logs-a }\nsteps:\n` +
        `  - name: get\n    type: console\n    foreach: '\${{ inputs.commits }}'\n    with: { message: "/{{ consts.index }}/_doc/\${{ foreach.item.sha }} {{ foreach.index }}/{{ foreach.total }}" }\n` +
        `  - name: after\n    type: console\n    with: { message: "last {{ steps.get.output }} of {{ steps.foreach_get.output.count }}" }\n`,
      { inputs: { commits: [{ sha: 'a1' }, { sha: 'b2' }] } },
    );
    const { exec, step, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(records.map((r) => r.path)).toEqual(['foreach_get', 'foreach_get[0]/get', 'foreach_get[1]/get', 'after']);
    expect(step('foreach_get[0]/get')!.output).toBe('/logs-a/_doc/a1 0/2');
    expect(step('after')!.output).toBe('last /logs-a/_doc/b2 1/2 of 2');
  });

  it('on-failure on a foreach: a failing iteration fails the loop, its fallback runs, and continue goes on after it', async () => {
    const id = await h.start(
      'foreach-on-failure',
      `${header}steps:\n` +
        `  - name: loop\n    type: foreach\n    foreach: '["1", "bad", "2"]'\n    on-failure:\n      fallback:\n        - name: note\n          type: console\n          with: { message: "loop failed: {{ steps.loop.error.message }}" }\n      continue: true\n` +
        `    steps:\n      - name: each\n        type: data.parseJson\n        source: "{{ foreach.item }}"\n` +
        `  - name: after\n    type: console\n    with: { message: "{{ steps.loop.status }}" }\n`,
    );
    const { exec, step, records } = await h.done(id);
    expect(exec.status).toBe('COMPLETED');
    expect(records.map((r) => [r.path, r.status])).toEqual([
      ['loop', 'FAILED'],
      ['loop[0]/each', 'COMPLETED'],
      ['loop[1]/each', 'FAILED'],
      ['loop/fallback/note', 'COMPLETED'],
      ['after', 'COMPLETED'],
    ]);
    expect(step('after')!.output).toBe('FAILED');
  });
});
