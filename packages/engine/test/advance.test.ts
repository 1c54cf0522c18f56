/**
 * What runs next (advanceAfter, enterContainer) and what a failure leads to (decideFailure, retryDelay):
 * the decisions an execution's course follows, on hand-made definitions, without Redis.
 */
import { advanceAfter, decideFailure, enterContainer, leaveIteration, retryDelay, StepError, parsePath, formatPath } from '../src';
import { plan, s } from './definitions';

const noLoops = { loopTotal: () => 0 };

describe('step paths', () => {
  it('parses and formats names, iterations and fallbacks', () => {
    expect(parsePath('hosts[2]/isolate')).toEqual([{ name: 'hosts', iteration: 2 }, { name: 'isolate' }]);
    expect(formatPath(parsePath('a/b[10]/fallback/c'))).toBe('a/b[10]/fallback/c');
    expect(() => parsePath('a:b')).toThrow('invalid step path');
  });
});

describe('advanceAfter', () => {
  it('goes to the next sibling, then ends', () => {
    const p = plan([s('a'), s('b')]);
    expect(advanceAfter(p, 'a', noLoops)).toEqual({ next: 'b', closed: [] });
    expect(advanceAfter(p, 'b', noLoops)).toEqual({ next: null, closed: [] });
  });

  it('closes an if branch and continues after the container', () => {
    const p = plan([s('check', 'if', { condition: 'true', steps: [s('t1'), s('t2')], else: [s('e1')] }), s('after')]);
    expect(advanceAfter(p, 'check/t1', noLoops)).toEqual({ next: 'check/t2', closed: [] });
    expect(advanceAfter(p, 'check/t2', noLoops)).toEqual({ next: 'after', closed: ['check'] });
    expect(advanceAfter(p, 'check/e1', noLoops)).toEqual({ next: 'after', closed: ['check'] });
  });

  it('runs foreach iterations in order, then closes the loop', () => {
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [s('isolate'), s('note')] }), s('done')]);
    const three = { loopTotal: (path: string) => (path === 'hosts' ? 3 : 0) };
    expect(advanceAfter(p, 'hosts[0]/isolate', three).next).toBe('hosts[0]/note');
    expect(advanceAfter(p, 'hosts[0]/note', three)).toEqual({ next: 'hosts[1]/isolate', closed: [] });
    expect(advanceAfter(p, 'hosts[2]/note', three)).toEqual({ next: 'done', closed: ['hosts'] });
  });

  it('handles nested loops inside a switch', () => {
    const inner = s('inner', 'foreach', { foreach: '[]', steps: [s('leaf')] });
    const outer = s('outer', 'foreach', { foreach: '[]', steps: [inner] });
    const p = plan([s('route', 'switch', { expression: 'x', cases: [{ match: 'x', steps: [outer] }] }), s('end')]);
    const totals = { loopTotal: (path: string) => (path === 'route/outer' ? 2 : path.endsWith('inner') ? 2 : 0) };
    expect(advanceAfter(p, 'route/outer[0]/inner[0]/leaf', totals).next).toBe('route/outer[0]/inner[1]/leaf');
    expect(advanceAfter(p, 'route/outer[0]/inner[1]/leaf', totals)).toEqual({ next: 'route/outer[1]/inner', closed: ['route/outer[0]/inner'] });
    expect(advanceAfter(p, 'route/outer[1]/inner[1]/leaf', totals)).toEqual({ next: 'end', closed: ['route/outer[1]/inner', 'route/outer', 'route'] });
  });

  it('ends a fallback list by failing the execution, or continuing under continue: true', () => {
    const failing = plan([s('isolate', 'http', { onFailure: { fallback: [s('notify'), s('note')] } }), s('after')]);
    expect(advanceAfter(failing, 'isolate/fallback/notify', noLoops).next).toBe('isolate/fallback/note');
    expect(advanceAfter(failing, 'isolate/fallback/note', noLoops)).toEqual({ next: null, closed: [], failedOwner: 'isolate' });
    const continuing = plan([s('isolate', 'http', { onFailure: { fallback: [s('notify')], continue: true } }), s('after')]);
    expect(advanceAfter(continuing, 'isolate/fallback/notify', noLoops)).toEqual({ next: 'after', closed: [] });
  });
});

