import * as fs from 'node:fs';
import * as path from 'node:path';
import { runsCodeLater } from './code-running-writes.js';
import type { ClassifyOptions, Findings, Word } from './risk.js';

/**
 * Which paths matter to the command classifier: the system, home, credentials, shell startup
 * files, disks, and the build folders whose recursive deletion is routine.
 */
const SYSTEM_DIRS = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
  '/snap',
];
const BUILD_FOLDERS = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'target',
  'coverage',
  '.cache',
  '.next',
  '.nuxt',
  '.turbo',
  '.parcel-cache',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.gradle',
  'obj',
  'tmp',
  '.tmp',
]);
const RC_FILES = new Set([
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.zlogin',
  '.cshrc',
  '.tcshrc',
  '.kshrc',
  '.inputrc',
  'config.fish',
]);
const CREDENTIAL_FILES = new Set([
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  'authorized_keys',
  '.pgpass',
  'credentials',
]);
const CREDENTIAL_DIRS = ['.ssh', '.aws', '.gnupg', '.kube', '.docker', '.config/gcloud', '.azure'];
const HARMLESS_DEVICES = /^\/dev\/(null|zero|full|u?random|stdout|stderr|stdin|tty|fd\/\d+|pts\/\d+)$/;

export class PathRisk {
  constructor(private readonly options: ClassifyOptions) {}

  /** Absolute or relative paths a word may mean, given the folders the command may have `cd`-ed to. */
  resolve(text: string, cwds: string[]): string[] {
    if (path.isAbsolute(text)) return [path.normalize(text)];
    return cwds.map((cwd) =>
      cwd === '.' || cwd === '?' || !path.isAbsolute(cwd) ? path.normalize(text) : path.join(cwd, text),
    );
  }

  isShellRc(p: string): boolean {
    return RC_FILES.has(path.basename(p));
  }

  isCredential(p: string): boolean {
    if (CREDENTIAL_FILES.has(path.basename(p))) return true;
    const home = this.options.home;
    return CREDENTIAL_DIRS.some(
      (d) => p.includes(`/${d}/`) || p.endsWith(`/${d}`) || p.startsWith(`${d}/`) || p === `${home}/${d}`,
    );
  }

  /** `/`, home, top-level system folders, and globs that reach them. */
  isProtectedTree(p: string, glob: boolean): boolean {
    const home = path.normalize(this.options.home);
    const isProtected = (dir: string): boolean => dir === '/' || dir === home || SYSTEM_DIRS.includes(dir);
    const norm = path.normalize(p).replace(/(.)\/+$/, '$1');
    if (isProtected(norm)) return true;
    if (!glob) return false;
    // `/*`, `~/.*`, `/home/*`: a glob directly inside a protected folder reaches all of it.
    const parts = norm.split('/');
    const firstGlob = parts.findIndex((seg) => /[*?[]/.test(seg));
    if (firstGlob < 0) return false;
    return isProtected(parts.slice(0, firstGlob).join('/') || '/');
  }

  isBuildFolder(text: string): boolean {
    const norm = path.normalize(text);
    let rel = norm;
    if (path.isAbsolute(norm)) {
      if (!this.options.workspace) return false;
      rel = path.relative(this.options.workspace, norm);
      if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
    }
    if (rel.startsWith('..')) return false;
    return rel.split('/').some((seg) => BUILD_FOLDERS.has(seg));
  }

  isBlockDevice(p: string): boolean {
    return p.startsWith('/dev/') && !HARMLESS_DEVICES.test(p);
  }

  /** The word names `/`, home or a top-level system folder (possibly through a glob). */
  reachesProtected(w: Word, cwds: string[]): boolean {
    return !w.dynamic && this.resolve(w.text, cwds).some((p) => this.isProtectedTree(p, w.glob));
  }

  /** Blocks a protected folder; a path computed at run time may be one, so it asks. */
  checkProtected(findings: Findings, w: Word, cwds: string[], blockedReason: string): void {
    if (w.dynamic) findings.flag('dangerous', `Acts on a path computed at run time (${w.text || '…'}).`);
    else if (this.reachesProtected(w, cwds)) findings.flag('blocked', blockedReason);
  }

  /**
   * The path (relative to where the command starts) is, or passes through, a symbolic link on
   * disk now: `build -> src` makes `rm -rf build/` delete src. Checked from the workspace down,
   * one component at a time, without following anything.
   */
  throughLink(text: string): boolean {
    const start = this.options.cwd ?? this.options.workspace;
    if (!start) return false;
    const target = path.resolve(start, text);
    const root = this.options.workspace ?? start;
    const rel = path.relative(root, target);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
    let current = root;
    for (const part of rel.split(path.sep).filter(Boolean)) {
      if (/[*?[]/.test(part)) return false; // the glob's matches are checked by rm itself
      current = path.join(current, part);
      try {
        if (fs.lstatSync(current).isSymbolicLink()) return true;
      } catch {
        return false; // nothing there (yet): a link made by the same line is caught separately
      }
    }
    return false;
  }

  /** Files that run code later, outside the sandbox (git hooks, editor tasks, direnv, …). */
  runsLater(p: string): boolean {
    return runsCodeLater(p, this.options.workspace) !== undefined;
  }

  /** Credentials, shell startup files, disks and files that run code later. */
  isSensitive(p: string): boolean {
    return this.isCredential(p) || this.isShellRc(p) || this.isBlockDevice(p) || this.runsLater(p);
  }

  /** A path some command writes to. */
  checkWrite(findings: Findings, target: Word, cwds: string[], verb: string): void {
    if (target.dynamic) {
      // `> $DEV` may be a disk.
      findings.flag('dangerous', `${verb} a path computed at run time.`);
      return;
    }
    for (const p of this.resolve(target.text, cwds)) {
      if (this.runsLater(p))
        findings.flag('dangerous', `${verb} ${p}, which runs code later, outside the sandbox.`);
      if (this.isBlockDevice(p))
        findings.flag('blocked', `${verb} the block device ${p}: this can destroy a disk.`);
      else if (this.isShellRc(p)) findings.flag('dangerous', `${verb} the shell startup file ${p}.`);
      else if (this.isCredential(p)) findings.flag('dangerous', `${verb} the credential file ${p}.`);
      else if (p.startsWith('/etc/')) findings.flag('dangerous', `${verb} the system file ${p}.`);
    }
  }
}
