import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of SPEC §6.6, in one registry per process. */
export class Metrics {
  readonly registry = new Registry();
  readonly executionsFinished = new Counter({ name: 'flowgate_executions_finished_total', help: 'Executions that reached a terminal status', labelNames: ['status'], registers: [this.registry] });
  readonly executionsByStatus = new Gauge({ name: 'flowgate_executions', help: 'Executions by current status', labelNames: ['status'], registers: [this.registry] });
  readonly steps = new Counter({ name: 'flowgate_steps_total', help: 'Step runs by type and outcome', labelNames: ['type', 'outcome'], registers: [this.registry] });
  readonly stepDuration = new Histogram({
    name: 'flowgate_step_duration_seconds',
    help: 'Step run duration',
    labelNames: ['type'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
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

  /** Hooks for the executor (packages/steps RuntimeHooks). */
  hooks() {
    return {
      stepFinished: (type: string, outcome: string, ms: number) => {
        this.steps.inc({ type, outcome });
        this.stepDuration.observe({ type }, ms / 1000);
      },
      executionFinished: (status: string) => this.executionsFinished.inc({ status }),
      resumed: (ms: number) => this.resumeLatency.observe(ms / 1000),
    };
  }
}
