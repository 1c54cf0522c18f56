/** docs/api.md "Summary": what an execution is about, read from attacker-controlled alert fields. */
import fc from 'fast-check';
import { newStepRecord, type StepRecord } from '@flowgate/engine';
import { aiVerdict, readPath, severityOfRisk, summarizeEvent, waitDeadline } from '../src';

describe('summarizeEvent', () => {
  it('reads the first alert, nested or flattened, and the event-level rule copy', () => {
    expect(summarizeEvent({ alerts: [{ host: { name: 'a' }, user: { name: 'u' } }, { host: { name: 'b' } }], rule: { name: 'R', severity: 'HIGH' } })).toEqual({
      host: 'a',
      user: 'u',
      rule: 'R',
      severity: 'high',
      riskScore: null,
      alertId: null,
    });
    expect(summarizeEvent({ 'kibana.alert': { 'rule.name': 'mixed' }, 'host.name': 'flat' })).toMatchObject({ rule: 'mixed', host: 'flat' });
    expect(readPath({ kibana: { 'alert.uuid': 'x' } }, 'kibana.alert.uuid')).toBe('x');
  });

  it('bands a risk score as Kibana does when no severity is given', () => {
    expect([100, 99, 98, 74, 73, 48, 47, 0].map(severityOfRisk)).toEqual(['critical', 'critical', 'high', 'high', 'medium', 'medium', 'low', 'low']);
    expect(summarizeEvent({ risk_score: '75' })).toMatchObject({ severity: 'high', riskScore: 75 });
    expect(summarizeEvent({ severity: 'bogus', risk_score: 10 })).toMatchObject({ severity: 'low' });
  });

  it('falls back to the inputs of a manual run', () => {
    expect(summarizeEvent({}, { host: 'web-01', severity: 'critical' })).toMatchObject({ host: 'web-01', severity: 'critical' });
  });

  it('takes only text and finite numbers, at most 200 characters, from any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (event, inputs) => {
        const s = summarizeEvent(event, inputs);
        for (const k of ['host', 'user', 'rule', 'alertId'] as const) {
          expect(s[k] === null || (typeof s[k] === 'string' && [...s[k]!].length <= 200 && s[k] !== '')).toBe(true);
        }
        expect(s.riskScore === null || Number.isFinite(s.riskScore)).toBe(true);
        expect([null, 'critical', 'high', 'medium', 'low']).toContain(s.severity);
      }),
    );
    expect(summarizeEvent({ host: { name: 'x'.repeat(5000) }, user: { name: { $gt: '' } } })).toMatchObject({ host: 'x'.repeat(200), user: null });
  });
});

describe('wait context', () => {
  const rec = (path: string, type: string, seq: number, output: unknown): StepRecord => ({ ...newStepRecord({ name: path, path, type, seq, iteration: null, status: 'COMPLETED' }), output });

  it('takes the latest ai.* verdict before the wait, else a step whose output looks like one', () => {
    const records = [
      rec('classify', 'ai.classify', 0, { category: 'needs_review', confidence: 0.4 }),
      rec('enrich', 'data.set', 1, { category: 'likely_benign', rationale: 'r' }),
      rec('later', 'ai.classify', 5, { category: 'after the wait' }),
    ];
    expect(aiVerdict(records, 3)).toEqual({ step: 'classify', category: 'needs_review', confidence: 0.4, rationale: null });
    expect(aiVerdict(records.slice(1), 3)).toEqual({ step: 'enrich', category: 'likely_benign', confidence: null, rationale: 'r' });
    expect(aiVerdict([rec('plain', 'data.set', 0, { category: 'x' })], 3)).toBeNull(); // a category alone is not a verdict
    expect(aiVerdict([rec('long', 'ai.prompt', 0, { category: 'c', rationale: 'y'.repeat(1000) })], 3)!.rationale).toHaveLength(300);
  });

  it('picks the earlier deadline: the step fails, or the execution is cancelled', () => {
    expect(waitDeadline(1000, 500, { deadline: 2000 })).toEqual({ deadline: 1500, onDeadline: 'fail' });
    expect(waitDeadline(1000, 5000, { deadline: 2000 })).toEqual({ deadline: 2000, onDeadline: 'cancel' });
    expect(waitDeadline(1000, undefined, { deadline: null })).toEqual({ deadline: null, onDeadline: null });
  });
});
