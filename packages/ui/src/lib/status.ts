/** Execution statuses (docs/semantics.md "Statuses"), typed against docs/openapi.yaml's ExecutionStatus. */
import type { ExecutionStatus } from './api';

/**
 * Every status, with whether it is terminal (it never changes again). A Record over the generated enum:
 * a status added to (or removed from) docs/openapi.yaml fails typecheck here until it is listed.
 */
const TERMINAL_BY_STATUS: Record<ExecutionStatus, boolean> = {
  PENDING: false,
  RUNNING: false,
  WAITING: false,
  WAITING_FOR_INPUT: false,
  COMPLETED: true,
  FAILED: true,
  CANCELLED: true,
};

/** Every execution status, in lifecycle order (the filters of the executions list). */
export const EXECUTION_STATUSES = Object.keys(TERMINAL_BY_STATUS) as readonly ExecutionStatus[];

export const isExecutionStatus = (s: string): s is ExecutionStatus => Object.prototype.hasOwnProperty.call(TERMINAL_BY_STATUS, s);

/** COMPLETED, FAILED and CANCELLED: the execution will not change again (no more polling, no cancel). */
export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_BY_STATUS[status];
}
