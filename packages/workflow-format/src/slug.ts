/** Workflow ids (docs/workflows.md): not in the YAML; the name made into a slug when no id is given. */

export const WORKFLOW_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,127}$/;

/** Ids that collide with API routes (`/api/workflows/validate`, `/api/workflows/executions/...`). */
export const RESERVED_WORKFLOW_IDS: readonly string[] = Object.freeze(['validate', 'executions']);

/**
 * The slug (docs/workflows.md "Top-level keys"): NFKD, non-ASCII dropped, lower case, every run of characters outside `[a-z0-9]`
 * becomes `-`, `-` trimmed at both ends, cut to 128. May return '' (the caller answers 400).
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128);
}

/** True when `id` matches WORKFLOW_ID_PATTERN and is not reserved. */
export function isValidWorkflowId(id: string): boolean {
  return WORKFLOW_ID_PATTERN.test(id) && !RESERVED_WORKFLOW_IDS.includes(id);
}
