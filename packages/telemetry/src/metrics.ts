import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SharedMetrics } from './shared-metrics';

/** The Prometheus metrics of docs/operations.md "Health and metrics", in one registry per process. */
export class Metrics {
  readonly registry = new Registry();
  readonly executionsByStatus = new Gauge({ name: 'flowgate_executions', help: 'Executions by current status', labelNames: ['status'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'flowgate_queue_jobs', help: 'Jobs by queue and state', labelNames: ['queue', 'state'], registers: [this.registry] });
  readonly waitingForInput = new Gauge({ name: 'flowgate_waiting_for_input', help: 'Executions waiting for a human answer', registers: [this.registry] });
  readonly oldestWaitSeconds = new Gauge({ name: 'flowgate_waiting_for_input_oldest_seconds', help: 'Age of the oldest wait for input', registers: [this.registry] });
  readonly resumeLatency = new Histogram({
    name: 'flowgate_resume_seconds',
    help: 'Resume request handling time (validation to next step queued)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly alertsAccepted = new Counter({ name: 'flowgate_alerts_accepted_total', help: 'Alerts accepted by the API', registers: [this.registry] });
  // Backpressure (docs/operations.md "Backpressure"): read from Redis by the API every second.
  readonly redisUsedMemory = new Gauge({ name: 'flowgate_redis_used_memory_bytes', help: "Redis used_memory (on a Cluster: the fullest master's)", registers: [this.registry] });
  readonly redisMaxmemory = new Gauge({ name: 'flowgate_redis_maxmemory_bytes', help: 'Redis maxmemory (0: none)', registers: [this.registry] });
  readonly memoryLimit = new Gauge({ name: 'flowgate_memory_limit_bytes', help: 'used_memory beyond which the API refuses new work (FLOWGATE_MAX_MEMORY; 0: none)', registers: [this.registry] });
  readonly stepsBacklog = new Gauge({ name: 'flowgate_steps_backlog', help: 'Step jobs waiting (waiting + prioritized), compared with FLOWGATE_MAX_BACKLOG', registers: [this.registry] });
  readonly overloaded = new Gauge({ name: 'flowgate_overloaded', help: 'Whether the API refuses new work, by reason (memory, backlog)', labelNames: ['reason'], registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Hooks for the executor: step and execution counts go to Redis through `shared` (every process
   * adds to them, the API shows the totals); resume latency stays per API process.
   */
  hooks(shared: SharedMetrics) {
    return {
      stepFinished: (type: string, outcome: string, ms: number) => shared.stepFinished(type, outcome, ms),
      executionFinished: (status: string) => shared.executionFinished(status),
      resumed: (ms: number) => this.resumeLatency.observe(ms / 1000),
    };
  }
}
