import { useMemo, useState } from 'react';
import { ApiError, type ErrorDetail, type JSONSchema, type WorkflowDetail } from '../lib/api';
import { between, dateTime, shortId, shortTime } from '../lib/format';
import { useDocumentTitle, usePolling } from '../lib/hooks';
import { Link, useRouter } from '../lib/router';
import { useSession } from '../lib/session';
import { EmptyState, ErrorNotice, Loading, PageHeader, Pill, StatusBadge } from '../components/common';
import { SchemaForm } from '../components/SchemaForm';
import { YamlView } from '../components/YamlView';

/** Kibana's list form of `inputs` as the equivalent JSON Schema (a JSON Schema object is kept). */
export function inputsSchema(inputs: unknown): JSONSchema | null {
  if (!inputs) return null;
  if (!Array.isArray(inputs)) return inputs as JSONSchema;
  const properties: Record<string, any> = {};
  const required: string[] = [];
  for (const i of inputs as any[]) {
    if (!i?.name) continue;
    const p: any = {};
    if (i.type === 'choice') {
      p.type = 'string';
      p.enum = i.options ?? [];
    } else if (i.type === 'array') {
      p.type = 'array';
      p.items = { type: 'string' };
    } else p.type = ['string', 'number', 'boolean'].includes(i.type) ? i.type : 'string';
    if (i.description) p.description = i.description;
    if (i.default !== undefined) p.default = i.default;
    p.title = i.name;
    properties[i.name] = p;
    if (i.required) required.push(i.name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function manualInputs(w: WorkflowDetail): { manual: boolean; schema: JSONSchema | null } {
  const triggers: any[] = (w.definition?.triggers as any[] | undefined) ?? w.triggers ?? [];
  const manual = triggers.find((t) => t?.type === 'manual');
  return { manual: !!manual, schema: inputsSchema(w.definition?.inputs ?? manual?.inputs) };
}

export function WorkflowPage({ id }: { id: string }) {
  const { api, canEdit } = useSession();
  const { navigate } = useRouter();
  const { data: w, error, loading } = usePolling(() => api.workflow(id), [id], null);
  const recent = usePolling(() => api.listExecutions({ workflowId: id, limit: 8 }), [id], 5000);
  const [running, setRunning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [runErrors, setRunErrors] = useState<ErrorDetail[]>([]);
  const [runFailure, setRunFailure] = useState<string | null>(null);
  useDocumentTitle(w ? `${w.name} · Workflow · Flowgate` : 'Workflow · Flowgate');

  const errorLines = useMemo(() => new Set((w?.errors ?? []).map((e) => e.line).filter((l): l is number => typeof l === 'number')), [w]);
  if (loading && !w) return <Loading />;
  if (!w) {
    if (error?.status === 404)
      return (
        <EmptyState title="Workflow not found" icon="?">
          <p>
            There is no workflow <code>{id}</code>. <Link to="/workflows">See all workflows</Link>.
          </p>
        </EmptyState>
      );
    return <ErrorNotice error={error} title="Could not load the workflow." />;
  }
  const { manual, schema } = manualInputs(w);
  const canRun = canEdit && manual && w.enabled && w.valid;
  const runSchema: JSONSchema = schema ?? { type: 'object', properties: {} };
  const hasFields = Object.keys(runSchema.properties ?? {}).length > 0;

  const run = async (inputs: unknown) => {
    setBusy(true);
    setRunFailure(null);
    try {
      const r = await api.run(w.id, inputs);
      navigate(`/executions/${encodeURIComponent(r.executionId)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        setRunErrors(err.details);
        setRunFailure(err.message);
      } else setRunFailure((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/workflows">Workflows</Link>
        <span aria-hidden="true"> / </span>
        <span className="mono">{w.id}</span>
      </nav>
      <PageHeader
        title={w.name}
        sub={
          <>
            {w.enabled ? <Pill tone="green">Enabled</Pill> : <Pill tone="gray">Disabled</Pill>}
            {w.valid ? <Pill tone="blue">Valid</Pill> : <Pill tone="red">Invalid</Pill>}
            <span className="muted">triggers: {(w.triggers ?? []).map((t) => t.type).join(', ')}</span>
            <span className="muted">updated {shortTime(w.updatedAt)}</span>
          </>
        }
      >
        {canEdit && manual ? (
          <button type="button" className="btn btn-primary" onClick={() => (hasFields ? setRunning((r) => !r) : run({}))} disabled={!canRun || busy} aria-expanded={hasFields ? running : undefined} title={!w.enabled ? 'The workflow is disabled' : !w.valid ? 'The workflow is invalid' : undefined}>
            {busy && !hasFields ? 'Starting…' : 'Run'}
          </button>
        ) : null}
      </PageHeader>
      {w.description ? <p className="lede">{w.description}</p> : null}
      {runFailure && !running ? <ErrorNotice error={runFailure} title="Could not start a run." /> : null}
      {running && canRun ? (
        <section className="card" aria-labelledby="run-h">
          <h2 id="run-h" className="card-title">
            Run {w.name}
          </h2>
          {runFailure ? <ErrorNotice error={runFailure} title="Could not start a run." /> : null}
          <SchemaForm id="run-inputs" oneClick={false} schema={runSchema} serverErrors={runErrors} submitLabel="Start run" busy={busy} onSubmit={run} />
        </section>
      ) : null}
      {w.errors?.length ? (
        <section className="card card-danger" aria-labelledby="errors-h">
          <h2 id="errors-h" className="card-title">
            Validation errors
          </h2>
          <ul className="errors-list">
            {w.errors.map((e, i) => (
              <li key={i}>
                {e.line ? <span className="mono">line {e.line}{e.column ? `:${e.column}` : ''}</span> : null} {e.path ? <code>{e.path}</code> : null} {e.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="wf-grid">
        <section className="card" aria-labelledby="yaml-h">
          <h2 id="yaml-h" className="card-title">
            Definition
          </h2>
          <YamlView source={w.yaml ?? ''} errorLines={errorLines} />
        </section>
        <section className="card" aria-labelledby="recent-h">
          <h2 id="recent-h" className="card-title">
            Recent executions
          </h2>
          {recent.data?.results.length ? (
            <ul className="mini-list">
              {recent.data.results.map((r) => (
                <li key={r.id}>
                  <Link to={`/executions/${encodeURIComponent(r.id)}`}>
                    <StatusBadge status={r.status} />
                    <span className="mono">{shortId(r.id)}</span>
                    <span className="muted small">
                      {shortTime(r.createdAt)} · {between(r.startedAt ?? r.createdAt, r.finishedAt)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No executions yet.</p>
          )}
          <p className="small">
            <Link to={`/executions?workflowId=${encodeURIComponent(w.id)}`}>All executions of this workflow</Link>
          </p>
          <p className="muted small">Created {dateTime(w.createdAt)}</p>
        </section>
      </div>
    </div>
  );
}
