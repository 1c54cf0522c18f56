/**
 * `flowgate validate FILE|DIR ... [--connectors FILE]` (docs/operations.md "Configuration"): prints `file:line:col: error|warning: message`
 * per problem and a summary; exit code 1 when any file has an error. A DIR means every *.yaml/*.yml in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { connectorTypesFromYaml, validateWorkflow, type ConnectorTypes, type Problem, type ValidateOptions } from '@flowgate/workflow-format';

export interface ValidateCliOptions {
  connectors?: string;
}

export interface ValidateReport {
  lines: string[];
  exitCode: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The files a target names: the file itself, or the *.yaml/*.yml directly in a directory (sorted). */
export function expandTargets(targets: string[]): { files: string[]; unreadable: Array<{ target: string; reason: string }> } {
  const files: string[] = [];
  const unreadable: Array<{ target: string; reason: string }> = [];
  for (const target of targets) {
    try {
      if (statSync(target).isDirectory()) {
        const found = readdirSync(target)
          .filter((f) => /\.ya?ml$/i.test(f))
          .sort()
          .map((f) => join(target, f))
          .filter((f) => statSync(f).isFile());
        if (!found.length) unreadable.push({ target, reason: 'no *.yaml or *.yml file in this directory' });
        files.push(...found);
      } else {
        files.push(target);
      }
    } catch (err) {
      unreadable.push({ target, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message });
    }
  }
  return { files, unreadable };
}

/** Connector ids and types from a connectors.yaml (env vars are not substituted: no secrets needed). */
export function readConnectors(file: string): ConnectorTypes {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read connectors file: ${(err as Error).message}`);
  }
  return connectorTypesFromYaml(text);
}

function formatProblem(file: string, p: Problem, severity: 'error' | 'warning'): string {
  return `${file}:${p.line}:${p.column}: ${severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Validates the targets; returns the lines to print and the exit code (no I/O on stdout). */
export function runValidate(targets: string[], options: ValidateCliOptions = {}): ValidateReport {
  const lines: string[] = [];
  let opts: ValidateOptions = {};
  if (options.connectors) {
    try {
      opts = { connectors: readConnectors(options.connectors) };
    } catch (err) {
      return { lines: [`${options.connectors}: error: ${(err as Error).message}`], exitCode: 1 };
    }
  }
  const { files, unreadable } = expandTargets(targets);
  let valid = 0;
  let invalid = 0;
  let errors = 0;
  let warnings = 0;
  for (const { target, reason } of unreadable) {
    lines.push(`${target}: error: ${reason}`);
    invalid++;
    errors++;
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      lines.push(`${file}: error: cannot read: ${(err as Error).message}`);
      invalid++;
      errors++;
      continue;
    }
    const result = validateWorkflow(text, opts);
    const problems = [
      ...result.errors.map((p) => ({ p, severity: 'error' as const })),
      ...result.warnings.map((p) => ({ p, severity: 'warning' as const })),
    ].sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column);
    for (const { p, severity } of problems) lines.push(formatProblem(file, p, severity));
    errors += result.errors.length;
    warnings += result.warnings.length;
    if (result.valid) valid++;
    else invalid++;
  }
  const checked = valid + invalid;
  lines.push(
    `${plural(checked, 'file')} checked: ${valid} valid, ${invalid} invalid (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`,
  );
  return { lines, exitCode: invalid > 0 ? 1 : 0 };
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate workflow files (a DIR means every *.yaml/*.yml in it)')
    .argument('<paths...>', 'workflow files or directories')
    .option('--connectors <file>', 'a connectors.yaml: check connector-id against its ids and types')
    .action((paths: string[], options: ValidateCliOptions) => {
      const report = runValidate(paths, options);
      process.stdout.write(`${report.lines.join('\n')}\n`);
      process.exitCode = report.exitCode;
    });
}
