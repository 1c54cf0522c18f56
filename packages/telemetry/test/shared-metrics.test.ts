/** Cluster-wide counters through a real redis-server: two processes' counts add up in one /metrics text. */
import { SharedMetrics } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server.stop());

const key = (hash: string) => `m1:${hash}`;

it('adds counts from several processes and renders Prometheus counters and a histogram', async () => {
  const redis = server.client();
  const workerA = new SharedMetrics(redis, key);
  const workerB = new SharedMetrics(redis, key);
  workerA.stepFinished('http', 'completed', 40);
  workerA.stepFinished('http', 'failed', 2000);
  workerB.stepFinished('http', 'completed', 3);
  workerB.executionFinished('COMPLETED');
  await Promise.all([workerA.flush(), workerB.flush()]);
  const text = await new SharedMetrics(redis, key).render();
  expect(text).toContain('flowgate_steps_total{type="http",outcome="completed"} 2');
  expect(text).toContain('flowgate_steps_total{type="http",outcome="failed"} 1');
  expect(text).toContain('flowgate_step_duration_seconds_bucket{type="http",le="0.005"} 1');
  expect(text).toContain('flowgate_step_duration_seconds_bucket{type="http",le="0.05"} 2');
  expect(text).toContain('flowgate_step_duration_seconds_bucket{type="http",le="+Inf"} 3');
  expect(text).toContain('flowgate_step_duration_seconds_count{type="http"} 3');
  expect(text).toMatch(/flowgate_step_duration_seconds_sum\{type="http"\} 2\.043/);
  expect(text).toContain('flowgate_executions_finished_total{status="COMPLETED"} 1');
  // nothing new: a flush writes nothing
  await workerA.flush();
  expect(await new SharedMetrics(redis, key).render()).toBe(text);
});
