/**
 * What an execution is about — host, user, rule, severity, risk score, alert id — read once from its
 * event when it is created (docs/api.md "Summary"), so that list rows and the inbox never load or
 * search whole events. Alert fields are attacker-controlled: only strings and finite numbers are
 * taken, each cut to 200 characters.
 */
import type { ExecutionSummary, Severity } from '@flowgate/engine';
import { isPlainObject } from '@flowgate/template';

const MAX_CHARS = 200;

/** Where each field is looked for, first match wins: ECS, Kibana's alert fields, legacy signals, plain names. */
const PATHS = {
  host: ['host.name', 'host.hostname', 'kibana.alert.host.name', 'hostname', 'host'],
  user: ['user.name', 'kibana.alert.user.name', 'user'],
  rule: ['kibana.alert.rule.name', 'rule.name', 'signal.rule.name', 'rule_name'],
  severity: ['kibana.alert.severity', 'rule.severity', 'signal.rule.severity', 'event.severity_label', 'severity'],
  riskScore: ['kibana.alert.risk_score', 'kibana.alert.rule.risk_score', 'rule.risk_score', 'signal.rule.risk_score', 'risk_score', 'riskScore'],
  alertId: ['kibana.alert.uuid', '_id', 'alert.id', 'id'],
} as const;

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** The alert the summary describes: the first of `event.alerts`, else the event itself. */
function primaryAlert(event: unknown): Record<string, unknown> | null {
  if (!isPlainObject(event)) return null;
  const alerts = event.alerts;
  if (Array.isArray(alerts) && isPlainObject(alerts[0])) return { ...alerts[0], ...(alerts[0].rule === undefined && isPlainObject(event.rule) ? { rule: event.rule } : {}) };
  return event;
}

/**
 * The value at a dotted path, whether the document nests (`{host: {name}}`) or flattens
 * (`{"host.name": …}`, as Kibana's alert documents do) any part of it.
 */
export function readPath(doc: unknown, path: string): unknown {
  if (!isPlainObject(doc)) return undefined;
  if (Object.prototype.hasOwnProperty.call(doc, path)) return doc[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join('.');
    if (Object.prototype.hasOwnProperty.call(doc, head)) {
      const found = readPath(doc[head], parts.slice(i).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  return s === '' ? null : [...s].slice(0, MAX_CHARS).join('');
}

function firstText(doc: unknown, paths: readonly string[]): string | null {
  for (const p of paths) {
    const v = text(readPath(doc, p));
    if (v !== null) return v;
  }
  return null;
}

function firstNumber(doc: unknown, paths: readonly string[]): number | null {
  for (const p of paths) {
    const v = readPath(doc, p);
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return null;
}

/** Kibana's risk score bands (0–100): 99+ critical, 74+ high, 48+ medium, else low. */
export function severityOfRisk(score: number): Severity {
  return score >= 99 ? 'critical' : score >= 74 ? 'high' : score >= 48 ? 'medium' : 'low';
}

function severityOf(doc: unknown, riskScore: number | null): Severity | null {
  for (const p of PATHS.severity) {
    const v = text(readPath(doc, p))?.toLowerCase();
    if (v && (SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  }
  return riskScore === null ? null : severityOfRisk(riskScore);
}

/** The summary of an event (and, for a manual run, of its inputs when the event has nothing). */
export function summarizeEvent(event: unknown, inputs?: unknown): ExecutionSummary {
  const sources = [primaryAlert(event), isPlainObject(inputs) ? inputs : null].filter((d): d is Record<string, unknown> => d !== null);
  const pick = <T>(read: (doc: Record<string, unknown>) => T | null): T | null => {
    for (const doc of sources) {
      const v = read(doc);
      if (v !== null) return v;
    }
    return null;
  };
  const riskScore = pick((d) => firstNumber(d, PATHS.riskScore));
  return {
    host: pick((d) => firstText(d, PATHS.host)),
    user: pick((d) => firstText(d, PATHS.user)),
    rule: pick((d) => firstText(d, PATHS.rule)),
    severity: pick((d) => severityOf(d, riskScore)),
    riskScore,
    alertId: pick((d) => firstText(d, PATHS.alertId)),
  };
}
