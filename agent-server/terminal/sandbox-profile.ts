import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Credential stores, relative to the user's home: hidden in the sandbox even when the user
 * exposes a folder that contains one (`terminal.homeReadable`) or opens home as the workspace.
 * A `*` matches one path segment. Keep this list tested (test/unit/terminal/sandbox-backend.test.ts).
 */
export const CREDENTIAL_PATHS: readonly string[] = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker',
  '.password-store',
  '.local/share/keyrings',
  '.netrc',
  '.git-credentials',
  '.config/git/credentials',
  '.pgpass',
  '.my.cnf',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.nvm/versions/node/*/etc/npmrc',
  '.pypirc',
  '.config/pip/pip.conf',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.composer/auth.json',
  '.config/composer/auth.json',
  '.gradle/gradle.properties',
  '.m2/settings.xml',
  '.m2/settings-security.xml',
  '.nuget/NuGet/NuGet.Config',
  '.config/NuGet/NuGet.Config',
  '.config/gh',
  '.config/hub',
  '.config/glab-cli',
  '.config/containers/auth.json',
  '.config/rclone',
  '.config/op',
  '.config/doctl',
  '.config/heroku',
  '.vault-token',
  '.terraform.d/credentials.tfrc.json',
  '.s3cfg',
  '.boto',
  '.cache/huggingface/token',
  '.huggingface/token',
  '.mozilla',
  '.config/google-chrome',
  '.config/chromium',
  '.config/Code/User/globalStorage',
  '.bash_history',
  '.zsh_history',
  '.history',
  '.sh_history',
  '.local/share/fish/fish_history',
  '.python_history',
  '.node_repl_history',
  '.psql_history',
  '.mysql_history',
  '.sqlite_history',
  '.lesshst',
  '.viminfo',
];

/** Unix sockets to the host: each is a way to run code outside (docker, the session bus, systemd). */
const FIXED_SOCKET_PATHS = ['/var/run/docker.sock', '/run/docker.sock', '/tmp/.X11-unix'];

/**
 * Folders where the host keeps sockets: replaced by empty ones in every sandbox. Real paths
 * (`/var/run` is usually a link to `/run`), and only those that exist.
 */
export const SOCKET_FOLDERS = [
  ...new Set(['/run', '/var/run'].filter((d) => existsSync(d)).map((d) => realpathSync.native(d))),
];

export interface ProfileInput {
  userHome: string;
  cairnHome: string;
  /** Folders commands may write, as configured (symlinks are resolved here). */
  writable: readonly string[];
  /** `terminal.homeReadable`: paths relative to home that stay visible, read-only. */
  homeReadable: readonly string[];
  privateTmp: string;
  network: boolean;
  /** The environment commands get: socket paths named in it are hidden too. */
  env: NodeJS.ProcessEnv;
}

/** The path with symlinks resolved, or as given when it does not exist (checked without throwing: this runs per command). */
export function realOrSelf(p: string): string {
  if (!lstatSync(p, { throwIfNoEntry: false })) return path.resolve(p);
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A bind: the host folder `source` (symlinks resolved) shown at `dest`. */
interface Bind {
  source: string;
  dest: string;
}

/** `a/*\/b` → every existing match (one segment per `*`). */
function expand(base: string, rel: string): string[] {
  let found = [base];
  for (const part of rel.split('/')) {
    if (part !== '*') {
      found = found.map((p) => path.join(p, part));
      continue;
    }
    found = found.flatMap((p) => {
      try {
        return readdirSync(p).map((name) => path.join(p, name));
      } catch {
        return [];
      }
    });
  }
  return found;
}

/** Socket paths the environment names (session bus, docker/podman host, agents, runtime folder). */
function socketsNamedIn(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime)) out.push(runtime);
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DBUS_SYSTEM_BUS_ADDRESS']) {
    for (const m of (env[name] ?? '').matchAll(/unix:(?:[^;]*,)?path=([^,;]+)/g)) out.push(m[1]!);
  }
  for (const name of ['DOCKER_HOST', 'CONTAINER_HOST']) {
    const m = /^unix:\/\/(\/.+)$/.exec(env[name] ?? '');
    if (m) out.push(m[1]!);
  }
  for (const name of ['SSH_AUTH_SOCK', 'GPG_AGENT_INFO', 'WAYLAND_DISPLAY', 'PULSE_SERVER']) {
    const value = (env[name] ?? '').replace(/^unix:/, '').split(':')[0]!;
    if (path.isAbsolute(value)) out.push(value);
    else if (value && runtime && path.isAbsolute(runtime)) out.push(path.join(runtime, value));
  }
  return out;
}

