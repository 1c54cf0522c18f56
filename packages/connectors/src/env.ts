/**
 * `${ENV_VAR}` substitution in connectors.yaml (docs/connectors.md), so that secrets stay out of files.
 *
 * - `${NAME}` (NAME = `[A-Za-z_][A-Za-z0-9_]*`) is replaced by the variable's value; an unset variable is an error.
 * - `$${` is a literal `${` (an escape, for a value that really contains `${`).
 * - Anything else containing `${` that is not a well-formed reference is an error, so a typo such as
 *   `${OPENAI KEY}` or `${OPENAI_KEY` fails at start instead of sending the text as a secret.
 */

export class EnvSubstitutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvSubstitutionError';
  }
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces every `${NAME}` in `text` from `env`; throws EnvSubstitutionError naming the variable. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv | Record<string, string | undefined>): string {
  return text.replace(REFERENCE, (match: string, name: string | undefined) => {
    if (match === '$${') return '${';
    if (!match.endsWith('}')) throw new EnvSubstitutionError(`unterminated \${ in "${text}" (write \${NAME}, or $\${ for a literal \${)`);
    const trimmed = (name ?? '').trim();
    if (!NAME.test(trimmed)) throw new EnvSubstitutionError(`"\${${name ?? ''}}" is not a valid environment variable reference`);
    const value = env[trimmed];
    if (value === undefined) throw new EnvSubstitutionError(`environment variable ${trimmed} is not set`);
    return value;
  });
}
