/** Execution and step statuses (docs/semantics.md "Statuses"). A terminal status never changes again. */
export const EXECUTION_STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const STEP_STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT', 'COMPLETED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const TERMINAL = new Set<string>(['COMPLETED', 'FAILED', 'CANCELLED', 'SKIPPED']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** The execution statuses that may still change, in EXECUTION_STATUSES order (the reconciler sweeps them). */
export const ACTIVE_STATUSES: readonly ExecutionStatus[] = EXECUTION_STATUSES.filter((s) => !isTerminal(s));

/** Active and not waiting: the execution's continuation (`next`) is queued or running. */
export const MOVING_STATUSES: readonly ExecutionStatus[] = ['PENDING', 'RUNNING'];

export function isMoving(status: string): boolean {
  return (MOVING_STATUSES as readonly string[]).includes(status);
}

/** Parses `running,waiting_for_input` (any case) into statuses; unknown names are returned in `unknown`. */
export function parseStatusList(text: string): { statuses: ExecutionStatus[]; unknown: string[] } {
  const statuses: ExecutionStatus[] = [];
  const unknown: string[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim().toUpperCase();
    if (s === '') continue;
    if ((EXECUTION_STATUSES as readonly string[]).includes(s)) statuses.push(s as ExecutionStatus);
    else unknown.push(raw.trim());
  }
  return { statuses, unknown };
}
