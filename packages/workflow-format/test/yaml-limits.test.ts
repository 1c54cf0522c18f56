/**
 * YAML refused before it is parsed: nesting deeper than 64 levels (no stack overflow, no V8 abort,
 * however deep) and more than 250,000 tokens (no request holding the event loop for seconds).
 */
import { validateWorkflow } from '@flowgate/workflow-format';
import { MAX_YAML_DEPTH, MAX_YAML_TOKENS, yamlLimitProblem } from '../src/parse-yaml';

const message = (yaml: string) => validateWorkflow(yaml).errors[0]?.message;
const deep = 'YAML nested deeper than 64 levels';

/** `depth` nested collections of one kind, as YAML. */
const nested = {
  flowSeq: (n: number) => `name: x\nsteps: ${'['.repeat(n - 1)}${']'.repeat(n - 1)}\n`,
  flowMap: (n: number) => `name: x\nsteps: ${'{a: '.repeat(n - 1)}1${'}'.repeat(n - 1)}\n`,
  blockMap: (n: number) => `${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}a${i}:`).join('\n')} 1\n`,
  compactSeq: (n: number) => `${'- '.repeat(n)}x\n`,
  /** a0: / - a1: / (indented) - a2: ...: each sequence at its mapping's column */
  zeroIndented: (n: number) => {
    const lines = ['a0:'];
    for (let depth = 1, i = 0; depth < n; i++, depth += 2) lines.push(depth + 1 === n ? `${'  '.repeat(i)}- x` : `${'  '.repeat(i)}- a${i + 1}:`);
    return `${lines.join('\n')}${lines[lines.length - 1].endsWith(':') ? ' 1' : ''}\n`;
  },
};

describe('YAML limits', () => {
  it.each(Object.keys(nested))('refuses %s nested 65 deep, accepts 64 (the depth is never under-counted)', (kind) => {
    const make = nested[kind as keyof typeof nested];
    expect(yamlLimitProblem(make(64))).toBeNull();
    expect(yamlLimitProblem(make(65))).toMatchObject({ message: deep });
    expect(message(make(65))).toBe(deep);
  });

  it('refuses 100,000-deep YAML of every kind, one after the other, with its line and column', () => {
    // Before: "Maximum call stack size exceeded" from the parser, and on the second one V8 aborted
    // the whole process (a regular expression compiled at the end of the stack: "RegExpCompiler
    // Allocation failed - process out of memory").
    for (const kind of Object.keys(nested)) {
      const n = kind === 'blockMap' || kind === 'zeroIndented' ? 2000 : 100_000;
      const t0 = Date.now();
      const result = validateWorkflow(nested[kind as keyof typeof nested](n));
      expect({ kind, valid: result.valid, message: result.errors[0].message }).toEqual({ kind, valid: false, message: deep });
      expect(Date.now() - t0).toBeLessThan(500);
    }
    expect(validateWorkflow(`name: x\nsteps: ${'['.repeat(1000)}`).errors[0]).toMatchObject({ line: 2, column: 71, message: deep });
    expect(validateWorkflow('{"a":"'.repeat(700_000)).errors[0].message).toBe(deep);
  });

  it('counts brackets in quoted and block scalars and comments as text, not as nesting', () => {
    const yaml = `name: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\ndescription: |\n  ${'{'.repeat(100)}\n# ${'['.repeat(100)}\ntriggers:\n  - type: manual\nsteps:\n  - name: s\n    type: console\n    with:\n      message: '${'['.repeat(100)}'\n`;
    expect(validateWorkflow(yaml)).toMatchObject({ valid: true });
  });

  it(`refuses more than ${MAX_YAML_TOKENS} tokens at once, and takes a workflow of thousands of steps`, () => {
    const steps = (n: number) => `name: big\ntriggers:\n  - type: manual\nsteps:\n${Array.from({ length: n }, (_, i) => `  - name: s${i}\n    type: console\n    with: {message: "{{ inputs.a }}"}`).join('\n')}\n`;
    expect(validateWorkflow(steps(5000)).valid).toBe(true);
    for (const yaml of ['\n'.repeat(4_000_000), `[${'1,'.repeat(2_000_000)}]`, '- 1\n'.repeat(1_000_000)]) {
      const t0 = Date.now();
      expect(message(yaml)).toBe(`the YAML has more than ${MAX_YAML_TOKENS} tokens`);
      expect(Date.now() - t0).toBeLessThan(1000);
    }
    expect(MAX_YAML_DEPTH).toBe(64);
  });
});