/**
 * The filesystem part of a sandboxed command line, after the base mounts (root read-only, /dev,
 * /proc, an empty /run). Order matters to bubblewrap (later mounts cover earlier ones):
 * home and Cairn's home become empty, what builds need from home comes back read-only, then the
 * private /tmp and the writable folders (so a workspace inside home or inside Cairn's home stays
 * reachable), and last every credential store and host socket still visible is covered.
 */
export function filesystemArgs(input: ProfileInput): string[] {
  const args: string[] = [];
  const home = realOrSelf(input.userHome);
  const cairn = realOrSelf(input.cairnHome);
  const writable: Bind[] = input.writable.map((w) => ({ source: realOrSelf(w), dest: path.resolve(w) }));
  const insideWritable = (p: string): boolean =>
    writable.some((w) => isInside(p, w.source) || isInside(p, w.dest));
  const holdsWritable = (p: string): boolean =>
    writable.some((w) => isInside(w.source, p) || isInside(w.dest, p));

  // Home: hidden unless a writable folder is home itself or contains it.
  const homeHidden = !insideWritable(home);
  const readable: Bind[] = [];
  if (homeHidden) {
    args.push('--tmpfs', home);
    for (const rel of input.homeReadable) {
      const dest = path.join(home, rel);
      if (!isInside(dest, home) || dest === home || !existsSync(dest)) continue;
      readable.push({ source: realOrSelf(dest), dest });
      args.push('--ro-bind-try', dest, dest);
    }
  }
  // Cairn's home: always hidden; a workspace inside it is bound back below, and nothing else of it.
  const cairnHidden = existsSync(cairn) && !insideWritable(cairn);
  if (cairnHidden) args.push('--tmpfs', cairn);

  // /tmp is the session's own folder, not the machine's: later commands (and background ones)
  // see what earlier ones left there; other programs' temp files and sockets stay out of reach.
  args.push('--bind', input.privateTmp, '/tmp');
  if (input.network) {
    // Name resolution may live under /run (systemd-resolved, resolvconf): bring back that one file.
    const resolv = realOrSelf('/etc/resolv.conf');
    if (SOCKET_FOLDERS.some((d) => isInside(resolv, d))) args.push('--ro-bind-try', resolv, resolv);
  }
  for (const w of writable) {
    args.push('--bind', w.source, w.source);
    // Reached through a symlink inside a hidden folder: the link is gone, so show it there too.
    if (w.dest !== w.source && (isInside(w.dest, home) || isInside(w.dest, cairn)))
      args.push('--bind', w.source, w.dest);
  }

  const binds = [...readable, ...writable];
  const visible = (p: string): boolean => {
    if (insideWritable(p)) return true;
    if (isInside(p, '/tmp') || SOCKET_FOLDERS.some((d) => isInside(p, d))) return false;
    if (cairnHidden && isInside(p, cairn)) return false;
    if (homeHidden && isInside(p, home)) return readable.some((r) => isInside(p, r.dest));
    return true;
  };
  const hidden = new Set<string>();
  const hide = (target: string): void => {
    if (!lstatSync(target, { throwIfNoEntry: false })) return;
    const real = realOrSelf(target);
    // Everywhere the host path shows up: itself, its real path, and inside every bind of a parent.
    const candidates = new Set([path.resolve(target), real]);
    for (const b of binds)
      if (isInside(real, b.source)) candidates.add(path.join(b.dest, path.relative(b.source, real)));
    for (const c of candidates) {
      if (hidden.has(c) || !existsSync(c) || !visible(c) || holdsWritable(c)) continue;
      hidden.add(c);
      if (statSync(c).isDirectory()) args.push('--tmpfs', c);
      else args.push('--ro-bind', '/dev/null', c);
    }
  };
  for (const rel of CREDENTIAL_PATHS) for (const p of expand(input.userHome, rel)) hide(p);
  if (!cairnHidden) hide(input.cairnHome);
  for (const p of [...FIXED_SOCKET_PATHS, ...socketsNamedIn(input.env)]) hide(p);
  return args;
}
