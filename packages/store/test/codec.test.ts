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
});
