import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** git is not installed (or not runnable): checkpoints are off. */
export class GitUnavailableError extends Error {
  override name = 'GitUnavailableError';
  constructor(detail: string) {
    super(
      `Checkpoints are off: the git program could not be run (${detail}). ` +
        'Install git (e.g. `apt-get install git`) so turns can be undone with /undo and /rewind.',
    );
  }
}

export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().slice(0, 500)}`);
  }
}

/**
 * Cairn's defaults on top of the project's own `.gitignore` files: dependencies and build output
 * are recreated by tools, not by hand, and would make every checkpoint large.
 */
export const DEFAULT_EXCLUDES = [
  'node_modules/',
  'bower_components/',
  '.venv/',
  'venv/',
  '__pycache__/',
  '*.pyc',
  '.mypy_cache/',
  '.pytest_cache/',
  '.tox/',
  '.gradle/',
  '.next/',
  '.nuxt/',
  '.turbo/',
  '.parcel-cache/',
  '.cache/',
  'dist/',
  'build/',
  'out/',
  'target/',
  'coverage/',
];

/**
 * Attributes that win over any `.gitattributes` in the workspace (info/attributes has the highest
 * precedence): no end-of-line conversion, filter, ident or re-encoding, so a restore gives back
 * exactly the bytes that were recorded. `diff` stays automatic for the +/− counts.
 */
const ATTRIBUTES = '* -text -filter -ident -working-tree-encoding !eol !diff !merge\n';

/**
 * Settings passed on every call. Configuration is read from nowhere else: no system or global file
 * (see `gitEnv`), and the shadow repository's own config is written by us. Hooks point at an empty
 * folder and fsmonitor is off, so nothing from the user's setup or the repository runs.
 */
function commandLineConfig(hooksDir: string): [string, string][] {
  return [
    ['core.hooksPath', hooksDir],
    ['core.fsmonitor', 'false'],
    ['core.autocrlf', 'false'],
    ['core.symlinks', 'true'],
    ['core.filemode', 'true'],
    ['core.quotepath', 'false'],
    ['core.untrackedCache', 'true'],
    ['core.logAllRefUpdates', 'false'],
    ['core.looseCompression', '1'],
    ['core.preloadIndex', 'true'],
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
    ['safe.directory', '*'],
    ['user.name', 'Cairn'],
    ['user.email', 'checkpoints@cairn.invalid'],
  ];
}

/** A process environment with nothing of the user's git setup in it. */
function gitEnv(gitDir: string, workTree: string, hooksDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'TMPDIR', 'SYSTEMROOT']) if (process.env[key]) env[key] = process.env[key];
  const config = commandLineConfig(hooksDir);
  Object.assign(env, {
    LANG: 'C',
    LC_ALL: 'C',
    GIT_DIR: gitDir,
    GIT_WORK_TREE: workTree,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_AUTHOR_NAME: 'Cairn',
    GIT_AUTHOR_EMAIL: 'checkpoints@cairn.invalid',
    GIT_COMMITTER_NAME: 'Cairn',
    GIT_COMMITTER_EMAIL: 'checkpoints@cairn.invalid',
    GIT_CONFIG_COUNT: String(config.length),
    // For `git init`: the formats shadow-objects.ts writes, whatever a newer git defaults to.
    GIT_DEFAULT_HASH: 'sha1',
    GIT_DEFAULT_REF_FORMAT: 'files',
  });
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
}

/**
 * One workspace's shadow repository: `gitDir` in Cairn's home, the workspace as its work tree.
 * Every git program run for checkpoints goes through `run`, with the isolated environment.
 */
export class ShadowGit {
  readonly hooksDir: string;

  constructor(
    readonly gitDir: string,
    readonly workTree: string,
  ) {
    this.hooksDir = path.join(path.dirname(gitDir), 'no-hooks');
  }

  /** Runs git; `input` goes to stdin. Throws GitCommandError unless the exit code is allowed. */
  async run(args: string[], opts: { input?: string | Buffer; okCodes?: number[] } = {}): Promise<GitResult> {
    const result = await new Promise<GitResult>((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: this.workTree,
        env: gitEnv(this.gitDir, this.workTree, this.hooksDir),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code;
        reject(code === 'ENOENT' ? new GitUnavailableError('not found on PATH') : e);
      });
      child.on('close', (exitCode) =>
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode }),
      );
      child.stdin.on('error', () => undefined); // git may exit before reading all input
      child.stdin.end(opts.input ?? '');
    });
    if (!(opts.okCodes ?? [0]).includes(result.exitCode ?? -1))
      throw new GitCommandError(args, result.exitCode, result.stderr);
    return result;
  }

  async text(args: string[], input?: string): Promise<string> {
    return (await this.run(args, input === undefined ? {} : { input })).stdout.toString('utf8');
  }

  /** Creates the repository when missing; rewrites the files we own (excludes, attributes). */
  async ensureInitialised(extraExcludes: readonly string[]): Promise<void> {
    await mkdir(this.hooksDir, { recursive: true });
    await mkdir(this.gitDir, { recursive: true });
    await this.run(['init', '--quiet', `--template=${this.hooksDir}`]);
    await mkdir(path.join(this.gitDir, 'info'), { recursive: true });
    await writeFile(
      path.join(this.gitDir, 'info', 'exclude'),
      [
        '# Cairn checkpoints: left out besides the project .gitignore files',
        ...DEFAULT_EXCLUDES,
        ...extraExcludes,
      ]
        .join('\n')
        .concat('\n'),
    );
    await writeFile(path.join(this.gitDir, 'info', 'attributes'), ATTRIBUTES);
    // A repository made otherwise (by hand, or by a git that ignored the defaults above) is not
    // written to: commits and refs are written in the SHA-1 and "files" formats only.
    const config = await readFile(path.join(this.gitDir, 'config'), 'utf8');
    for (const [, key, value] of config.matchAll(/^\s*(objectformat|refstorage)\s*=\s*(\S+)/gim))
      if (!['sha1', 'files'].includes(value!.toLowerCase()))
        throw new Error(
          `the checkpoint repository ${this.gitDir} uses ${key} ${value}, which Cairn does not write; ` +
            'remove that folder to start a new one',
        );
  }
}

/** `git --version`, or why git cannot be run. */
export async function gitVersion(): Promise<{ ok: true; version: string } | { ok: false; problem: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => resolve({ ok: false, problem: (e as NodeJS.ErrnoException).code ?? e.message }));
    child.on('close', (code) =>
      resolve(code === 0 ? { ok: true, version: out.trim() } : { ok: false, problem: `exit ${code}` }),
    );
  });
}
