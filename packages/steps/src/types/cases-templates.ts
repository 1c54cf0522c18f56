/**
 * cases.createCaseFromTemplate: opens a case from a template of case-templates.yaml (Kibana's case
 * templates), with Kibana's `overwrites` on top. The file is FLOWGATE_CASE_TEMPLATES, else
 * case-templates.yaml beside FLOWGATE_CONNECTORS; it is read once per process (a worker restart
 * picks up a change), or handed in as `services.caseTemplates`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StepError, type StepType } from '@flowgate/engine';
import type { CaseUpdate } from '@flowgate/store';
import { caseTemplatesFromYaml, type CaseTemplates } from '@flowgate/workflow-format';
import { caseUpdateOf, fail, opKeyOf, requiredText, written } from './cases-input';
import type { StepServices } from './services';

interface Loaded {
  templates: CaseTemplates;
  /** where they were read from, for messages */
  source: string;
}

let cache: { key: string; loaded: Loaded | Error } | undefined;

/** The file's path from the environment: FLOWGATE_CASE_TEMPLATES, else beside connectors.yaml (optional there). */
export function caseTemplatesPath(env: NodeJS.ProcessEnv = process.env): { path: string; required: boolean } | undefined {
  const explicit = env.FLOWGATE_CASE_TEMPLATES?.trim();
  if (explicit) return { path: explicit, required: true };
  const connectors = env.FLOWGATE_CONNECTORS?.trim();
  return connectors ? { path: join(dirname(connectors), 'case-templates.yaml'), required: false } : undefined;
}

function load(env: NodeJS.ProcessEnv): Loaded {
  const where = caseTemplatesPath(env);
  if (!where) return { templates: {}, source: 'no case-templates.yaml (set FLOWGATE_CASE_TEMPLATES)' };
  let text: string;
  try {
    text = readFileSync(where.path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!where.required && code === 'ENOENT') return { templates: {}, source: `no ${where.path}` };
    throw new Error(`FLOWGATE_CASE_TEMPLATES: cannot read ${where.path}${code ? ` (${code})` : ''}`);
  }
  return { templates: caseTemplatesFromYaml(text, where.path), source: where.path };
}

/** The templates of this process: read at the first use, kept (a bad file is reported at each use, never half-read). */
function processTemplates(env: NodeJS.ProcessEnv = process.env): Loaded {
  const key = JSON.stringify(caseTemplatesPath(env) ?? null);
  if (!cache || cache.key !== key) {
    try {
      cache = { key, loaded: load(env) };
    } catch (err) {
      cache = { key, loaded: err as Error };
    }
  }
  if (cache.loaded instanceof Error) throw new StepError('configuration_error', `cases.createCaseFromTemplate: ${cache.loaded.message}`);
  return cache.loaded;
}

export const createCaseFromTemplate: StepType<StepServices> = {
  type: 'cases.createCaseFromTemplate',
  instant: true,
  async run(ctx, services) {
    const templateId = requiredText(ctx, ctx.input.case_template_id, 'with.case_template_id').trim();
    const overwrites: CaseUpdate = ctx.input.overwrites === undefined || ctx.input.overwrites === null ? {} : caseUpdateOf(ctx, ctx.input.overwrites, 'with.overwrites', false);
    const { templates, source } = services.caseTemplates ? { templates: services.caseTemplates, source: 'the configured templates' } : processTemplates();
    const template = Object.prototype.hasOwnProperty.call(templates, templateId) ? templates[templateId] : undefined;
    if (!template) {
      const known = Object.keys(templates);
      throw fail(ctx, `no case template "${templateId}" in ${source}${known.length ? ` (templates: ${known.join(', ')})` : ''}`);
    }
    const f = template.caseFields;
    const fields: CaseUpdate = {
      title: f.title ?? template.name,
      description: f.description ?? null,
      severity: f.severity ?? 'low',
      tags: f.tags ?? [],
      ...(f.status ? { status: f.status } : {}),
      ...(f.category ? { category: f.category } : {}),
      ...(f.assignees ? { assignees: f.assignees.map((a) => a.uid) } : {}),
      ...(f.customFields ? { customFields: f.customFields } : {}),
      ...overwrites,
    };
    // Two writes, each keyed by the step: a repeat opens no second case and sets nothing twice.
    const opened = await services.cases.create({
      title: fields.title!,
      description: fields.description ?? null,
      severity: fields.severity,
      tags: fields.tags,
      executionId: ctx.executionId,
      opKey: opKeyOf(ctx),
    });
    const { title: _t, description: _d, severity: _s, tags: _g, ...rest } = fields;
    const extra = Object.keys(rest).length ? rest : { category: fields.category ?? null };
    const created = await written(ctx, opened.id, () => services.cases.update(opened.id, extra, `${opKeyOf(ctx)}#fields`));
    return { kind: 'output', output: { case: created } };
  },
};
