/** The execution record's compact encoding reads back exactly as it was written. */
import type { ExecutionState } from '@flowgate/engine';
import { APPROVAL_SCHEMA } from '@flowgate/workflow-format';
import { decodeExecution, encodeExecution } from '../src';

function roundTrip(partial: Partial<ExecutionState>): ExecutionState {
  const flat = encodeExecution({ status: 'RUNNING', ...partial });
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return decodeExecution('01X', hash)!;
}

describe('execution codec', () => {
  it.each([
    ['rule copied from alerts[0]', { alerts: [{ host: { name: 'h' }, rule: { id: 'r', tags: ['a'] } }], rule: { id: 'r', tags: ['a'] } }],
    ['a rule of its own', { alerts: [{ rule: { id: 'r' } }], rule: { id: 'other' } }],
    ['no rule anywhere', { alerts: [{ host: { name: 'h' } }] }],
    ['a null rule', { alerts: [{ rule: null }], rule: null }],
    ['not an alert event', {}],
  ])('keeps the event as it was: %s', (_name, event) => {
    expect(roundTrip({ event }).event).toEqual(event);
  });

  it('stores only what waitingFor cannot derive, and reads it back whole', () => {
    const approval = { step: 'gate/review', name: 'review', type: 'waitForApproval', message: 'ok?', schema: APPROVAL_SCHEMA, since: 5, approveLabel: 'Isolate', rejectLabel: 'Reject' };
    const flat = encodeExecution({ waitingFor: approval });
    expect(flat[1]).not.toContain('properties');
    expect(roundTrip({ waitingFor: approval }).waitingFor).toEqual(approval);
    const input = { step: 'ask', name: 'ask', type: 'waitForInput', message: 'm', schema: { type: 'object', properties: { a: { type: 'array', items: {} } } }, since: 7 };
    expect(roundTrip({ waitingFor: input }).waitingFor).toEqual(input);
    expect(roundTrip({ waitingFor: null }).waitingFor).toBeNull();
  });

  it('keeps the queue fields of a wait (deadline, what it does, the AI verdict) and of the execution (summary, links, answer)', () => {
    const ai = { step: 'classify', category: 'likely_benign', confidence: 0.82, rationale: 'signed binary' };
    const wait = { step: 'ask', name: 'ask', type: 'waitForInput', message: 'm', schema: null, since: 7, deadline: 3_600_007, onDeadline: 'fail' as const, ai };
    expect(roundTrip({ waitingFor: wait }).waitingFor).toEqual(wait);
    // settings.timeout's deadline is the execution's own: not stored twice (the view derives it).
    const cancels = { ...wait, deadline: 7_200_000, onDeadline: 'cancel' as const };
    const back0 = roundTrip({ waitingFor: cancels, deadline: 7_200_000 });
    expect(back0.deadline).toBe(7_200_000);
    expect(back0.waitingFor).toEqual({ step: 'ask', name: 'ask', type: 'waitForInput', message: 'm', schema: null, since: 7, ai });
    const summary = { host: 'web-01', user: 'alice', rule: 'Encoded PowerShell', severity: 'high' as const, riskScore: 73, alertId: 'a-1' };
    const back = roundTrip({ summary, group: 'a-1', rerunOf: '01OLD', reruns: ['01NEW'], answeredBy: { by: 'alice', at: 9, step: 'ask', channel: 'ui' }, cancellation: { reason: 'user', by: 'bob', at: 5, comment: 'duplicate' } });
    expect(back).toMatchObject({ summary, group: 'a-1', rerunOf: '01OLD', reruns: ['01NEW'], answeredBy: { by: 'alice', at: 9, step: 'ask', channel: 'ui' }, cancellation: { comment: 'duplicate' } });
    expect(roundTrip({}).summary).toBeNull();
  });
});