describe('enterContainer', () => {
  const ifStep = s('check', 'if', { condition: 'x', steps: [s('t')], else: [s('e')] });
  it('picks the branch', () => {
    expect(enterContainer(ifStep, 'check', { type: 'if', branch: 'then' })).toBe('check/t');
    expect(enterContainer(ifStep, 'check', { type: 'if', branch: 'else' })).toBe('check/e');
    expect(enterContainer(s('c', 'if', { condition: 'x', steps: [s('t2')] }), 'c', { type: 'if', branch: 'else' })).toBeNull();
  });
  it('enters the first iteration of a loop, or nothing for an empty one', () => {
    const loop = s('l', 'foreach', { foreach: '[]', steps: [s('x')] });
    expect(enterContainer(loop, 'a/l', { type: 'foreach', total: 2 })).toBe('a/l[0]/x');
    expect(enterContainer(loop, 'l', { type: 'foreach', total: 0 })).toBeNull();
  });
  it('picks the switch case or the default', () => {
    const sw = s('sw', 'switch', { expression: 'e', cases: [{ match: 'a', steps: [s('ca')] }], default: [s('d')] });
    expect(enterContainer(sw, 'sw', { type: 'switch', caseIndex: 0 })).toBe('sw/ca');
    expect(enterContainer(sw, 'sw', { type: 'switch', caseIndex: 'default' })).toBe('sw/d');
    expect(enterContainer(sw, 'sw', { type: 'switch', caseIndex: null })).toBeNull();
  });
});

describe('decideFailure', () => {
  const retry = { maxAttempts: 3, delayMs: 1000, strategy: 'exponential' as const, multiplier: 2, maxDelayMs: 3000 };
  const network = new StepError('network', 'ECONNREFUSED', { retryable: true });
  const template = new StepError('template_error', 'bad');

  it('retries retryable errors up to max-attempts with exponential delays capped by max-delay', () => {
    const p = plan([s('call', 'http', { onFailure: { retry } })]);
    expect(decideFailure(p, 'call', 1, network)).toEqual({ kind: 'retry', attempt: 2, delayMs: 1000 });
    expect(decideFailure(p, 'call', 2, network)).toEqual({ kind: 'retry', attempt: 3, delayMs: 2000 });
    expect(decideFailure(p, 'call', 3, network)).toEqual({ kind: 'fail' });
    expect(retryDelay(retry, 5)).toBe(3000);
  });

  it('never retries a non-retryable error; falls back, then continues', () => {
    const p = plan([s('call', 'http', { onFailure: { retry, fallback: [s('fb')], continue: true } })]);
    expect(decideFailure(p, 'call', 1, template)).toEqual({ kind: 'fallback', next: 'call/fallback/fb' });
    const q = plan([s('call', 'http', { onFailure: { continue: true } })]);
    expect(decideFailure(q, 'call', 1, template)).toEqual({ kind: 'continue' });
  });

  it('applies settings.on-failure to action steps only, not inside fallbacks, and a step’s own wins', () => {
    const p = plan(
      [s('a', 'http', { onFailure: { fallback: [s('inner', 'http')] } }), s('b', 'http'), s('w', 'waitForInput'), s('c', 'if', { condition: 'x', steps: [s('d')] })],
      { onFailure: { continue: true } },
    );
    expect(decideFailure(p, 'b', 1, template)).toEqual({ kind: 'continue' });
    expect(decideFailure(p, 'a', 1, template)).toEqual({ kind: 'fallback', next: 'a/fallback/inner' });
    expect(decideFailure(p, 'a/fallback/inner', 1, template)).toEqual({ kind: 'fail' });
    expect(decideFailure(p, 'w', 1, template)).toEqual({ kind: 'fail' });
    expect(decideFailure(p, 'c', 1, template)).toEqual({ kind: 'fail' });
  });

  it('never retries a foreach (Kibana on-failure on a loop): its fallback applies at once', () => {
    const p = plan([s('loop', 'foreach', { foreach: [1, 2], steps: [s('each', 'http')], onFailure: { retry, fallback: [s('fb')] } })]);
    expect(decideFailure(p, 'loop', 1, network)).toEqual({ kind: 'fallback', next: 'loop/fallback/fb' });
  });

  it('workflow.fail is not catchable', () => {
    const p = plan([s('stop', 'workflow.fail', { onFailure: { continue: true } })]);
    expect(decideFailure(p, 'stop', 1, new StepError('workflow_fail', 'no'))).toEqual({ kind: 'fail' });
  });
});

