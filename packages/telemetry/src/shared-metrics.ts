import type { Cluster, Redis } from 'ioredis';

/** Step duration buckets, seconds. */
export const STEP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

/**
 * Counters that many processes add to and one endpoint shows: workers count steps and executions
 * but serve no HTTP, so they add their counts to Redis hashes (batched, every few seconds), and the
 * API's /metrics renders the cluster-wide totals (docs/operations.md "Health and metrics").
 */
export class SharedMetrics {
  private pending = new Map<string, Map<string, number>>();
  private timer?: NodeJS.Timeout;

  /**
   * `key` names the Redis hash of each counter (`steps`, `stepdur`, `stepdur_sum`, `finished`): the
   * services pass `(hash) => keys.metrics(hash)` of the store's Keys, which builds every Redis key.
   */
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly key: (hash: string) => string,
  ) {}

  private add(hash: string, field: string, by: number): void {
    let fields = this.pending.get(hash);
    if (!fields) this.pending.set(hash, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + by);
  }

  stepFinished(type: string, outcome: string, ms: number): void {
    this.add('steps', `${type}|${outcome}`, 1);
    const seconds = ms / 1000;
    for (const le of STEP_BUCKETS) if (seconds <= le) this.add('stepdur', `${type}|${le}`, 1);
    this.add('stepdur', `${type}|+Inf`, 1);
    this.add('stepdur_sum', type, seconds);
  }

  executionFinished(status: string): void {
    this.add('finished', status, 1);
  }

  /** Adds what was counted since the last flush to Redis. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const commands: [string, string, string, number][] = [];
    for (const [hash, fields] of batch) {
      for (const [field, by] of fields) commands.push([Number.isInteger(by) ? 'hincrby' : 'hincrbyfloat', this.key(hash), field, by]);
    }
    // The four hashes are in different hash slots: on a Cluster, where a pipeline must stay within
    // one slot, the increments are sent as separate commands (all at once).
    if ((this.redis as { isCluster?: boolean }).isCluster) {
      await Promise.all(commands.map(([name, ...args]) => (name === 'hincrby' ? this.redis.hincrby(...args) : this.redis.hincrbyfloat(...args))));
      return;
    }
    await this.redis.pipeline(commands).exec();
  }

  start(intervalMs = 5000): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  /** The cluster-wide counters as Prometheus text. */
  async render(): Promise<string> {
    const [steps, dur, sum, finished] = await Promise.all(['steps', 'stepdur', 'stepdur_sum', 'finished'].map((h) => this.redis.hgetall(this.key(h))));
    const lines: string[] = [];
    const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

    lines.push('# HELP flowgate_steps_total Step runs by type and outcome, all workers', '# TYPE flowgate_steps_total counter');
    for (const [field, n] of Object.entries(steps)) {
      const [type, outcome] = field.split('|');
      lines.push(`flowgate_steps_total{type="${label(type)}",outcome="${label(outcome)}"} ${n}`);
    }
    lines.push('# HELP flowgate_step_duration_seconds Step run duration, all workers', '# TYPE flowgate_step_duration_seconds histogram');
    const types = new Set(Object.keys(sum));
    for (const type of types) {
      for (const le of [...STEP_BUCKETS.map(String), '+Inf']) {
        lines.push(`flowgate_step_duration_seconds_bucket{type="${label(type)}",le="${le}"} ${dur[`${type}|${le}`] ?? 0}`);
      }
      lines.push(`flowgate_step_duration_seconds_sum{type="${label(type)}"} ${sum[type]}`);
      lines.push(`flowgate_step_duration_seconds_count{type="${label(type)}"} ${dur[`${type}|+Inf`] ?? 0}`);
    }
    lines.push('# HELP flowgate_executions_finished_total Executions that reached a terminal status', '# TYPE flowgate_executions_finished_total counter');
    for (const [status, n] of Object.entries(finished)) lines.push(`flowgate_executions_finished_total{status="${label(status)}"} ${n}`);
    return `${lines.join('\n')}\n`;
  }
}
