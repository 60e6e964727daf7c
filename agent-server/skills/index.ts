import { scanContent } from '../security/content-scan.js';
import { readSkillRoots, SkillCatalog, type SkillScanner } from './catalog.js';
import { FrontmatterCache } from './frontmatter-cache.js';
import { SkillRecords } from './skill-records.js';

export { SkillCatalog, skillRoots } from './catalog.js';
export type {
  Skill,
  SkillSource,
  SkillRoot,
  ShadowedSkill,
  SkillLoadError,
  RefusedSkill,
  InactiveSkill,
  SkillScanner,
  ScanVerdict,
} from './catalog.js';
export { renderSkillsIndex, estimateTokens, SKILLS_INDEX_MAX_TOKENS } from './prompt-index.js';
export { skillCommands, expandSkillCommand, RESERVED_COMMAND_NAMES, type SkillCommand } from './commands.js';
export {
  FileSkillUsage,
  InMemorySkillUsage,
  type SkillUsageTracker,
  type SkillUsageRecord,
} from './usage.js';
export { SkillFormatError } from './skill-frontmatter.js';
export { createSkillTools, type SkillToolsOptions } from '../tools/skills-tools.js';
export { catalogNotices } from './notices.js';
export { SkillRecords, type SkillRecord, type SkillOrigin } from './skill-records.js';
export { UserSkillVersions, type SkillFiles } from './user-skill-versions.js';

/** Repo skills are checked with the same scanner as memory files and AGENTS.md. */
export const scanSkillText: SkillScanner = (text) => scanContent(text, 'skill');

export interface LoadSkillCatalogOptions {
  /** The session's workspace folder; without one only user and bundled skills are read. */
  cwd?: string;
  /** Cairn's home (`cairnHome()`); user skills live in `<home>/skills`. */
  home: string;
  /** Bundled skills (`bundledSkillsDir()` from config/package-root). */
  bundledDir?: string;
}

/** Reads all skill folders once for a session (project, .agents, .claude, user, bundled). */
export async function loadSkillCatalog(opts: LoadSkillCatalogOptions): Promise<SkillCatalog> {
  const disabled = await new SkillRecords(opts.home).disabled().catch((err: unknown) => {
    console.error('skills: could not read which skills are disabled:', err);
    return new Set<string>();
  });
  // One cache for the session's catalog: its reloads (a skill saved) parse only what changed.
  const options = { ...opts, scan: scanSkillText, disabled, frontmatter: FrontmatterCache.inHome(opts.home) };
  return new SkillCatalog(options, await readSkillRoots(options));
}
export { createSessionSkills, type SessionSkills, type SkillSlashCommand } from './session-skills.js';