describe('advanceAfter: more shapes', () => {
  it('the last top-level step ends the execution, whatever the loops', () => {
    const p = plan([s('only')]);
    expect(advanceAfter(p, 'only', { loopTotal: () => 5 })).toEqual({ next: null, closed: [] });
  });

  it('closes nested branches innermost first and ends when the outer container was last', () => {
    const inner = s('inner', 'if', { condition: 'x', steps: [s('leaf')] });
    const p = plan([s('outer', 'if', { condition: 'y', steps: [s('first'), inner] })]);
    expect(advanceAfter(p, 'outer/first', noLoops)).toEqual({ next: 'outer/inner', closed: [] });
    expect(advanceAfter(p, 'outer/inner/leaf', noLoops)).toEqual({ next: null, closed: ['outer/inner', 'outer'] });
  });

  it('a switch default and a switch case both close the switch and go on after it', () => {
    const p = plan([s('route', 'switch', { expression: 'e', cases: [{ match: 'a', steps: [s('ca')] }], default: [s('d1'), s('d2')] }), s('after')]);
    expect(advanceAfter(p, 'route/ca', noLoops)).toEqual({ next: 'after', closed: ['route'] });
    expect(advanceAfter(p, 'route/d1', noLoops)).toEqual({ next: 'route/d2', closed: [] });
    expect(advanceAfter(p, 'route/d2', noLoops)).toEqual({ next: 'after', closed: ['route'] });
  });

  it('a loop of one item closes after its only iteration; the item count is asked of the loop at its own path', () => {
    const p = plan([s('pre'), s('loop', 'foreach', { foreach: '[]', steps: [s('body')] })]);
    const asked: string[] = [];
    const one = { loopTotal: (path: string) => (asked.push(path), 1) };
    expect(advanceAfter(p, 'loop[0]/body', one)).toEqual({ next: null, closed: ['loop'] });
    expect(asked).toEqual(['loop']);
  });

  it('a loop inside an if branch: the next iteration keeps the branch in its path; the last closes loop and branch', () => {
    const loop = s('hosts', 'foreach', { foreach: '[]', steps: [s('isolate')] });
    const p = plan([s('check', 'if', { condition: 'x', steps: [loop] }), s('report')]);
    const two = { loopTotal: (path: string) => (path === 'check/hosts' ? 2 : 0) };
    expect(advanceAfter(p, 'check/hosts[0]/isolate', two)).toEqual({ next: 'check/hosts[1]/isolate', closed: [] });
    expect(advanceAfter(p, 'check/hosts[1]/isolate', two)).toEqual({ next: 'report', closed: ['check/hosts', 'check'] });
  });

  it('a fallback that ends under continue goes on with the owner\'s next sibling in the same loop iteration', () => {
    const isolate = s('isolate', 'http', { onFailure: { fallback: [s('page')], continue: true } });
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [isolate, s('note')] })]);
    const two = { loopTotal: () => 2 };
    expect(advanceAfter(p, 'hosts[1]/isolate/fallback/page', two)).toEqual({ next: 'hosts[1]/note', closed: [] });
  });

  it('a fallback that ends under continue, its owner last in an iteration: the next iteration runs', () => {
    const isolate = s('isolate', 'http', { onFailure: { fallback: [s('page')], continue: true } });
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [isolate] }), s('done')]);
    const two = { loopTotal: () => 2 };
    expect(advanceAfter(p, 'hosts[0]/isolate/fallback/page', two)).toEqual({ next: 'hosts[1]/isolate', closed: [] });
    expect(advanceAfter(p, 'hosts[1]/isolate/fallback/page', two)).toEqual({ next: 'done', closed: ['hosts'] });
  });

  it('a fallback that ends without continue inside a loop fails the execution with the owner at its iteration', () => {
    const isolate = s('isolate', 'http', { onFailure: { fallback: [s('page')] } });
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [isolate, s('note')] })]);
    expect(advanceAfter(p, 'hosts[1]/isolate/fallback/page', { loopTotal: () => 3 })).toEqual({ next: null, closed: [], failedOwner: 'hosts[1]/isolate' });
  });

  it('a fallback that ends under continue, its owner last in an if branch: the branch closes', () => {
    const call = s('call', 'http', { onFailure: { fallback: [s('notify')], continue: true } });
    const p = plan([s('check', 'if', { condition: 'x', steps: [call] }), s('after')]);
    expect(advanceAfter(p, 'check/call/fallback/notify', noLoops)).toEqual({ next: 'after', closed: ['check'] });
  });

  it('a fallback step with its own fallback: the inner list ends, then the outer list goes on, then the outer owner decides', () => {
    const inner = s('page', 'http', { onFailure: { fallback: [s('sms')], continue: true } });
    const p = plan([s('isolate', 'http', { onFailure: { fallback: [inner, s('note')] } }), s('after')]);
    expect(advanceAfter(p, 'isolate/fallback/page/fallback/sms', noLoops)).toEqual({ next: 'isolate/fallback/note', closed: [] });
    expect(advanceAfter(p, 'isolate/fallback/note', noLoops)).toEqual({ next: null, closed: [], failedOwner: 'isolate' });
  });

  it('a container inside a fallback list: its last child closes it, then the list ends', () => {
    const check = s('check', 'if', { condition: 'x', steps: [s('t')] });
    const p = plan([s('isolate', 'http', { onFailure: { fallback: [check], continue: true } }), s('after')]);
    expect(advanceAfter(p, 'isolate/fallback/check/t', noLoops)).toEqual({ next: 'after', closed: ['isolate/fallback/check'] });
  });

  it('refuses a path naming a step the definition does not have', () => {
    const p = plan([s('a')]);
    expect(() => advanceAfter(p, 'gone', noLoops)).toThrow('step "gone" is not in workflow "w"');
  });
});

