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
