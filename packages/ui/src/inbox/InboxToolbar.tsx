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
        <FilterSelect
          id="inbox-workflow"
          label="Workflow"
          all="All workflows"
          value={filters.workflow}
          options={filters.workflow && !options.workflows.some(([id]) => id === filters.workflow) ? [[filters.workflow, filters.workflow], ...options.workflows] : options.workflows}
          onChange={(v) => set('workflow', v)}
        />
        <FilterSelect id="inbox-host" label="Host" all="All hosts" value={filters.host} options={same(withCurrent(options.hosts, filters.host))} onChange={(v) => set('host', v)} />
        <FilterSelect id="inbox-rule" label="Rule" all="All rules" value={filters.rule} options={same(withCurrent(options.rules, filters.rule))} onChange={(v) => set('rule', v)} />
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

/** A value shown as itself. */
const same = (list: string[]): [string, string][] => list.map((v) => [v, v]);

/** One labelled filter: "All …" (empty) first, then [value, label] options. */
function FilterSelect({ id, label, all, value, options, onChange }: { id: string; label: string; all: string; value: string; options: [string, string][]; onChange: (value: string) => void }) {
  return (
    <div className="inbox-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{all}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