describe('enterContainer: empty choices', () => {
  it('an if going to an empty else runs nothing', () => {
    const c = s('c', 'if', { condition: 'x', steps: [s('t')], else: [] });
    expect(enterContainer(c, 'c', { type: 'if', branch: 'else' })).toBeNull();
  });

  it('a switch picks a later case by its index, under its own path', () => {
    const sw = s('sw', 'switch', { expression: 'e', cases: [{ match: 'a', steps: [s('ca')] }, { match: 'b', steps: [s('cb1'), s('cb2')] }] });
    expect(enterContainer(sw, 'outer[3]/sw', { type: 'switch', caseIndex: 1 })).toBe('outer[3]/sw/cb1');
  });

  it('a loop nested in a loop starts its first iteration under the outer iteration', () => {
    const loop = s('inner', 'foreach', { foreach: '[]', steps: [s('x'), s('y')] });
    expect(enterContainer(loop, 'outer[2]/inner', { type: 'foreach', total: 1 })).toBe('outer[2]/inner[0]/x');
  });
});

describe('decideFailure: more policies', () => {
  const retry = { maxAttempts: 3, delayMs: 500, strategy: 'fixed' as const, multiplier: 2, maxDelayMs: 60_000 };
  const timeout = new StepError('timeout', 'slow', { retryable: true });

  it('a cancellation is never caught, even under continue', () => {
    const p = plan([s('call', 'http', { onFailure: { retry, fallback: [s('fb')], continue: true } })]);
    expect(decideFailure(p, 'call', 1, new StepError('cancelled', 'cancelled by alice', { retryable: true }))).toEqual({ kind: 'fail' });
  });

  it('without any on-failure the execution fails at once, retryable or not', () => {
    const p = plan([s('call', 'http')]);
    expect(decideFailure(p, 'call', 1, timeout)).toEqual({ kind: 'fail' });
  });

  it('fixed delays stay the same on every attempt', () => {
    const p = plan([s('call', 'http', { onFailure: { retry } })]);
    expect(decideFailure(p, 'call', 1, timeout)).toEqual({ kind: 'retry', attempt: 2, delayMs: 500 });
    expect(decideFailure(p, 'call', 2, timeout)).toEqual({ kind: 'retry', attempt: 3, delayMs: 500 });
    expect(retryDelay({ ...retry, delayMs: 90_000 }, 1)).toBe(60_000);
  });

  it('once retries are spent the fallback runs, at the failing step\'s own path in its loop iteration', () => {
    const call = s('call', 'http', { onFailure: { retry, fallback: [s('fb1'), s('fb2')] } });
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [call] })]);
    expect(decideFailure(p, 'hosts[4]/call', 2, timeout)).toEqual({ kind: 'retry', attempt: 3, delayMs: 500 });
    expect(decideFailure(p, 'hosts[4]/call', 3, timeout)).toEqual({ kind: 'fallback', next: 'hosts[4]/call/fallback/fb1' });
  });

  it('an empty fallback list is no fallback: continue, or fail', () => {
    expect(decideFailure(plan([s('call', 'http', { onFailure: { fallback: [], continue: true } })]), 'call', 1, timeout)).toEqual({ kind: 'continue' });
    expect(decideFailure(plan([s('call', 'http', { onFailure: { fallback: [] } })]), 'call', 1, timeout)).toEqual({ kind: 'fail' });
  });

  it('retry alone, exhausted, fails', () => {
    const p = plan([s('call', 'http', { onFailure: { retry: { ...retry, maxAttempts: 1 } } })]);
    expect(decideFailure(p, 'call', 1, timeout)).toEqual({ kind: 'fail' });
  });

  it('settings.on-failure retries an action step that has none of its own', () => {
    const p = plan([s('call', 'http')], { onFailure: { retry } });
    expect(decideFailure(p, 'call', 1, timeout)).toEqual({ kind: 'retry', attempt: 2, delayMs: 500 });
  });
});

