import { Router, type Request, type RequestHandler } from 'express';
import { validateInputs, type WorkflowDefinition } from '@flowgate/workflow-format';
import { startExecution, type Runtime } from '@flowgate/executor';
import type { StoredWorkflow } from '@flowgate/store';
import { isPlainObject } from '@flowgate/template';
import type { Authenticator } from '../auth';
import { callerOf } from '../auth';
import { bodyText, describe, isYamlRequest, jsonObjectBody, MiB, parseJson, rawBody, param } from '../body';
import { ApiError, asyncHandler, badRequest, conflict, notFound } from '../errors';
import { problemView, workflowIdProblem, type WorkflowService } from '../workflow-service';

/**
 * A workflow body: the YAML itself (application/yaml, application/x-yaml, text/yaml, text/plain)
 * or `{"yaml": "..."}` (application/json). Without a content type, a JSON object with `yaml` is
 * taken as such, anything else as YAML.
 */
export function workflowYaml(req: Request): string {
  const text = bodyText(req);
  if (isYamlRequest(req)) {
    if (text === null || text.trim() === '') throw badRequest('the body is empty: send the workflow YAML');
    return text;
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const isJson = /^application\/([a-z0-9.+-]*\+)?json\b/.test(type);
  if (text === null || text.trim() === '') throw badRequest('the body is empty: send the workflow YAML, or {"yaml": "..."} as JSON');
  if (!isJson) {
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      try {
        const value = JSON.parse(trimmed);
        if (isPlainObject(value) && typeof value.yaml === 'string') return value.yaml;
      } catch {
        /* YAML flow mapping, not JSON */
      }
    }
    return text;
  }
  const value = parseJson(text, 'the JSON body');
  if (!isPlainObject(value) || typeof value.yaml !== 'string') {
    throw badRequest(`a JSON body must be {"yaml": "<the workflow YAML>"}, got ${isPlainObject(value) ? (value.yaml === undefined ? 'an object without "yaml"' : '"yaml" that is not a string') : describe(value)}`);
  }
  return value.yaml;
}

function summary(w: StoredWorkflow) {
  return {
    id: w.id,
    name: w.name,
    description: w.description ?? null,
    enabled: w.enabled,
    tags: w.tags,
    triggers: w.triggers,
    valid: w.valid,
    createdAt: w.createdAt ?? null,
    updatedAt: w.updatedAt ?? null,
  };
}

function manualInputsSchema(def: WorkflowDefinition): object | undefined {
  if (def.inputs) return def.inputs;
  const manual = def.triggers.find((t) => t.type === 'manual') as { inputs?: object } | undefined;
  return manual?.inputs;
}

export function workflowsRouter(deps: { rt: Runtime; auth: Authenticator; workflows: WorkflowService; admit?: RequestHandler }): Router {
  const { rt, auth, workflows } = deps;
  // Backpressure on manual runs (docs/operations.md "Backpressure").
  const admit: RequestHandler = deps.admit ?? ((_req, _res, next) => next());
  const r = Router({ caseSensitive: true });
  const body = rawBody(4 * MiB);

  r.get(
    '/api/workflows',
    auth.require('read'),
    asyncHandler(async (_req, res) => {
      res.json({ results: (await rt.workflows.list()).map(summary) });
    }),
  );

  r.post(
    '/api/workflows/validate',
    auth.require('edit'),
    body,
    asyncHandler(async (req, res) => {
      const result = workflows.validate(workflowYaml(req));
      res.json({ valid: result.valid, errors: result.errors.map(problemView), warnings: result.warnings.map(problemView) });
    }),
  );

  r.post(
    '/api/workflows',
    auth.require('edit'),
    body,
    asyncHandler(async (req, res) => {
      const { workflow, warnings } = await workflows.create(workflowYaml(req));
      res.status(201).location(`/api/workflows/${workflow.id}`).json({ id: workflow.id, name: workflow.name, enabled: workflow.enabled, valid: true, warnings });
    }),
  );

  r.get(
    '/api/workflows/:id',
    auth.require('read'),
    asyncHandler(async (req, res) => {
      const w = await rt.workflows.get(param(req, 'id'));
      if (!w) throw notFound(`no workflow "${param(req, 'id')}"`);
      const definition = w.valid && w.version ? await rt.workflows.loadVersion(w.version) : null;
      res.json({ ...summary(w), yaml: w.yaml, definition, errors: w.errors.map(problemView), warnings: w.warnings.map(problemView) });
    }),
  );

  r.put(
    '/api/workflows/:id',
    auth.require('edit'),
    body,
    asyncHandler(async (req, res) => {
      const problem = workflowIdProblem(param(req, 'id'));
      if (problem) throw badRequest(problem);
      const { created, workflow, warnings } = await workflows.put(param(req, 'id'), workflowYaml(req));
      if (created) res.status(201).location(`/api/workflows/${workflow.id}`);
      res.json({ id: workflow.id, name: workflow.name, enabled: workflow.enabled, valid: true, warnings });
    }),
  );

  r.delete(
    '/api/workflows/:id',
    auth.require('edit'),
    asyncHandler(async (req, res) => {
      if (!(await workflows.delete(param(req, 'id')))) throw notFound(`no workflow "${param(req, 'id')}"`);
      res.status(204).end();
    }),
  );

  r.post(
    '/api/workflows/:id/run',
    auth.require('edit'),
    admit,
    rawBody(MiB),
    asyncHandler(async (req, res) => {
      const payload = jsonObjectBody(req, true);
      const rawInputs = payload.inputs === undefined ? {} : payload.inputs;
      if (!isPlainObject(rawInputs)) throw badRequest(`"inputs" must be a JSON object, got ${describe(rawInputs)}`);
      const w = await rt.workflows.get(param(req, 'id'));
      if (!w) throw notFound(`no workflow "${param(req, 'id')}"`);
      if (!w.valid || !w.version) throw conflict(`the workflow "${w.id}" is not valid and cannot run`, w.errors.map(problemView));
      const { definition } = await rt.definitions.get(w.version);
      if (!definition.enabled) throw conflict(`the workflow "${w.id}" is disabled`);
      if (!definition.triggers.some((t) => t.type === 'manual')) throw conflict(`the workflow "${w.id}" has no manual trigger`);
      const { value, errors } = validateInputs(manualInputsSchema(definition), rawInputs, w.version);
      if (errors.length > 0) throw new ApiError('validation_failed', `the inputs do not match the workflow's inputs schema: ${errors.map((e) => e.message).join('; ')}`, errors);
      const executionId = await startExecution(rt, { workflowId: w.id, version: w.version, definition, trigger: 'manual', triggeredBy: callerOf(res).name, inputs: value, event: {} });
      res.status(202).json({ executionId });
    }),
  );

  return r;
}
