import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SkillFormatError, type SkillFrontmatter } from './skill-frontmatter.js';
import { FrontmatterCache } from './frontmatter-cache.js';
import { projectKey } from '../config/home.js';
import { anchoredAt, listSkillFolder, readSkillFile, type SkillFileRead } from './skill-disk.js';

/** Where a skill came from, highest precedence first. */
export type SkillSource = 'project' | 'agents' | 'claude' | 'user' | 'bundled';

export interface SkillRoot {
  source: SkillSource;
  dir: string;
  /** `skill_manage` may write here. */
  writable: boolean;
  /** Repo folders are untrusted input: links out of them are refused. */
  untrusted: boolean;
  /**
   * Scanned at every load and view. Repo folders, and the user folder too: sessions write it
   * (skill_manage) and so can anything else with access to Cairn's home, and what is there
   * reaches every project, so a skill saved clean once is not trusted afterwards.
   */
  scanned: boolean;
}

export interface Skill {
  name: string;
  description: string;
  /** `metadata.category` when given, else `general`. Groups the prompt index and `skills_list`. */
  category: string;
  version?: string;
  license?: string;
  platforms?: string[];
  metadata: Record<string, unknown>;
  source: SkillSource;
  root: SkillRoot;
  /** The skill's folder and its SKILL.md. */
  dir: string;
  file: string;
  body: string;
  /** Key for usage figures; repo skills are per project. */
  usageKey: string;
}

export interface ShadowedSkill {
  name: string;
  source: SkillSource;
  file: string;
  shadowedBy: SkillSource;
}
export interface SkillLoadError {
  file: string;
  source: SkillSource;
  message: string;
}
export interface RefusedSkill {
  name?: string;
  file: string;
  source: SkillSource;
  reasons: string[];
}
export interface InactiveSkill {
  name: string;
  file: string;
  source: SkillSource;
  reason: string;
}

export type ScanVerdict = { ok: true } | { ok: false; reasons: string[] };
export type SkillScanner = (text: string) => ScanVerdict;

export interface SkillCatalogOptions {
  /** The session's workspace; without one only user and bundled skills are read. */
  cwd?: string;
  /** Cairn's home (`$CAIRN_HOME`). */
  home: string;
  bundledDir?: string;
  scan: SkillScanner;
  platform?: NodeJS.Platform;
  /** Usage keys of skills the user disabled: listed as inactive, not loaded. */
  disabled?: ReadonlySet<string>;
  /** Parsed frontmatters seen before (default: the one in `home`). */
  frontmatter?: FrontmatterCache;
}

export interface SkillCatalogState {
  skills: Skill[];
  shadowed: ShadowedSkill[];
  errors: SkillLoadError[];
  refused: RefusedSkill[];
  inactive: InactiveSkill[];
}

const MAX_SKILL_FILE_BYTES = 256 * 1024;
const SOURCE_ORDER: SkillSource[] = ['project', 'agents', 'claude', 'user', 'bundled'];

export function skillRoots(opts: Pick<SkillCatalogOptions, 'cwd' | 'home' | 'bundledDir'>): SkillRoot[] {
  const roots: SkillRoot[] = [];
  const userDir = path.join(path.resolve(opts.home), 'skills');
  if (opts.cwd) {
    const cwd = path.resolve(opts.cwd);
    const projectDir = path.join(cwd, '.cairn', 'skills');
    // A session opened in the home folder would otherwise see the user's skills twice.
    if (projectDir !== userDir)
      roots.push({ source: 'project', dir: projectDir, writable: true, untrusted: true, scanned: true });
    roots.push({
      source: 'agents',
      dir: path.join(cwd, '.agents', 'skills'),
      writable: false,
      untrusted: true,
      scanned: true,
    });
    roots.push({
      source: 'claude',
      dir: path.join(cwd, '.claude', 'skills'),
      writable: false,
      untrusted: true,
      scanned: true,
    });
  }
  roots.push({ source: 'user', dir: userDir, writable: true, untrusted: false, scanned: true });
  if (opts.bundledDir)
    roots.push({
      source: 'bundled',
      dir: opts.bundledDir,
      writable: false,
      untrusted: false,
      scanned: false,
    });
  return roots;
}

