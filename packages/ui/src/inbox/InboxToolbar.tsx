import { useMemo } from 'react';
import type { ExecutionRow, Severity } from '../lib/api';
import { contextOf, distinct, hasFilters, INBOX_SORTS, NO_FILTERS, SEVERITIES, type InboxFilters, type InboxSort } from './queue';

/** Search, sort and filters of the inbox; the menus list what the loaded rows hold. */
export function InboxToolbar({ rows, filters, setFilters, sort, setSort, shown }: { rows: ExecutionRow[]; filters: InboxFilters; setFilters: (f: InboxFilters | ((f: InboxFilters) => InboxFilters)) => void; sort: InboxSort; setSort: (s: InboxSort) => void; shown: number }) {
  const options = useMemo(() => {
    const workflows = new Map<string, string>();
    for (const r of rows) workflows.set(r.workflowId, r.workflowName);
    const ctx = rows.map(contextOf);
    return {
      workflows: [...workflows.entries()].sort((a, b) => a[1].localeCompare(b[1])),
      hosts: distinct(ctx.map((c) => c.host)),
      rules: distinct(ctx.map((c) => c.rule)),
      severities: new Set(ctx.map((c) => c.severity)),
    };
  }, [rows]);
  const set = <K extends keyof InboxFilters>(k: K, v: InboxFilters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const toggleSeverity = (s: Severity) => setFilters((f) => ({ ...f, severity: f.severity.includes(s) ? f.severity.filter((x) => x !== s) : [...f.severity, s] }));
  const withCurrent = (list: string[], current: string) => (current && !list.some((v) => v.toLowerCase() === current.toLowerCase()) ? [current, ...list] : list);
  const filtered = hasFilters(filters);
  return (
    <div className="inbox-tools">
      <div className="inbox-tools-row">
        <div className="inbox-search" role="search">
          <label htmlFor="inbox-q" className="sr-only">
            Search the inbox
          </label>
          <input id="inbox-q" type="search" placeholder="Search host, user, rule, alert id…" value={filters.q} onChange={(e) => set('q', e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <div className="inbox-select">
          <label htmlFor="inbox-sort">Sort by</label>
          <select id="inbox-sort" value={sort} onChange={(e) => setSort(e.target.value as InboxSort)}>
            {INBOX_SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="inbox-tools-row">
        <fieldset className="inbox-sev" aria-label="Severity">
          <legend className="sr-only">Severity</legend>
          {SEVERITIES.map((s) => (
            <button key={s} type="button" className={`chip sev-chip sev-chip-${s}${filters.severity.includes(s) ? ' on' : ''}`} aria-pressed={filters.severity.includes(s)} onClick={() => toggleSeverity(s)} disabled={!options.severities.has(s) && !filters.severity.includes(s)}>
              {s.charAt(0).toUpperCase() + s.slice(1)}
            </button>
          ))}
        </fieldset>
        <div className="inbox-select">
          <label htmlFor="inbox-workflow">Workflow</label>
          <select id="inbox-workflow" value={filters.workflow} onChange={(e) => set('workflow', e.target.value)}>
            <option value="">All workflows</option>
            {(filters.workflow && !options.workflows.some(([id]) => id === filters.workflow) ? [[filters.workflow, filters.workflow] as [string, string], ...options.workflows] : options.workflows).map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="inbox-select">
          <label htmlFor="inbox-host">Host</label>
          <select id="inbox-host" value={filters.host} onChange={(e) => set('host', e.target.value)}>
            <option value="">All hosts</option>
            {withCurrent(options.hosts, filters.host).map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </div>
        <div className="inbox-select">
          <label htmlFor="inbox-rule">Rule</label>
          <select id="inbox-rule" value={filters.rule} onChange={(e) => set('rule', e.target.value)}>
            <option value="">All rules</option>
            {withCurrent(options.rules, filters.rule).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        {filtered ? (
          <button type="button" className="chip chip-clear" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </div>
      {filtered ? (
        <p className="inbox-shown small" aria-live="polite">
          Showing {shown} of {rows.length}.
        </p>
      ) : null}
    </div>
  );
}
