/**
 * What the execution is about, first: host, user, rule, severity, risk score, alert id (the API's
 * `summary`, read once from the event) and the case it opened. Shown above the steps at every width.
 */
import { useId, type ReactNode } from 'react';
import type { Execution, StepRecord, Summary } from '../lib/api';
import { Link } from '../lib/router';
import { alertOf, isObject, scalarText } from './values';
import './execution.css';

const SEVERITY_TONE: Record<string, string> = { critical: 'exec-sev-critical', high: 'exec-sev-high', medium: 'exec-sev-medium', low: 'exec-sev-low' };

/** Reads a dotted path in an object whose keys may be nested or dotted ("kibana.alert.rule.name"). */
function pick(obj: unknown, path: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  const i = path.indexOf('.');
  if (i < 0) return obj[path];
  for (let j = i; j > 0; j = path.indexOf('.', j + 1)) {
    const head = path.slice(0, j);
    if (isObject(obj[head])) {
      const v = pick(obj[head], path.slice(j + 1));
      if (v !== undefined) return v;
    }
    if (path.indexOf('.', j + 1) < 0) break;
  }
  return undefined;
}

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : Array.isArray(v) ? v.map(scalarText).join(', ') : scalarText(v));

/** The API's summary; for an execution stored before summaries existed, the same fields read from its event. */
export function summaryOf(exec: Pick<Execution, 'event'> & { summary?: Summary | null }): Summary {
  const s = exec.summary;
  if (s && (s.host || s.user || s.rule || s.severity || s.riskScore !== null || s.alertId)) return s;
  const alert = alertOf(exec.event) ?? {};
  const rule = isObject(exec.event) && isObject(exec.event.rule) ? exec.event.rule : undefined;
  const sev = text(pick(alert, 'kibana.alert.severity') ?? pick(rule, 'severity') ?? pick(alert, 'severity'));
  const risk = Number(pick(alert, 'kibana.alert.risk_score') ?? pick(rule, 'risk_score') ?? pick(alert, 'risk_score'));
  return {
    host: text(pick(alert, 'host.name') ?? pick(alert, 'host.hostname')),
    user: text(pick(alert, 'user.name')),
    rule: text(pick(rule, 'name') ?? pick(alert, 'kibana.alert.rule.name') ?? pick(alert, 'rule.name')),
    severity: sev && ['critical', 'high', 'medium', 'low'].includes(sev.toLowerCase()) ? (sev.toLowerCase() as Summary['severity']) : null,
    riskScore: Number.isFinite(risk) && pick(alert, 'kibana.alert.risk_score') !== undefined ? risk : null,
    alertId: text(pick(alert, 'kibana.alert.uuid') ?? pick(alert, '_id') ?? pick(alert, 'id')),
  };
}

/** The case a cases.createCase step of the run opened: its id and title. */
export function openedCase(steps: StepRecord[]): { id: string; title: string | null } | null {
  for (const s of steps) {
    if (s.type !== 'cases.createCase' || s.status !== 'COMPLETED' || !isObject(s.output) || !isObject(s.output.case)) continue;
    const c = s.output.case;
    if (typeof c.id === 'string' && c.id) return { id: c.id, title: typeof c.title === 'string' ? c.title : null };
  }
  return null;
}

export function SummaryBar({ summary, caseRef }: { summary: Summary; caseRef: { id: string; title: string | null } | null }) {
  const headingId = useId();
  const items: { label: string; value: ReactNode; key: string; wide?: boolean }[] = [];
  if (summary.host) items.push({ key: 'host', label: 'Host', value: <strong className="summary-host">{summary.host}</strong> });
  if (summary.rule) items.push({ key: 'rule', label: 'Rule', value: summary.rule, wide: true });
  if (summary.severity) items.push({ key: 'severity', label: 'Severity', value: <span className={`exec-sev ${SEVERITY_TONE[summary.severity] ?? ''}`}>{summary.severity.charAt(0).toUpperCase() + summary.severity.slice(1)}</span> });
  if (summary.user) items.push({ key: 'user', label: 'User', value: summary.user });
  if (summary.riskScore !== null && summary.riskScore !== undefined) items.push({ key: 'risk', label: 'Risk score', value: String(summary.riskScore) });
  if (summary.alertId) items.push({ key: 'alert', label: 'Alert id', value: <span className="mono">{summary.alertId}</span> });
  if (caseRef)
    items.push({
      key: 'case',
      label: 'Case',
      value: (
        <Link to={`/cases/${encodeURIComponent(caseRef.id)}`} title={caseRef.title ?? undefined}>
          {caseRef.title ?? caseRef.id}
        </Link>
      ),
      wide: true,
    });
  if (!items.length) return null;
  return (
    <section className="summary-bar card" aria-labelledby={headingId}>
      <h2 id={headingId} className="sr-only">
        Summary
      </h2>
      <dl className="summary-items">
        {items.map((i) => (
          <div key={i.key} className={`summary-item${i.wide ? ' summary-wide' : ''}`} data-field={i.key}>
            <dt>{i.label}</dt>
            <dd className="break">{i.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
