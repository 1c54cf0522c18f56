import { createHash } from 'node:crypto';
import type { Problem, WorkflowDefinition } from '@flowgate/workflow-format';
import { Keys } from './keys';
import { isCluster, sendAll, sendAllOrThrow, type Command } from './multi-slot';
import type { RedisClient } from './scripts';

export interface StoredWorkflow {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  tags: string[];
  triggers: unknown[];
  valid: boolean;
  yaml: string;
  /** content hash of the current definition version; '' when invalid */
  version: string;
  errors: Problem[];
  warnings: Problem[];
  createdAt: string;
  updatedAt: string;
}

/** Canonical JSON (sorted keys) so that equal definitions hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function versionHash(definition: WorkflowDefinition): string {
  return createHash('sha256').update(canonical(definition)).digest('hex').slice(0, 32);
}

/**
 * Workflows and their immutable, content-addressed definition versions. An execution keeps only
 * its version hash, so editing or deleting a workflow never changes executions already started.
 */
export class WorkflowStore {
  constructor(readonly redis: RedisClient, readonly keys: Keys = new Keys()) {}

  /** Saves a workflow (valid or not); returns whether it was created. */
  async save(input: { id: string; yaml: string; definition?: WorkflowDefinition; name: string; errors: Problem[]; warnings: Problem[] }): Promise<{ created: boolean; workflow: StoredWorkflow }> {
    const now = new Date().toISOString();
    const def = input.definition;
    let version = '';
    if (def) {
      version = versionHash(def);
      await this.redis.set(this.keys.version(version), JSON.stringify(def), 'NX');
    }
    const key = this.keys.workflow(input.id);
    const created = (await this.redis.hsetnx(key, 'createdAt', now)) === 1;
    const fields: Record<string, string> = {
      id: input.id,
      name: def?.name ?? input.name,
      description: def?.description ?? '',
      enabled: String(def?.enabled ?? false),
      tags: JSON.stringify(def?.tags ?? []),
      triggers: JSON.stringify(def?.triggers ?? []),
      valid: String(!!def),
      yaml: input.yaml,
      version,
      errors: JSON.stringify(input.errors),
      warnings: JSON.stringify(input.warnings),
      updatedAt: now,
    };
    await this.writeThenBump([['hset', key, ...Object.entries(fields).flat()], ['sadd', this.keys.workflows(), input.id]]);
    return { created, workflow: (await this.get(input.id))! };
  }

  async get(id: string): Promise<StoredWorkflow | null> {
    return decodeWorkflow(await this.redis.hgetall(this.keys.workflow(id)));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.workflow(id))) === 1;
  }

  async list(): Promise<StoredWorkflow[]> {
    const ids = (await this.redis.smembers(this.keys.workflows())).sort();
    if (ids.length === 0) return [];
    const replies = await sendAll(this.redis, ids.map((id): Command => ['hgetall', this.keys.workflow(id)]));
    return replies.map(([, h]) => decodeWorkflow(h as Record<string, string>)).filter((w): w is StoredWorkflow => !!w);
  }

  async delete(id: string): Promise<boolean> {
    const [removed] = await this.writeThenBump([['del', this.keys.workflow(id)], ['srem', this.keys.workflows(), id]]);
    return Number(removed) === 1;
  }

  /**
   * Writes, then bumps the revision, never before: a process that sees the new revision reloads
   * what was written. One pipeline on one Redis (its commands run in order); on a Cluster the keys
   * are in other hash slots, so the bump waits for the writes.
   */
  private async writeThenBump(writes: Command[]): Promise<unknown[]> {
    const bump: Command = ['incr', this.keys.workflowsRev()];
    if (!isCluster(this.redis)) return sendAllOrThrow(this.redis, [...writes, bump]);
    const replies = await sendAllOrThrow(this.redis, writes);
    await sendAllOrThrow(this.redis, [bump]);
    return replies;
  }

  /** A counter bumped by every change, so that processes caching the workflow list know to reload. */
  async revision(): Promise<number> {
    return Number((await this.redis.get(this.keys.workflowsRev())) ?? 0);
  }

  async loadVersion(hash: string): Promise<WorkflowDefinition | null> {
    const json = await this.redis.get(this.keys.version(hash));
    return json ? (JSON.parse(json) as WorkflowDefinition) : null;
  }
}

function decodeWorkflow(h: Record<string, string>): StoredWorkflow | null {
  if (!h.id) return null;
  return {
    id: h.id,
    name: h.name,
    description: h.description || null,
    enabled: h.enabled === 'true',
    tags: JSON.parse(h.tags || '[]'),
    triggers: JSON.parse(h.triggers || '[]'),
    valid: h.valid === 'true',
    yaml: h.yaml ?? '',
    version: h.version ?? '',
    errors: JSON.parse(h.errors || '[]'),
    warnings: JSON.parse(h.warnings || '[]'),
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}
