import * as path from 'node:path';
import type { Skill, SkillCatalog } from './catalog.js';

/** Cairn's own slash commands; a skill with one of these names is not offered as a command. */
export const RESERVED_COMMAND_NAMES: readonly string[] = [
  'compact',
  'memory',
  'forget',
  'review-learning',
  'skills',
  'help',
];

export interface SkillCommand {
  name: string;
  description: string;
  hint?: string;
}

const MENU_DESCRIPTION_MAX = 200;

/** Every available skill as a slash command (ACP `available_commands_update`). */
export function skillCommands(catalog: Pick<SkillCatalog, 'skills'>): SkillCommand[] {
  return catalog.skills
    .filter((s) => !RESERVED_COMMAND_NAMES.includes(s.name))
    .map((s) => {
      const oneLine = s.description.replace(/\s+/g, ' ').trim();
      const description =
        oneLine.length > MENU_DESCRIPTION_MAX
          ? oneLine.slice(0, MENU_DESCRIPTION_MAX - 1).trimEnd() + '…'
          : oneLine;
      return { name: s.name, description, hint: 'what to apply the skill to (optional)' };
    });
}

function displayFile(skill: Skill): string {
  const cwd = skill.root.untrusted ? path.resolve(skill.root.dir, '..', '..') : undefined;
  return cwd ? path.relative(cwd, skill.file) : skill.file;
}

/**
 * The user message that loads a skill for this turn when the user types `/name args`.
 * The system prompt is left alone (it stays byte-stable); `undefined` when no such skill.
 */
export function expandSkillCommand(
  catalog: Pick<SkillCatalog, 'get'>,
  name: string,
  args: string,
): string | undefined {
  const skill = catalog.get(name);
  if (!skill || RESERVED_COMMAND_NAMES.includes(name)) return undefined;
  const request = args.trim();
  return [
    `The user invoked the skill /${skill.name}. Follow it for this request.`,
    '',
    `<skill name="${skill.name}" source="${skill.source}" file="${displayFile(skill)}">`,
    skill.body.trim(),
    '</skill>',
    '',
    'Linked files of this skill, if any, are read with skill_view (name and file_path).',
    request
      ? `Request: ${request}`
      : 'The user gave no further instructions: apply the skill to the current work.',
  ].join('\n');
}
