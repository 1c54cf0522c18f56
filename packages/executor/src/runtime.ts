import type { WorkflowDefinition } from '@flowgate/workflow-format';
import { StepRegistry, WorkflowPlan } from '@flowgate/engine';
import { CaseStore, ExecutionStore, Keys, LinkStore, WorkflowStore, type RedisClient } from '@flowgate/store';
import type { Queues } from '@flowgate/queue';
import type { StepServices } from '@flowgate/steps';
import type { Notifier } from './notify';

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Optional hooks for metrics (packages/telemetry) without a hard dependency. */
export interface RuntimeHooks {
  stepFinished?(type: string, outcome: string, durationMs: number): void;
  executionFinished?(status: string): void;
  resumed?(latencyMs: number): void;
}

/**
 * The one typed object every executor system shares: stores, queues, step types, configuration.
 * Built once per process by services/api and services/worker.
 */
export interface Runtime {
  redis: RedisClient;
  keys: Keys;
  executions: ExecutionStore;
  workflows: WorkflowStore;
  cases: CaseStore;
  /** single-use answer links carried by notifications */
  links: LinkStore;
  queues: Queues;
  registry: StepRegistry<StepServices>;
  services: StepServices;
  definitions: DefinitionCache;
  publicUrl: string;
  log: Logger;
  hooks: RuntimeHooks;
  /** how many instant steps a step job may run after its own before handing over to the queue (0: one step per job) */
  chainSteps: number;
  /** sends the notifications of waits (services/worker builds it from the connectors); none: they are recorded as failed */
  notifier?: Notifier;
  /** FLOWGATE_EXTERNAL_RESUME: notifications carry single-use answer links */
  externalResume: boolean;
}

/** Definition versions are immutable, so each is loaded and indexed once per process. */
export class DefinitionCache {
  private readonly cache = new Map<string, { definition: WorkflowDefinition; plan: WorkflowPlan }>();

  constructor(private readonly workflows: WorkflowStore, private readonly max = 1000) {}

  async get(version: string): Promise<{ definition: WorkflowDefinition; plan: WorkflowPlan }> {
    const hit = this.cache.get(version);
    if (hit) return hit;
    const definition = await this.workflows.loadVersion(version);
    if (!definition) throw new Error(`workflow version ${version} is missing`);
    return this.put(version, definition);
  }

  put(version: string, definition: WorkflowDefinition): { definition: WorkflowDefinition; plan: WorkflowPlan } {
    const entry = { definition, plan: new WorkflowPlan(definition) };
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(version, entry);
    return entry;
  }
}

export function createRuntime(args: {
  redis: RedisClient;
  queues: Queues;
  registry: StepRegistry<StepServices>;
  services?: Partial<StepServices>;
  publicUrl: string;
  log: Logger;
  hooks?: RuntimeHooks;
  keys?: Keys;
  chainSteps?: number;
  notifier?: Notifier;
  externalResume?: boolean;
}): Runtime {
  const keys = args.keys ?? new Keys();
  const workflows = new WorkflowStore(args.redis, keys);
  const cases = new CaseStore(args.redis, keys);
  return {
    redis: args.redis,
    keys,
    executions: new ExecutionStore(args.redis, keys),
    workflows,
    cases,
    links: new LinkStore(args.redis, keys),
    queues: args.queues,
    registry: args.registry,
    services: { cases, ...args.services },
    definitions: new DefinitionCache(workflows),
    publicUrl: args.publicUrl,
    log: args.log,
    hooks: args.hooks ?? {},
    chainSteps: args.chainSteps ?? 100,
    notifier: args.notifier,
    externalResume: args.externalResume ?? true,
  };
}