describe('while loops and loop control', () => {
  const loop = s('poll', 'while', { condition: 'true', steps: [s('check'), s('gate', 'if', { condition: 'x', steps: [s('stop', 'loop.break'), s('skip', 'loop.continue')] })] });

  it("after a while's iteration the while itself runs again, as the attempt that checks it", () => {
    const p = plan([loop, s('after')]);
    expect(advanceAfter(p, 'poll[0]/check', noLoops)).toEqual({ next: 'poll[0]/gate', closed: [] });
    expect(advanceAfter(p, 'poll[0]/gate/skip', noLoops)).toEqual({ next: 'poll', attempt: 2, closed: ['poll[0]/gate'] });
    expect(advanceAfter(p, 'poll[4]/gate', noLoops)).toEqual({ next: 'poll', attempt: 6, closed: [] });
    expect(enterContainer(loop, 'outer[1]/poll', { type: 'while', iteration: 3 })).toBe('outer[1]/poll[3]/check');
    expect(enterContainer(loop, 'poll', { type: 'while', iteration: null })).toBeNull();
  });

  it('loop.break closes the containers between it and its loop, then the loop, and goes on after it', () => {
    const p = plan([loop, s('after')]);
    expect(leaveIteration(p, 'poll[2]/gate/stop', 'break', noLoops)).toEqual({ next: 'after', closed: ['poll[2]/gate', 'poll'] });
    const each = s('hosts', 'foreach', { foreach: '[]', steps: [s('act', 'http', { onFailure: { fallback: [s('give_up', 'loop.break')] } })] });
    const q = plan([s('outer', 'if', { condition: 'x', steps: [each] })]);
    // the `fallback` segment is a list, not a container; the failed step is not closed
    expect(leaveIteration(q, 'outer/hosts[1]/act/fallback/give_up', 'break', noLoops)).toEqual({ next: null, closed: ['outer/hosts', 'outer'] });
  });

  it('loop.continue goes on as when the iteration ends: the next item, the while check, or the end', () => {
    const p = plan([loop, s('after')]);
    expect(leaveIteration(p, 'poll[2]/gate/skip', 'continue', noLoops)).toEqual({ next: 'poll', attempt: 4, closed: ['poll[2]/gate'] });
    const each = s('hosts', 'foreach', { foreach: '[]', steps: [s('skip', 'loop.continue'), s('act')] });
    const q = plan([each, s('done')]);
    const two = { loopTotal: () => 2 };
    expect(leaveIteration(q, 'hosts[0]/skip', 'continue', two)).toEqual({ next: 'hosts[1]/skip', closed: [] });
    expect(leaveIteration(q, 'hosts[1]/skip', 'continue', two)).toEqual({ next: 'done', closed: ['hosts'] });
  });

  it('a step named "fallback" inside a loop is a container like any other', () => {
    const named = s('fallback', 'if', { condition: 'x', steps: [s('out', 'loop.break')] });
    const p = plan([s('hosts', 'foreach', { foreach: '[]', steps: [named] })]);
    expect(leaveIteration(p, 'hosts[0]/fallback/out', 'break', noLoops)).toEqual({ next: null, closed: ['hosts[0]/fallback', 'hosts'] });
  });

  it('refuses loop control outside a loop (the format forbids it)', () => {
    const p = plan([s('stray', 'loop.break')]);
    expect(() => leaveIteration(p, 'stray', 'break', noLoops)).toThrow('loop.break at "stray" is not inside a loop');
  });
});
