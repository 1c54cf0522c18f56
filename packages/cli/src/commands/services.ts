import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT } from '../local-state';

/** Starts `node services/<name>/dist/main.js` with this environment (docs/architecture.md "Packages": the CLI spawns services). */
export function spawnService(name: 'api' | 'worker', env: NodeJS.ProcessEnv, stdio: 'inherit' | 'pipe' = 'inherit'): ChildProcess {
  return spawn(process.execPath, [join(REPO_ROOT, 'services', name, 'dist', 'main.js')], { env, stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
}

/** `flowgate api` / `flowgate worker`: one service in the foreground, signals forwarded, its exit code kept. */
function foreground(name: 'api' | 'worker'): void {
  const child = spawnService(name, process.env);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

export function registerServiceCommands(program: Command): void {
  program.command('api').description('run the API (configured by the environment, docs/operations.md "Configuration")').action(() => foreground('api'));
  program.command('worker').description('run one worker (configured by the environment, docs/operations.md "Configuration")').action(() => foreground('worker'));
}
