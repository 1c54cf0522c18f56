/**
 * Builds every Redis key Flowgate uses, in one place (docs/storage.md describes them).
 * All keys of one execution share the hash tag `{<executionId>}` so that, on a Redis Cluster, its
 * Lua scripts touch one shard. Indexes live outside that tag and are updated after each transition.
 */
export class Keys {
  constructor(readonly prefix = 'fg') {}

  // One execution (hash tag {id}).
  /** the execution's record and its step records (fields `s:<path>`) */
  execution(id: string): string { return `${this.prefix}:{${id}}:e`; }
  /** foreach items by container path, apart from the records so that loading records stays small */
  loopItems(id: string): string { return `${this.prefix}:{${id}}:i`; }
  /** every answer attempt to the execution's waits, the latest ones (a list, trimmed), apart from the records */
  responses(id: string): string { return `${this.prefix}:{${id}}:r`; }

  // Execution indexes: sorted sets of execution ids, score 0, ordered by id (ULIDs sort by creation time).
  // An unfiltered list merges the status sets: one index entry less per execution.
  byStatus(status: string): string { return `${this.prefix}:x:st:${status}`; }
  byWorkflow(workflowId: string): string { return `${this.prefix}:x:wf:${workflowId}`; }
  /** finished executions by finish time (score: finishedAt in ms): the retention sweep takes the oldest */
  finished(): string { return `${this.prefix}:x:fin`; }

  /**
   * An alert event that several executions share (one alert matching several workflows): hash
   * `json` (the event) and `refs` (how many executions still refer to it). Named by the first of them.
   */
  event(ref: string): string { return `${this.prefix}:ev:${ref}`; }

  /**
   * A single-use answer link (docs/api.md "Answer links"): hash of what the link may do, named by the
   * SHA-256 of its token (the token itself is never stored), expiring with the wait's deadline.
   */
  link(tokenHash: string): string { return `${this.prefix}:lk:${tokenHash}`; }

  // Workflows.
  workflow(id: string): string { return `${this.prefix}:wf:${id}`; }
  workflows(): string { return `${this.prefix}:wfs`; }
  workflowsRev(): string { return `${this.prefix}:wfs:rev`; }
  /** an immutable, content-addressed definition version */
  version(hash: string): string { return `${this.prefix}:wfv:${hash}`; }

  // Cases (hash tag {case id}).
  case(id: string): string { return `${this.prefix}:case:{${id}}`; }
  caseComments(id: string): string { return `${this.prefix}:case:{${id}}:c`; }
  /** observable id → observable JSON */
  caseObservables(id: string): string { return `${this.prefix}:case:{${id}}:o`; }
  /** sha1(typeKey \n value) → observable id: one observable per type and value, and the lookup of findSimilarCases */
  caseObservableValues(id: string): string { return `${this.prefix}:case:{${id}}:of`; }
  /** alertId → attached alert JSON */
  caseAlerts(id: string): string { return `${this.prefix}:case:{${id}}:a`; }
  /** eventId → attached event JSON */
  caseEvents(id: string): string { return `${this.prefix}:case:{${id}}:v`; }
  /** attachment id → attachment JSON (types other than comment, alert and event) */
  caseAttachments(id: string): string { return `${this.prefix}:case:{${id}}:t`; }
  /** op key `<executionId>/<stepPath>` → when that step wrote the case: a step run again writes once */
  caseOps(id: string): string { return `${this.prefix}:case:{${id}}:ops`; }
  /** the op key of the step that deleted the case, for 24 h: that step run again finds it done */
  caseTombstone(id: string): string { return `${this.prefix}:case:{${id}}:del`; }
  cases(): string { return `${this.prefix}:x:cases`; }
  // Case indexes (sorted sets of case ids, score: when the entry was added, ms), outside the cases' hash tags.
  casesByAlert(alertId: string): string { return `${this.prefix}:x:ca:${alertId}`; }
  /** by observable: `fp` is sha1(typeKey \n value), as in caseObservableValues */
  casesByObservable(fp: string): string { return `${this.prefix}:x:co:${fp}`; }
  casesByTag(tag: string): string { return `${this.prefix}:x:ct:${tag}`; }

  // Alert ingestion idempotency, per API key name.
  idempotency(keyName: string, key: string): string { return `${this.prefix}:idem:${keyName}:${key}`; }

  // Coordination.
  reconcilerLease(): string { return `${this.prefix}:lease:reconciler`; }
  /** the archive's state (hash), written by the worker that sweeps, read by the API's /api/health and /metrics */
  archiveStatus(): string { return `${this.prefix}:archive`; }
  cancelChannel(): string { return `${this.prefix}:cancel`; }

  // Cluster-wide /metrics counters (SharedMetrics): hashes `steps`, `stepdur`, `stepdur_sum`, `finished`.
  metrics(hash: string): string { return `${this.prefix}:m:${hash}`; }

  /**
   * BullMQ's key prefix (its keys are `<prefix>:<queue>:<suffix>`). On a Cluster the prefix is a hash
   * tag: BullMQ's scripts need each queue's keys in one slot (all the queues share it).
   */
  queuePrefix(cluster: boolean): string { return cluster ? `{${this.prefix}q}` : `${this.prefix}q`; }
}
