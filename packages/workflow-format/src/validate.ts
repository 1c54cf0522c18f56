/** validateWorkflow: YAML text → errors, warnings and (when valid) the normalized definition. Never throws. */
import Ajv, { ValidateFunction } from 'ajv';
import { Checker } from './checks';
import { schemaProblems } from './messages';
import { normalizeWorkflow } from './normalize';
import { parseYaml } from './parse-yaml';
import { workflowSchema } from './schema';
import type { Problem, ValidateOptions, ValidationResult } from './types';

let compiled: ValidateFunction | undefined;

/** The compiled workflow schema (allErrors and verbose, so messages.ts can map every error). */
export function workflowValidator(): ValidateFunction {
  if (!compiled) {
    // optimize off: the generated code is barely slower to run and the big schema compiles in half the time
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { optimize: false } });
    compiled = ajv.compile(workflowSchema);
  }
  return compiled;
}

function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || a.column - b.column;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.path}\u0000${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function validateWorkflow(yamlText: string, opts: ValidateOptions = {}): ValidationResult {
  try {
    return validate(yamlText, opts);
  } catch (err) {
    // A bug here must not take down a caller that validates untrusted input.
    return {
      valid: false,
      errors: [{ path: '', line: 1, column: 1, message: `internal validator error: ${(err as Error).message}` }],
      warnings: [],
    };
  }
}

function validate(yamlText: string, opts: ValidateOptions): ValidationResult {
  if (typeof yamlText !== 'string') {
    return { valid: false, errors: [{ path: '', line: 1, column: 1, message: 'expected YAML text' }], warnings: [] };
  }
  const parsed = parseYaml(yamlText);
  const errors = [...parsed.errors];
  const warnings = [...parsed.warnings];
  if (parsed.data === undefined && errors.length) return { valid: false, errors, warnings };
  const data = parsed.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const { line, column } = parsed.source.position([]);
    errors.push({
      path: '',
      line,
      column,
      message: `expected a mapping of workflow keys (name, triggers, steps, ...), got ${data === null || data === undefined ? 'an empty document' : Array.isArray(data) ? 'a list' : typeof data}`,
    });
    return { valid: false, errors, warnings };
  }

  const validateSchema = workflowValidator();
  if (!validateSchema(data)) errors.push(...schemaProblems(validateSchema.errors ?? [], data, parsed.source));

  const checker = new Checker(data as Record<string, unknown>, parsed.source, opts);
  checker.run();
  errors.push(...checker.errors);

  const finalErrors = dedupe(errors).sort(byPosition);
  // a Kibana key that is misplaced is an error, not also a warning
  const errorPaths = new Set(finalErrors.map((e) => e.path));
  const finalWarnings = dedupe([...warnings, ...checker.warnings].filter((w) => !errorPaths.has(w.path))).sort(byPosition);

  if (finalErrors.length) return { valid: false, errors: finalErrors, warnings: finalWarnings };
  return {
    valid: true,
    definition: normalizeWorkflow(data as Record<string, unknown>),
    errors: [],
    warnings: finalWarnings,
  };
}
