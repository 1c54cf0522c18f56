/**
 * A case hash (`fg:case:{<id>}`) as read back: its own fields, then the fields of Kibana's catalog
 * (assignees, category, custom fields `cf:<key>`, closedAt) that cases written before them lack.
 */
import type { Case, CaseCustomField, CaseDetail, CaseObservable, CaseStatus } from './case-types';

export type CaseHash = Record<string, string>;

export function hashOf(flat: string[]): CaseHash {
  const h: CaseHash = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
  return h;
}

function jsonList(text: string | undefined): unknown[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export function decodeCase(h: CaseHash): Case {
  return {
    id: h.id,
    title: h.title,
    description: h.description === '' || h.description === undefined ? null : h.description,
    severity: h.severity,
    status: h.status as CaseStatus,
    tags: jsonList(h.tags).map(String),
    executionId: h.executionId || null,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}

/** The custom fields, by key (`cf:<key>` fields hold each entry as JSON). */
function customFieldsOf(h: CaseHash): CaseCustomField[] {
  const out: CaseCustomField[] = [];
  for (const [field, text] of Object.entries(h)) {
    if (!field.startsWith('cf:')) continue;
    try {
      out.push(JSON.parse(text) as CaseCustomField);
    } catch {
      // a field that is not JSON was not written by Flowgate: not shown
    }
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export interface CaseCounts {
  comments: number;
  alerts: number;
  events: number;
  attachments: number;
}

export function decodeDetail(h: CaseHash, observableJson: string[], counts: CaseCounts): CaseDetail {
  const stored = observableJson.map((j) => JSON.parse(j) as CaseObservable & { _n?: number });
  stored.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a._n ?? 0) - (b._n ?? 0) || a.id.localeCompare(b.id));
  const observables = stored.map(({ _n, ...o }) => o);
  return {
    ...decodeCase(h),
    assignees: jsonList(h.assignees).map((uid) => ({ uid: String(uid) })),
    category: h.category ? h.category : null,
    customFields: customFieldsOf(h),
    closedAt: h.closedAt || null,
    observables,
    totalAlerts: counts.alerts,
    totalEvents: counts.events,
    totalComment: counts.comments,
    totalAttachments: counts.attachments,
  };
}
