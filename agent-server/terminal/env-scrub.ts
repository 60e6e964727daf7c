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

/** Looks like a credential by its name (values are compared only with keys Cairn holds, never logged). */
export function isSecretVariable(name: string): boolean {
  return KNOWN_SECRETS.has(name.toUpperCase()) || SECRET_NAME.test(name);
}

/**
 * The keys Cairn itself holds (the model's key variable by name, and its value): scrubbed from
 * every command's environment even when `terminal.envAllowlist` names them, because a key whose
 * variable has an innocent name (`model.apiKeyEnv: "MY_KEY_VAR"`) or that was copied into another
 * variable would otherwise reach `printenv` and, through the output, the model and the history.
 */
export interface KnownSecrets {
  names: readonly string[];
  values: readonly string[];
}

/** Shorter values are not matched inside others: "1" or "true" would scrub half the environment. */
const MIN_VALUE_LENGTH = 8;

function holdsKnownValue(value: string, values: readonly string[]): boolean {
  return values.some((v) => v === value || (v.length >= MIN_VALUE_LENGTH && value.includes(v)));
}

export function scrubEnvironment(
  env: NodeJS.ProcessEnv,
  allowlist: readonly string[] = [],
  known: KnownSecrets = { names: [], values: [] },
): Record<string, string> {
  const allowed = new Set(allowlist);
  const knownNames = new Set(known.names);
  const knownValues = known.values.filter((v) => v.length > 0);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (knownNames.has(name) || holdsKnownValue(value, knownValues)) continue;
    if (isSecretVariable(name) && !allowed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
