/**
 * The shapes of Flowgate's cases (docs/api.md "Cases") and the bounds that keep each case's keys
 * small (docs/storage.md "Cases"). Field names follow Kibana's case attachments where they have one
 * (`typeKey`, `alertId`, `eventId`, `uid`), so that Kibana workflows read the same fields here.
 */

export const CASE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const CASE_STATUSES = ['open', 'in-progress', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** How much one case may hold; a write that would pass a bound fails, naming it. */
export const CASE_LIMITS = {
  observables: 1000,
  alerts: 1000,
  events: 1000,
  /** attachments other than comments, alerts and events */
  attachments: 1000,
  tags: 200,
  tagLength: 256,
  /** Kibana's limit */
  assignees: 10,
  customFields: 50,
  /** an alertId, eventId, index, uid, custom field key or category: they name index keys and fields */
  idLength: 512,
  /** an observable's value */
  valueLength: 4096,
} as const;

/** What the list, createCase and setStatus answer: the case's own fields. */
export interface Case {
  id: string;
  title: string;
  description: string | null;
  severity: string;
  status: CaseStatus;
  tags: string[];
  executionId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseComment {
  id: string;
  case_id: string;
  comment: string;
  author: string;
  createdAt: string;
}

/** Kibana's observable: `typeKey` is e.g. `observable-type-ipv4` (any non-empty key is kept). */
export interface CaseObservable {
  id: string;
  typeKey: string;
  value: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseAlert {
  alertId: string;
  index: string;
  rule: { id: string | null; name: string | null } | null;
  attachedAt: string;
}

export interface CaseEvent {
  eventId: string;
  index: string;
  attachedAt: string;
}

/** An attachment of another type than comment, alert or event (cases.addAttachments), kept as given. */
export interface CaseAttachment {
  id: string;
  type: string;
  data: Record<string, unknown>;
  attachedAt: string;
}

export interface CaseAssignee {
  uid: string;
}

export type CustomFieldValue = string | number | boolean | null;

export interface CaseCustomField {
  key: string;
  type: string;
  value: CustomFieldValue;
}

/** A case as the cases.* steps of Kibana's catalog answer it: its fields, observables and counts. */
export interface CaseDetail extends Case {
  assignees: CaseAssignee[];
  category: string | null;
  customFields: CaseCustomField[];
  closedAt: string | null;
  observables: CaseObservable[];
  totalAlerts: number;
  totalEvents: number;
  totalComment: number;
  totalAttachments: number;
}

/** A case with everything attached: `GET /api/cases/{id}` and cases.getCase. */
export interface CaseFull extends CaseDetail {
  comments: CaseComment[];
  alerts: CaseAlert[];
  events: CaseEvent[];
  attachments: CaseAttachment[];
}

/** A write the case refuses (a bound passed, an observable that is not there): the message names it. */
export class CaseInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseInputError';
  }
}
