import { isSecretVariable, type KnownSecrets } from '../terminal/env-scrub.js';

/** Shorter values are common words or numbers; matching them would blank ordinary output. */
const MIN_SECRET_LENGTH = 8;

export const REDACTED = '[redacted secret]';

/**
 * The values a tool result must never carry to the model, the history or a saved output: the
 * model keys Cairn holds (the ones the terminal scrubs by value from commands' environment) and
 * the values of this process's credential-named variables (the ones it scrubs by name), which a
 * command can still print by reading a file (`cat .env`). Paths (`KUBECONFIG=/…`) are not secrets.
 */
export function secretValues(env: NodeJS.ProcessEnv, known: KnownSecrets): string[] {
  const values = new Set<string>();
  for (const value of known.values) if (value.trim().length >= MIN_SECRET_LENGTH) values.add(value.trim());
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (!value || value.length < MIN_SECRET_LENGTH || value.startsWith('/')) continue;
    if (isSecretVariable(name) || known.names.includes(name)) values.add(value);
  }
  // Longest first: a key that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each secret value replaced by a visible marker. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
