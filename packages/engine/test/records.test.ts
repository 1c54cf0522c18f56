/** Step records as they are first written, and the loop iteration a record belongs to. */
import { innermostIteration, newStepRecord } from '../src';

describe('newStepRecord', () => {
  it('starts PENDING with nothing run yet', () => {
    expect(newStepRecord({ name: 'isolate', path: 'hosts[1]/isolate', type: 'http', seq: 4, iteration: 1 })).toEqual({
      name: 'isolate',
      path: 'hosts[1]/isolate',
      type: 'http',
      status: 'PENDING',
      iteration: 1,
      seq: 4,
      input: null,
      output: null,
      error: null,
      attempts: 0,
      startedAt: null,
      finishedAt: null,
    });
  });

  it('takes a given status (a step skipped by its `if`)', () => {
    expect(newStepRecord({ name: 'a', path: 'a', type: 'console', seq: 0, iteration: null, status: 'SKIPPED' }).status).toBe('SKIPPED');
  });
});

describe('innermostIteration', () => {
  it('is the last [i] of the path, or null outside loops', () => {
    expect(innermostIteration('a[2]/b[0]/c')).toBe(0);
    expect(innermostIteration('hosts[12]/isolate/fallback/page')).toBe(12);
    expect(innermostIteration('review')).toBeNull();
  });
});
