import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESERVED_WORKFLOW_IDS, WORKFLOW_ID_PATTERN, slugify, validateWorkflow, type Problem, type ValidationResult } from '@flowgate/workflow-format';
import { syncSchedules, type Logger, type Runtime } from '@flowgate/executor';
import { versionHash, type StoredWorkflow } from '@flowgate/store';
import { ApiError, badRequest, conflict } from './errors';

export type ConnectorTypes = Record<string, { type: string }>;

/** Why an id cannot be a workflow id, or null when it can (docs/workflows.md). */
export function workflowIdProblem(id: string): string | null {
  if (RESERVED_WORKFLOW_IDS.includes(id)) return `the workflow id "${id}" is reserved`;
  if (!WORKFLOW_ID_PATTERN.test(id)) return `the workflow id "${id}" must match ${WORKFLOW_ID_PATTERN.source}`;
  return null;
}

/** The 400 of an invalid workflow: every problem with its 1-based line and column. */
export function invalidWorkflow(errors: Problem[]): ApiError {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const message = first ? `the workflow is invalid: ${first.path ? `${first.path}: ` : ''}${first.message} at line ${first.line}, column ${first.column}${more}` : 'the workflow is invalid';
  return new ApiError('validation_failed', message, errors.map((e) => ({ path: e.path, line: e.line, column: e.column, message: e.message })));
}

export function problemView(p: Problem): Problem {
  return { path: p.path, line: p.line, column: p.column, message: p.message };
}

/**
 * Validating, saving and loading workflows (docs/api.md "Workflows"): the API's routes, the FLOWGATE_WORKFLOWS
 * folder and the re-validation at start all go through here.
 */
export class WorkflowService {
  private readonly creating = new Set<string>();

  constructor(
    private readonly rt: Runtime,
    private readonly options: { connectors?: ConnectorTypes; log: Logger; onChange?: () => void },
  ) {}

  validate(yaml: string): ValidationResult {
    try {
      return validateWorkflow(yaml, this.options.connectors ? { connectors: this.options.connectors } : {});
    } catch (err) {
      return { valid: false, errors: [{ path: '', line: 1, column: 1, message: `could not validate: ${(err as Error).message}` }], warnings: [] };
    }
  }

  /** PUT: creates or replaces; invalid YAML saves nothing. */
  async put(id: string, yaml: string): Promise<{ created: boolean; workflow: StoredWorkflow; warnings: Problem[] }> {
    const problem = workflowIdProblem(id);
    if (problem) throw badRequest(problem);
    const result = this.validate(yaml);
    if (!result.valid || !result.definition) throw invalidWorkflow(result.errors);
    return this.store(id, yaml, result);
  }

  /** POST: the id is the name's slug; 409 when a workflow has it already. */
  async create(yaml: string): Promise<{ workflow: StoredWorkflow; warnings: Problem[] }> {
    const result = this.validate(yaml);
    if (!result.valid || !result.definition) throw invalidWorkflow(result.errors);
    const id = slugify(result.definition.name);
    if (id === '') throw badRequest(`the name "${result.definition.name}" gives an empty id: use PUT /api/workflows/{id} with an id of your choice`);
    const problem = workflowIdProblem(id);
    if (problem) throw badRequest(`${problem}: use PUT /api/workflows/{id} with another id`);
    if (this.creating.has(id) || (await this.rt.workflows.exists(id))) throw conflict(`the workflow "${id}" already exists`, [{ id }]);
    this.creating.add(id);
    try {
      if (await this.rt.workflows.exists(id)) throw conflict(`the workflow "${id}" already exists`, [{ id }]);
      const saved = await this.store(id, yaml, result);
      return { workflow: saved.workflow, warnings: saved.warnings };
    } finally {
      this.creating.delete(id);
    }
  }

  private async store(id: string, yaml: string, result: ValidationResult, name?: string): Promise<{ created: boolean; workflow: StoredWorkflow; warnings: Problem[] }> {
    const def = result.definition;
    const saved = await this.rt.workflows.save({ id, yaml, definition: def, name: def?.name ?? name ?? nameFromYaml(yaml) ?? id, errors: result.errors, warnings: result.warnings });
    if (def && saved.workflow.version) this.rt.definitions.put(saved.workflow.version, def);
    await syncSchedules(this.rt, id, result.valid && def ? def : null);
    this.options.onChange?.();
    return { created: saved.created, workflow: saved.workflow, warnings: result.warnings.map(problemView) };
  }

  /** DELETE: false when there was no such workflow. Its schedules go with it; executions keep their version. */
  async delete(id: string): Promise<boolean> {
    // An unknown id writes nothing: no revision bump (that every API process would reload its
    // alert candidates for); its leftover schedules, if any, still go.
    const removed = (await this.rt.workflows.exists(id)) && (await this.rt.workflows.delete(id));
    await syncSchedules(this.rt, id, null);
    if (removed) this.options.onChange?.();
    return removed;
  }

  /** At start: the scheduled triggers of every stored workflow, as BullMQ job schedulers. */
  async syncAllSchedules(): Promise<void> {
    for (const wf of await this.rt.workflows.list()) {
      const def = wf.valid && wf.version ? (await this.rt.definitions.get(wf.version)).definition : null;
      await syncSchedules(this.rt, wf.id, def);
    }
  }

  /** FLOWGATE_WORKFLOWS: every *.yaml is created or updated, its id the file name (an invalid file is kept invalid). */
  async loadFolder(dir: string): Promise<Set<string>> {
    const loaded = new Set<string>();
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    for (const file of files) {
      const id = file.slice(0, -'.yaml'.length);
      const problem = workflowIdProblem(id);
      if (problem) {
        this.options.log.error({ file: join(dir, file) }, `workflow file skipped: ${problem}`);
        continue;
      }
      const yaml = await readFile(join(dir, file), 'utf8');
      const result = this.validate(yaml);
      const stored = await this.rt.workflows.get(id);
      loaded.add(id);
      if (stored && stored.yaml === yaml && stored.valid === result.valid && (!result.definition || stored.version === versionHash(result.definition))) continue;
      await this.store(id, yaml, result);
      if (result.valid) this.options.log.info({ id, file }, stored ? 'workflow updated from folder' : 'workflow created from folder');
      else this.options.log.error({ id, file, errors: result.errors }, 'workflow file is invalid: kept with valid: false, it never starts');
    }
    return loaded;
  }

  /** At start, every stored workflow is validated again; one that no longer validates is kept with valid: false and its errors. */
  async revalidateStored(skip: Set<string> = new Set()): Promise<{ checked: number; changed: number }> {
    let checked = 0;
    let changed = 0;
    for (const wf of await this.rt.workflows.list()) {
      if (skip.has(wf.id)) continue;
      checked++;
      const result = this.validate(wf.yaml);
      const same = result.valid
        ? wf.valid && !!result.definition && wf.version === versionHash(result.definition)
        : !wf.valid && JSON.stringify(wf.errors) === JSON.stringify(result.errors);
      if (same) continue;
      changed++;
      await this.store(wf.id, wf.yaml, result, wf.name);
      if (!result.valid) this.options.log.error({ id: wf.id, errors: result.errors }, 'stored workflow no longer validates: kept with valid: false, it never starts');
    }
    return { checked, changed };
  }
}

/** The `name:` of a workflow that does not validate, for listing it. */
function nameFromYaml(yaml: string): string | undefined {
  const m = /^name:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^#\n]*?))[ \t]*(?:#.*)?$/m.exec(yaml);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  return name && name.trim() ? name.trim() : undefined;
}
