/** Step paths and step keys (docs/workflows.md "Step paths"): how a step run is named in records, jobs and continuations. */
import { formatPath, joinPath, parsePath, parseStepKey, stepKey } from '../src';

describe('parsePath / formatPath', () => {
  it('reads names, foreach iterations and fallback segments, and writes them back unchanged', () => {
    expect(parsePath('review')).toEqual([{ name: 'review' }]);
    expect(parsePath('hosts[0]/isolate/fallback/notify')).toEqual([{ name: 'hosts', iteration: 0 }, { name: 'isolate' }, { name: 'fallback' }, { name: 'notify' }]);
    for (const path of ['review', 'hosts[2]/isolate', 'isolate/fallback/notify', 'a[1]/b[22]/c', 'step-1_x']) expect(formatPath(parsePath(path))).toBe(path);
  });

  it('refuses what is not a path: empty segments, the job-key separators, bad iterations', () => {
    for (const bad of ['', 'a//b', '/a', 'a/', 'a:b', 'a#1', 'a[x]', 'a[]', 'a[-1]', 'a[1]b', 'a\tb']) {
      expect(() => parsePath(bad)).toThrow(`invalid step path "${bad}"`);
    }
  });

  it('reads names with spaces, as Kibana allows them (`open ticket`)', () => {
    expect(parsePath('each host[1]/open ticket')).toEqual([{ name: 'each host', iteration: 1 }, { name: 'open ticket' }]);
    expect(formatPath(parsePath('each host[1]/open ticket'))).toBe('each host[1]/open ticket');
  });

  it('formats iteration 0 (not dropped as falsy)', () => {
    expect(formatPath([{ name: 'loop', iteration: 0 }, { name: 'x' }])).toBe('loop[0]/x');
  });
});

describe('joinPath', () => {
  it('puts a child under its scope, or at the top', () => {
    expect(joinPath('', 'first')).toBe('first');
    expect(joinPath('check', 't')).toBe('check/t');
    expect(joinPath('hosts[1]', 'isolate')).toBe('hosts[1]/isolate');
  });
});

describe('stepKey / parseStepKey', () => {
  it('round-trips a path and attempt', () => {
    expect(stepKey('hosts[2]/isolate', 3)).toBe('hosts[2]/isolate#3');
    expect(parseStepKey('hosts[2]/isolate#3')).toEqual({ path: 'hosts[2]/isolate', attempt: 3 });
    expect(parseStepKey(stepKey('a/fallback/b', 1))).toEqual({ path: 'a/fallback/b', attempt: 1 });
  });

  it('a key without an attempt gives a NaN attempt, which no job has', () => {
    expect(parseStepKey('review').attempt).toBeNaN();
  });
});
