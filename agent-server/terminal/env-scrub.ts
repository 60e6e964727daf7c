/**
 * Commands get the server's environment minus anything that looks like a credential, so a
 * `printenv` or a malicious build script cannot read the model's API key or the user's tokens.
 */
const SECRET_NAME =
  /(API_?KEY|ACCESS_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE_?KEY|AUTH|SESSION_?KEY|COOKIE|_PAT$|^PAT_|WEBHOOK)/i;

/** Variables that are secrets by name without matching the pattern above. */
const KNOWN_SECRETS = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'AZURE_CLIENT_SECRET',
  'DATABASE_URL',
  'SSH_AUTH_SOCK',
  'GPG_AGENT_INFO',
  'NPM_CONFIG__AUTH',
  'DOCKER_AUTH_CONFIG',
  'KUBECONFIG',
  'VAULT_ADDR',
]);

/** Looks like a credential (matched on the name only: values are never inspected or logged). */
export function isSecretVariable(name: string): boolean {
  return KNOWN_SECRETS.has(name.toUpperCase()) || SECRET_NAME.test(name);
}

export function scrubEnvironment(
  env: NodeJS.ProcessEnv,
  allowlist: readonly string[] = [],
): Record<string, string> {
  const allowed = new Set(allowlist);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isSecretVariable(name) && !allowed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