export function sourceRank(source: SkillSource): number {
  return SOURCE_ORDER.indexOf(source);
}

const PLATFORM_ALIASES: Record<string, NodeJS.Platform> = {
  linux: 'linux',
  macos: 'darwin',
  darwin: 'darwin',
  osx: 'darwin',
  windows: 'win32',
  win32: 'win32',
};

function runsOn(platforms: string[] | undefined, platform: NodeJS.Platform): boolean {
  if (!platforms || platforms.length === 0) return true;
  return platforms.some((p) => PLATFORM_ALIASES[p.toLowerCase()] === platform);
}

async function isInsideReal(child: string, root: string): Promise<boolean> {
  try {
    const [realChild, realRoot] = await Promise.all([fs.realpath(child), fs.realpath(root)]);
    const rel = path.relative(realRoot, realChild);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}

export function usageKeyFor(
  root: Pick<SkillRoot, 'source' | 'untrusted'>,
  name: string,
  cwd: string | undefined,
): string {
  return root.untrusted && cwd ? `${root.source}:${projectKey(cwd)}:${name}` : `${root.source}:${name}`;
}

function toSkill(
  fm: SkillFrontmatter,
  body: string,
  root: SkillRoot,
  dir: string,
  file: string,
  cwd?: string,
): Skill {
  const metadata = fm.metadata ?? {};
  const category =
    typeof metadata.category === 'string' && metadata.category.trim() ? metadata.category.trim() : 'general';
  return {
    name: fm.name,
    description: fm.description,
    category,
    ...(fm.version !== undefined ? { version: fm.version } : {}),
    ...(fm.license !== undefined ? { license: fm.license } : {}),
    ...(fm.platforms !== undefined ? { platforms: fm.platforms } : {}),
    metadata,
    source: root.source,
    root,
    dir,
    file,
    body,
    usageKey: usageKeyFor(root, fm.name, cwd),
  };
}

/** Reads every root once, applying validation, the scan, platform filters and precedence. */
export async function readSkillRoots(opts: SkillCatalogOptions): Promise<SkillCatalogState> {
  const state: SkillCatalogState = { skills: [], shadowed: [], errors: [], refused: [], inactive: [] };
  const winners = new Map<string, Skill>();
  const platform = opts.platform ?? process.platform;
  const repo = opts.cwd ? anchoredAt(path.resolve(opts.cwd)) : undefined;
  const frontmatters = opts.frontmatter ?? FrontmatterCache.inHome(opts.home);
  for (const root of skillRoots(opts)) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await listSkillFolder(root.dir, root.untrusted ? repo : undefined);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        state.errors.push({
          file: root.dir,
          source: root.source,
          message: `cannot read folder: ${(err as Error).message}`,
        });
      }
      continue;
    }
    const seenHere = new Set<string>();
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      const dir = path.join(root.dir, entry.name);
      const file = path.join(dir, 'SKILL.md');
      // A repo could link a "skill" to anything on the machine; only folders really inside count.
      if (root.untrusted && entry.isSymbolicLink() && !(await isInsideReal(dir, root.dir))) {
        state.refused.push({
          file,
          source: root.source,
          reasons: ['the skill folder is a link to outside the repo'],
        });
        continue;
      }
      // Repo skills are opened anchored at the workspace: a SKILL.md that is (or becomes) a link
      // out of it is refused, never read.
      let read: SkillFileRead;
      try {
        read = await readSkillFile(file, MAX_SKILL_FILE_BYTES, root.untrusted ? repo : undefined);
      } catch (err) {
        state.errors.push({ file, source: root.source, message: `cannot read: ${(err as Error).message}` });
        continue;
      }
      if (read.kind === 'missing' || read.kind === 'not-file') {
        if (entry.isDirectory())
          state.errors.push({ file, source: root.source, message: 'no SKILL.md in this skill folder.' });
        continue;
      }
      if (read.kind === 'too-large') {
        state.errors.push({
          file,
          source: root.source,
          message: `SKILL.md is ${read.size} bytes; the limit is ${MAX_SKILL_FILE_BYTES}.`,
        });
        continue;
      }
      if (read.kind === 'refused') {
        state.refused.push({ file, source: root.source, reasons: ['SKILL.md links to outside the repo'] });
        continue;
      }
      const text = read.bytes.toString('utf8');
      let parsed;
      try {
        parsed = await frontmatters.parse(text, file);
      } catch (err) {
        const message =
          err instanceof SkillFormatError ? err.message.slice(file.length + 2) : (err as Error).message;
        state.errors.push({ file, source: root.source, message });
        continue;
      }
      const { frontmatter, body } = parsed;
      if (root.scanned) {
        const verdict = opts.scan(text);
        if (!verdict.ok) {
          state.refused.push({ name: frontmatter.name, file, source: root.source, reasons: verdict.reasons });
          continue;
        }
      }
      if (seenHere.has(frontmatter.name)) {
        state.errors.push({
          file,
          source: root.source,
          message: `another folder in ${root.dir} already defines a skill named "${frontmatter.name}"; this one is ignored.`,
        });
        continue;
      }
      seenHere.add(frontmatter.name);
      if (!runsOn(frontmatter.platforms, platform)) {
        state.inactive.push({
          name: frontmatter.name,
          file,
          source: root.source,
          reason: `only for ${frontmatter.platforms!.join(', ')}`,
        });
        continue;
      }
      if (opts.disabled?.has(usageKeyFor(root, frontmatter.name, opts.cwd))) {
        state.inactive.push({
          name: frontmatter.name,
          file,
          source: root.source,
          reason: 'disabled by the user (cairn skills enable to turn it back on)',
        });
        continue;
      }
      const winner = winners.get(frontmatter.name);
      if (winner) {
        state.shadowed.push({ name: frontmatter.name, source: root.source, file, shadowedBy: winner.source });
        continue;
      }
      const skill = toSkill(frontmatter, body, root, dir, file, opts.cwd);
      winners.set(skill.name, skill);
      state.skills.push(skill);
    }
  }
  state.skills.sort((a, b) => a.name.localeCompare(b.name));
  await frontmatters.save();
  return state;
}

