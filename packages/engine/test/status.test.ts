/** Statuses (docs/semantics.md "Statuses"): which never change again, and the `?status=` filter of the API. */
import { ACTIVE_STATUSES, EXECUTION_STATUSES, isMoving, isTerminal, MOVING_STATUSES, parseStatusList, STEP_STATUSES } from '../src';

describe('isTerminal', () => {
  it('COMPLETED, FAILED, CANCELLED and SKIPPED are final; the rest are not', () => {
    const terminal = STEP_STATUSES.filter(isTerminal);
    expect(terminal.sort()).toEqual(['CANCELLED', 'COMPLETED', 'FAILED', 'SKIPPED']);
    expect(EXECUTION_STATUSES.filter((s) => !isTerminal(s))).toEqual(['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT']);
    expect(isTerminal('completed')).toBe(false);
  });
});

describe('active and moving statuses', () => {
  it('active: every execution status that may still change, in order (what the reconciler sweeps)', () => {
    expect(ACTIVE_STATUSES).toEqual(['PENDING', 'RUNNING', 'WAITING', 'WAITING_FOR_INPUT']);
  });

  it('moving: PENDING and RUNNING, whose continuation is queued or running; not the waits nor the finished', () => {
    expect(MOVING_STATUSES).toEqual(['PENDING', 'RUNNING']);
    expect(EXECUTION_STATUSES.filter(isMoving)).toEqual(['PENDING', 'RUNNING']);
    expect(isMoving('running')).toBe(false);
  });
});

describe('parseStatusList', () => {
  it('reads a comma list in any case, ignoring blanks and spaces', () => {
    expect(parseStatusList('running, Waiting_For_Input,,FAILED ,')).toEqual({ statuses: ['RUNNING', 'WAITING_FOR_INPUT', 'FAILED'], unknown: [] });
    expect(parseStatusList('')).toEqual({ statuses: [], unknown: [] });
  });

  it('returns unknown names as written (trimmed) so the API can name them; SKIPPED is a step status only', () => {
    expect(parseStatusList('running, Done ,skipped')).toEqual({ statuses: ['RUNNING'], unknown: ['Done', 'skipped'] });
  });
});
