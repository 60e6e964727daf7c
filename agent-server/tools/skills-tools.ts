import type { ToolDefinition } from './types.js';
import type { SkillCatalog } from '../skills/catalog.js';
import type { SkillUsageTracker } from '../skills/usage.js';
import { createSkillsListTool } from './skills-list.js';
import { createSkillViewTool } from './skill-view.js';
import { createSkillManageTool } from './skills-manage.js';

export interface SkillToolsOptions {
  catalog: SkillCatalog;
  /** The session's workspace folder, if it has one (project scope). */
  cwd?: string;
  home: string;
  usage: SkillUsageTracker;
}

/** The three skill tools for one session: skills_list, skill_view, skill_manage. */
export function createSkillTools(opts: SkillToolsOptions): ToolDefinition[] {
  return [
    createSkillsListTool(opts.catalog),
    createSkillViewTool(opts.catalog, opts.usage),
    createSkillManageTool({ catalog: opts.catalog, ...(opts.cwd ? { cwd: opts.cwd } : {}), home: opts.home }),
  ] as ToolDefinition[];
}
