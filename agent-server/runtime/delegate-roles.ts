import type { Skill, SkillCatalog } from '../skills/index.js';
import { TOOLSETS, type DelegatedTask, type Toolset } from '../tools/delegate.js';

/**
 * Delegate roles: skills the parent can name in a `delegate` task (`role`). A skill is a role
 * when its frontmatter says `metadata: { delegate-role: read | edit | full }` (or `true`, meaning
 * read); the value is the toolset a task of that role gets unless the task asks for one. The
 * skill's body becomes the child's instructions. Built in: explorer, reviewer, test-runner
 * (bundled skills); project and user skills can define more.
 */
export const ROLE_KEY = 'delegate-role';

export interface DelegateRole {
  name: string;
  description: string;
  toolset: Toolset;
  instructions: string;
}

/** A task with its role looked up and its toolset settled. */
export type ResolvedTask = Omit<DelegatedTask, 'toolset' | 'role'> & {
  toolset: Toolset;
  role?: DelegateRole;
};

/** Repository content cannot hand its children more than edits: `full` there counts as `edit`. */
const TRUSTED_SOURCES = new Set<Skill['source']>(['user', 'bundled']);

function roleToolset(skill: Skill): Toolset | undefined {
  const value = skill.metadata[ROLE_KEY];
  const toolset: Toolset | undefined = value === true ? 'read' : TOOLSETS.find((t) => t === value);
  if (toolset === 'full' && !TRUSTED_SOURCES.has(skill.source)) return 'edit';
  return toolset;
}

export function delegateRoles(catalog: Pick<SkillCatalog, 'skills'>): DelegateRole[] {
  return catalog.skills.flatMap((skill) => {
    const toolset = roleToolset(skill);
    return toolset
      ? [{ name: skill.name, description: skill.description, toolset, instructions: skill.body.trim() }]
      : [];
  });
}

/** The task with its role applied, or why it cannot run (an unknown role). */
export function resolveTask(
  task: DelegatedTask,
  catalog: Pick<SkillCatalog, 'skills'>,
): ResolvedTask | string {
  const { role: name, toolset, ...rest } = task;
  if (!name) return { ...rest, toolset: toolset ?? 'read' };
  const roles = delegateRoles(catalog);
  const role = roles.find((r) => r.name === name);
  if (!role)
    return (
      `There is no delegate role "${name}". ` +
      (roles.length ? `Roles: ${roles.map((r) => r.name).join(', ')}.` : 'No roles are installed.')
    );
  return { ...rest, toolset: toolset ?? role.toolset, role };
}
