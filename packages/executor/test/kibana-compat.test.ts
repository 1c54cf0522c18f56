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
});
