/**
 * WorkflowPlan: where a step sits (so that advanceAfter knows what comes after it) and which
 * on-failure covers it (docs/workflows.md "Failure handling").
 */
import { plan, s } from './definitions';

const retry = { maxAttempts: 2, delayMs: 1000, strategy: 'fixed' as const, multiplier: 2, maxDelayMs: 1000 };

describe('locate and has', () => {
  const p = plan([
    s('first'),
    s('check', 'if', { condition: 'x', steps: [s('then1')], else: [s('else1'), s('else2')] }),
    s('route', 'switch', { expression: 'e', cases: [{ match: 'a', steps: [s('caseA')] }, { match: 'b', steps: [s('caseB')] }], default: [s('dflt')] }),
    s('hosts', 'foreach', { foreach: '[]', steps: [s('isolate', 'http', { onFailure: { fallback: [s('page'), s('inner', 'if', { condition: 'y', steps: [s('deep')] })] } })] }),
  ]);

  it('finds every step by name with its list, index and scope', () => {
    expect(p.locate('first')).toMatchObject({ index: 0, scope: { kind: 'root' }, inFallback: false });
    expect(p.locate('first').list.map((x) => x.name)).toEqual(['first', 'check', 'route', 'hosts']);
    expect(p.locate('then1')).toMatchObject({ index: 0, scope: { kind: 'branch', container: { name: 'check' } } });
    expect(p.locate('else2')).toMatchObject({ index: 1, scope: { kind: 'branch', container: { name: 'check' } } });
    expect(p.locate('else2').list.map((x) => x.name)).toEqual(['else1', 'else2']);
    expect(p.locate('caseB')).toMatchObject({ index: 0, scope: { kind: 'branch', container: { name: 'route' } } });
    expect(p.locate('dflt')).toMatchObject({ scope: { kind: 'branch', container: { name: 'route' } } });
    expect(p.locate('isolate')).toMatchObject({ scope: { kind: 'loop', container: { name: 'hosts' } }, inFallback: false });
    expect(p.locate('page')).toMatchObject({ index: 0, scope: { kind: 'fallback', owner: { name: 'isolate' } }, inFallback: true });
    // below a fallback list, still in the fallback
    expect(p.locate('deep')).toMatchObject({ scope: { kind: 'branch', container: { name: 'inner' } }, inFallback: true });
  });

  it('answers has() for known and unknown names, and locate() refuses an unknown one', () => {
    expect(p.has('deep')).toBe(true);
    expect(p.has('fallback')).toBe(false);
    expect(() => p.locate('nope')).toThrow('step "nope" is not in workflow "w"');
  });

  it('indexes an if without else and a switch without default', () => {
    const q = plan([s('c', 'if', { condition: 'x', steps: [s('t')] }), s('sw', 'switch', { expression: 'e', cases: [{ match: 1, steps: [s('one')] }] })]);
    expect(q.has('t')).toBe(true);
    expect(q.has('one')).toBe(true);
  });
});

describe('onFailureOf', () => {
  const settings = { onFailure: { continue: true } };

  it('a step\'s own on-failure wins over settings (not merged)', () => {
    const own = { retry };
    const p = plan([s('call', 'http', { onFailure: own })], settings);
    expect(p.onFailureOf('call')).toBe(own);
  });

  it('settings.on-failure covers action steps, also inside containers', () => {
    const p = plan([s('call', 'http'), s('check', 'if', { condition: 'x', steps: [s('nested', 'http')] })], settings);
    expect(p.onFailureOf('call')).toBe(p.definition.settings.onFailure);
    expect(p.onFailureOf('nested')).toBe(p.definition.settings.onFailure);
  });

  it('settings.on-failure does not cover containers, waits, workflow.fail or steps in or below a fallback', () => {
    const p = plan(
      [
        s('check', 'if', { condition: 'x', steps: [s('t')] }),
        s('route', 'switch', { expression: 'e', cases: [{ match: 'a', steps: [s('a1')] }] }),
        s('loop', 'foreach', { foreach: '[]', steps: [s('body')] }),
        s('pause', 'wait', { with: { duration: '1s' } }),
        s('ask', 'waitForInput'),
        s('approve', 'waitForApproval'),
        s('stop', 'workflow.fail'),
        s('call', 'http', { onFailure: { fallback: [s('page', 'http'), s('fbIf', 'if', { condition: 'x', steps: [s('deep', 'http')] })] } }),
      ],
      settings,
    );
    for (const name of ['check', 'route', 'loop', 'pause', 'ask', 'approve', 'stop', 'page', 'fbIf', 'deep']) expect([name, p.onFailureOf(name)]).toEqual([name, undefined]);
  });

  it('a wait or a fallback step with its own on-failure keeps it', () => {
    const p = plan([s('ask', 'waitForInput', { onFailure: { continue: true } }), s('call', 'http', { onFailure: { fallback: [s('page', 'http', { onFailure: { retry } })] } })]);
    expect(p.onFailureOf('ask')).toEqual({ continue: true });
    expect(p.onFailureOf('page')).toEqual({ retry });
  });

  it('without settings.on-failure an action step has none', () => {
    expect(plan([s('call', 'http')]).onFailureOf('call')).toBeUndefined();
  });
});