function fingerprint(state: SkillCatalogState): string {
  return JSON.stringify([
    state.skills.map((s) => [s.name, s.source, s.description, s.file, s.body.length, s.body.slice(0, 64)]),
    state.refused.map((r) => r.file),
  ]);
}

/**
 * The skills a session can use. A snapshot that `refresh()` replaces after writes; listeners
 * hear about changes (the ACP adapter re-sends the slash command list).
 */
export class SkillCatalog {
  private listeners = new Set<(catalog: SkillCatalog) => void>();
  private print: string;

  constructor(
    readonly options: SkillCatalogOptions,
    private state: SkillCatalogState,
  ) {
    this.print = fingerprint(state);
  }

  get skills(): readonly Skill[] {
    return this.state.skills;
  }
  get shadowed(): readonly ShadowedSkill[] {
    return this.state.shadowed;
  }
  get errors(): readonly SkillLoadError[] {
    return this.state.errors;
  }
  get refused(): readonly RefusedSkill[] {
    return this.state.refused;
  }
  get inactive(): readonly InactiveSkill[] {
    return this.state.inactive;
  }
  get roots(): SkillRoot[] {
    return skillRoots(this.options);
  }

  get(name: string): Skill | undefined {
    return this.state.skills.find((s) => s.name === name);
  }

  /** Re-reads the folders; tells listeners when something they show changed. */
  async refresh(): Promise<boolean> {
    const next = await readSkillRoots(this.options);
    const print = fingerprint(next);
    this.state = next;
    if (print === this.print) return false;
    this.print = print;
    for (const listener of this.listeners) {
      try {
        listener(this);
      } catch (err) {
        console.error('skills: a change listener failed:', err);
      }
    }
    return true;
  }

  onChange(listener: (catalog: SkillCatalog) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
