import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import { parseSkillFile } from './skill-file.js';
import { scanSkillText } from './index.js';
import type { SkillFiles } from './user-skill-versions.js';

const run = promisify(execFile);
const MAX_SKILL_BYTES = 2 * 1024 * 1024;

/** A skill found in a fetched repository or folder, checked but not installed. */
export interface FetchedSkill {
  name: string;
  description: string;
  /** Its folder inside the source ('' at the root). */
  subpath: string;
  files: SkillFiles;
  sizes: Record<string, number>;
  /** Why it must not be installed (scanner, links, size); empty when it may be. */
  problems: string[];
}

export interface FetchedSource {
  source: string;
  ref?: string;
  /** The commit the files come from (absent for a plain folder). */
  commit?: string;
  skills: FetchedSkill[];
  /** Removes the temporary clone. */
  dispose(): Promise<void>;
}

/** `owner/repo[/path]` → a GitHub URL and the path inside it; a URL or local path as given. */
export function resolveSource(
  source: string,
  cwd: string,
): { url?: string; folder?: string; subpath: string } {
  if (/^(https?|ssh|git|file):\/\//.test(source) || /^[\w.-]+@[\w.-]+:/.test(source))
    return { url: source, subpath: '' };
  if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~'))
    return { folder: path.resolve(cwd, source.replace(/^~(?=\/|$)/, os.homedir())), subpath: '' };
  const m = /^([\w.-]+)\/([\w.-]+)(?:\/(.+))?$/.exec(source);
  if (m) return { url: `https://github.com/${m[1]}/${m[2]}.git`, subpath: m[3] ?? '' };
  return { folder: path.resolve(cwd, source), subpath: '' };
}

/**
 * Git with nothing from the fetched repository able to run: no hooks, no filters (LFS), no
 * submodules, no prompts. Only `clone` and `rev-parse` are used.
 */
async function git(args: string[], cwd?: string): Promise<string> {
  const safe = [
    '-c',
    'core.hooksPath=/dev/null',
    '-c',
    'protocol.file.allow=always',
    '-c',
    'filter.lfs.process=',
    '-c',
    'filter.lfs.smudge=',
    '-c',
    'filter.lfs.required=false',
    '-c',
    'core.fsmonitor=false',
  ];
  const { stdout } = await run('git', [...safe, ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

async function isGitRepo(folder: string): Promise<boolean> {
  return stat(path.join(folder, '.git')).then(
    () => true,
    () => false,
  );
}

/**
 * Fetches a skill or a folder of skills (Agent Skills format: a folder with SKILL.md; also found
 * under skills/, .agents/skills, .claude/skills): a shallow clone of `ref` for a git source, pinned
 * to its commit, or a plain folder read as it is. Everything is validated and scanned; nothing runs.
 */
export async function fetchSkills(
  source: string,
  opts: { cwd: string; ref?: string },
): Promise<FetchedSource> {
  const where = resolveSource(source, opts.cwd);
  let root: string;
  let commit: string | undefined;
  let temp: string | undefined;
  const useGit = where.url !== undefined || (where.folder !== undefined && (await isGitRepo(where.folder)));
  if (useGit) {
    temp = await mkdtemp(path.join(os.tmpdir(), 'cairn-skill-install-'));
    const url = where.url ?? `file://${where.folder}`;
    try {
      await git([
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--no-recurse-submodules',
        ...(opts.ref ? ['--branch', opts.ref] : []),
        '--',
        url,
        path.join(temp, 'repo'),
      ]);
      root = path.join(temp, 'repo');
      commit = await git(['rev-parse', 'HEAD'], root);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw new Error(
        `could not fetch ${source}${opts.ref ? ` at ${opts.ref}` : ''}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
      );
    }
  } else {
    if (opts.ref) throw new Error(`${source} is not a git repository, so --ref does not apply.`);
    root = where.folder!;
  }
  const base = path.join(root, where.subpath);
  const skills: FetchedSkill[] = [];
  for (const dir of await skillFolders(base))
    skills.push(await readFetchedSkill(dir, path.relative(root, dir)));
  return {
    source,
    ...(opts.ref ? { ref: opts.ref } : {}),
    ...(commit ? { commit } : {}),
    skills,
    dispose: () => (temp ? rm(temp, { recursive: true, force: true }) : Promise.resolve()),
  };
}

async function hasSkillFile(dir: string): Promise<boolean> {
  return lstat(path.join(dir, 'SKILL.md')).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The skill at `base`, or the skills in its folders, or in its skills/, .agents/skills, .claude/skills. */
async function skillFolders(base: string): Promise<string[]> {
  if (await hasSkillFile(base)) return [base];
  for (const container of ['', 'skills', '.agents/skills', '.claude/skills', '.cairn/skills']) {
    const dir = path.join(base, container);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const found: string[] = [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (e.isDirectory() && !e.name.startsWith('.') && (await hasSkillFile(path.join(dir, e.name))))
        found.push(path.join(dir, e.name));
    if (found.length) return found;
  }
  return [];
}

async function readFetchedSkill(dir: string, subpath: string): Promise<FetchedSkill> {
  const files: SkillFiles = {};
  const sizes: Record<string, number> = {};
  const problems: string[] = [];
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const name = path.posix.join(rel, e.name);
      if (e.name === '.git') continue;
      if (e.isSymbolicLink()) problems.push(`${name} is a link (links are never installed)`);
      else if (e.isDirectory()) await walk(name);
      else if (e.isFile()) {
        const bytes = await readFile(path.join(dir, name));
        total += bytes.length;
        sizes[name] = bytes.length;
        if (bytes.includes(0)) {
          problems.push(
            `${name} is a binary file (only text is installed, so it can be reviewed and scanned)`,
          );
          continue;
        }
        files[name] = bytes.toString('utf8');
        const verdict = scanSkillText(files[name]);
        if (!verdict.ok) problems.push(`${name}: ${verdict.reasons.join('; ')}`);
      }
    }
  };
  await walk('');
  if (total > MAX_SKILL_BYTES) problems.push(`${total} bytes in all; the limit is ${MAX_SKILL_BYTES}`);
  let name = path.basename(dir);
  let description = '';
  try {
    const fm = parseSkillFile(files['SKILL.md'] ?? '', path.join(subpath, 'SKILL.md')).frontmatter;
    name = fm.name;
    description = fm.description;
  } catch (err) {
    problems.push(`invalid SKILL.md: ${(err as Error).message}`);
  }
  return { name, description, subpath, files, sizes, problems };
}
