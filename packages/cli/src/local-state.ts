import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/** The repository root (packages/cli/dist → ../../..) and its `.flowgate/` folder of local state. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const STATE_DIR = join(REPO_ROOT, '.flowgate');

export function ensureStateDir(...sub: string[]): string {
  const dir = join(STATE_DIR, ...sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The admin key of `flowgate up`, made once and kept in .flowgate/admin.key (mode 600). */
export function localAdminKey(create: boolean): string | null {
  const file = join(STATE_DIR, 'admin.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!create) return null;
  ensureStateDir();
  const key = `fg_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
