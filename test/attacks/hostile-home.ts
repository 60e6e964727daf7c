import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A user's home full of secrets, and a hostile repository, both OUTSIDE /tmp: the sandbox gives
 * commands a private /tmp, so secrets under /tmp would be hidden for the wrong reason.
 * Attack tests point HOME (and Cairn's home) here and assert no secret is ever read or written.
 */
export interface HostileSetup {
  /** The fake user home: ~/.ssh/id_rsa, token files, a Cairn home with another project's history. */
  home: string;
  /** Cairn's home inside `home` (`~/.cairn`). */
  cairnHome: string;
  /** The hostile repository the user opened. */
  workspace: string;
  /** The secret string written into every credential file: finding it anywhere the agent can see is an escape. */
  secret: string;
  /** Files that must never be created by an attack (checked by `plantedOutside`). */
  cleanup(): Promise<void>;
}

/** Where attack fixtures live: under /var/tmp (or CAIRN_ATTACK_ROOT), never /tmp. */
export function attackRoot(): string {
  return process.env.CAIRN_ATTACK_ROOT ?? '/var/tmp';
}

/** Credential stores a sandboxed command must never read (relative to home). */
export const CREDENTIAL_FILES = [
  '.ssh/id_rsa',
  '.ssh/id_ed25519',
  '.aws/credentials',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.git-credentials',
  '.config/gh/hosts.yml',
  '.cargo/credentials.toml',
  '.docker/config.json',
  '.kube/config',
  '.bash_history',
  '.zsh_history',
  '.gnupg/private-keys-v1.d/key.key',
  '.config/gcloud/credentials.db',
  '.pgpass',
  '.vault-token',
  '.terraform.d/credentials.tfrc.json',
  '.gradle/gradle.properties',
  '.m2/settings.xml',
  '.config/hub',
  '.local/share/keyrings/login.keyring',
] as const;

export async function createHostileSetup(name: string): Promise<HostileSetup> {
  const base = await fs.realpath(await fs.mkdtemp(path.join(attackRoot(), `cairn-attack-${name}-`)));
  // Readable by any uid, so the same fixture works when the suite runs as an unprivileged user.
  await fs.chmod(base, 0o755);
  const home = path.join(base, 'home');
  const workspace = path.join(base, 'repo');
  const cairnHome = path.join(home, '.cairn');
  const secret = `SECRET-${name}-${Math.random().toString(36).slice(2)}`;
  for (const rel of CREDENTIAL_FILES) {
    const file = path.join(home, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${secret}\n`, { mode: 0o600 });
  }
  // Another project's history and Cairn's own state: must be unreachable from this repo.
  await fs.mkdir(path.join(cairnHome, 'projects', 'other-project-0000'), { recursive: true });
  await fs.writeFile(path.join(cairnHome, 'projects', 'other-project-0000', 'MEMORY.md'), `${secret}\n`);
  await fs.mkdir(workspace, { recursive: true });
  await fs.writeFile(path.join(workspace, 'README.md'), '# a repository\n');
  return {
    home,
    cairnHome,
    workspace,
    secret,
    cleanup: () => fs.rm(base, { recursive: true, force: true }),
  };
}
