import type { StepDefinition, WorkflowDefinition } from '@flowgate/workflow-format';
import { advanceAfter, decideFailure, enterContainer, retryDelay, StepError, WorkflowPlan, parsePath, formatPath } from '../src';

const s = (name: string, type = 'console', extra: Partial<StepDefinition> = {}): StepDefinition => ({ name, type, with: {}, ...extra });

function plan(steps: StepDefinition[], settings: Partial<WorkflowDefinition['settings']> = {}): WorkflowPlan {
  return new WorkflowPlan({ name: 'w', enabled: true, tags: [], triggers: [{ type: 'manual' }], consts: {}, settings: { maxStepSize: 1 << 20, ...settings }, steps });
}

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

  it('workflow.fail is not catchable', () => {
    const p = plan([s('stop', 'workflow.fail', { onFailure: { continue: true } })]);
    expect(decideFailure(p, 'stop', 1, new StepError('workflow_fail', 'no'))).toEqual({ kind: 'fail' });
  });
});
