/**
 * Evidence at a glance: the alert as a field/value table, the AI verdicts of the run, and the hits of
 * its Elasticsearch searches. Values are text (React escapes them), wrapped, never cut off.
 */
import { useId, useMemo, useState } from 'react';
import type { StepRecord } from '../lib/api';
import { CopyButton } from './Copy';
import { alertOf, flatten, isObject, percent, verdictOf, type Verdict } from './values';
import './execution.css';

const FIRST_ROWS = 40;

export function AlertFields({ event }: { event: unknown }) {
  const alert = alertOf(event);
  const rows = useMemo(() => flatten(alert), [alert]);
  const [filter, setFilter] = useState('');
  const [all, setAll] = useState(false);
  const headingId = useId();
  if (!alert || rows.length === 0) return null;
  const alerts = isObject(event) && Array.isArray(event.alerts) ? event.alerts.length : 0;
  const f = filter.trim().toLowerCase();
  const matching = f ? rows.filter((r) => r.path.toLowerCase().includes(f) || r.value.toLowerCase().includes(f)) : rows;
  const shown = all || f ? matching : matching.slice(0, FIRST_ROWS);
  return (
    <section className="card evidence" aria-labelledby={headingId}>
      <div className="evidence-head">
        <h2 id={headingId} className="card-title">
          Alert <span className="muted">({rows.length} fields{alerts > 1 ? `, first of ${alerts} alerts` : ''})</span>
        </h2>
        {rows.length > 12 ? (
          <label className="evidence-filter">
            <span className="sr-only">Filter alert fields</span>
            <input type="search" placeholder="Filter fields…" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
        ) : null}
      </div>
      <table className="fields" data-testid="alert-fields">
        <caption className="sr-only">Alert fields and values</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span className="sr-only">Copy</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.path}>
              <th scope="row" className="field-path">
                {r.path}
              </th>
              <td className="field-value">{r.value}</td>
              <td className="field-copy">
                <CopyButton value={r.value} label={r.path} />
              </td>
            </tr>
          ))}
          {shown.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                No field matches “{filter}”.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {!all && !f && matching.length > FIRST_ROWS ? (
        <button type="button" className="btn btn-sm evidence-more" onClick={() => setAll(true)}>
          Show all {matching.length} fields
        </button>
      ) : null}
    </section>
  );
}

/** The AI verdicts of the run (ai.* steps, or steps whose output has a category with a confidence or rationale), latest first. */
export function verdicts(steps: StepRecord[]): Verdict[] {
  return steps
    .map((s) => verdictOf(s))
    .filter((v): v is Verdict => v !== null)
    .reverse();
}

export function AiCard({ verdict }: { verdict: Verdict }) {
  const headingId = useId();
  const pct = verdict.confidence === null ? null : Math.max(0, Math.min(100, verdict.confidence <= 1 ? verdict.confidence * 100 : verdict.confidence));
  return (
    <section className="card ai-card" aria-labelledby={headingId} data-testid="ai-card">
      <div className="ai-head">
        <h2 id={headingId} className="card-title">
          AI classification
        </h2>
        <span className="muted small">
          step <code>{verdict.step}</code>
        </span>
      </div>
      <dl className="ai-facts">
        <div>
          <dt>Category</dt>
          <dd className="ai-category">{verdict.category ?? '—'}</dd>
        </div>
        <div>
          <dt>Confidence</dt>
          <dd>
            {percent(verdict.confidence)}
            {pct !== null ? (
              <span className="ai-meter" aria-hidden="true">
                <span style={{ width: `${pct}%` }} />
              </span>
            ) : null}
          </dd>
        </div>
      </dl>
      {verdict.rationale ? <p className="ai-rationale">{verdict.rationale}</p> : null}
    </section>
  );
}

interface Hits {
  step: string;
  total: number | null;
  sources: Record<string, unknown>[];
}

/** The `_source` of every hit of the completed elasticsearch.search steps. */
export function searchHits(steps: StepRecord[]): Hits[] {
  const out: Hits[] = [];
  for (const s of steps) {
    if (s.type !== 'elasticsearch.search' || s.status !== 'COMPLETED' || !isObject(s.output)) continue;
    const hits = isObject(s.output.hits) ? s.output.hits : null;
    const list = hits && Array.isArray(hits.hits) ? hits.hits : [];
    const total = hits ? (typeof hits.total === 'number' ? hits.total : isObject(hits.total) && typeof hits.total.value === 'number' ? hits.total.value : null) : null;
    out.push({ step: s.path, total, sources: list.map((h) => (isObject(h) && isObject(h._source) ? h._source : isObject(h) ? h : {})) });
  }
  return out;
}

const FIRST_HITS = 25;

export function HitsTable({ hits }: { hits: Hits }) {
  const headingId = useId();
  const [all, setAll] = useState(false);
  const rows = useMemo(() => hits.sources.map((s) => Object.fromEntries(flatten(s).map((r) => [r.path, r.value]))), [hits]);
  const columns = useMemo(() => {
    const seen = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
    return [...seen];
  }, [rows]);
  const shown = all ? rows : rows.slice(0, FIRST_HITS);
  return (
    <section className="card evidence" aria-labelledby={headingId} data-testid="search-hits">
      <h2 id={headingId} className="card-title">
        Search results <span className="muted">— step {hits.step} ({hits.total !== null && hits.total !== rows.length ? `${rows.length} of ${hits.total}` : rows.length} hits)</span>
      </h2>
      {rows.length === 0 ? (
        <p className="muted">No hits.</p>
      ) : (
        <div className="hits-wrap" tabIndex={0} role="group" aria-label={`Hits of ${hits.step}`}>
          <table className="table hits">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c}>{r[c] ?? ''}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!all && rows.length > FIRST_HITS ? (
        <button type="button" className="btn btn-sm evidence-more" onClick={() => setAll(true)}>
          Show all {rows.length} hits
        </button>
      ) : null}
    </section>
  );
}
