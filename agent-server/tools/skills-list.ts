import { z } from 'zod';
import { defineTool, type ToolDefinition } from './types.js';
import type { Skill, SkillCatalog } from '../skills/catalog.js';

function describeSource(skill: Skill): string {
  return skill.version ? `${skill.source}, v${skill.version}` : skill.source;
}

/** `skills_list {category?}`: every available skill, plus what was shadowed, refused or invalid. */
export function createSkillsListTool(
  catalog: SkillCatalog,
): ToolDefinition<{ category?: string | undefined }> {
  return defineTool({
    name: 'skills_list',
    description:
      'List the available skills (saved procedures) with their full descriptions, grouped by category. Also says which skills are shadowed by a higher-precedence one, and which were refused or are invalid. Load one with skill_view.',
    inputSchema: z.object({
      category: z.string().optional().describe('Only skills in this category'),
    }),
    kind: 'read',
    readOnly: true,
    describe: (input) => ({ title: input.category ? `List skills in ${input.category}` : 'List skills' }),
    async run(input) {
      const wanted = input.category?.trim().toLowerCase();
      const skills = catalog.skills.filter((s) => !wanted || s.category.toLowerCase() === wanted);
      const lines: string[] = [];
      if (skills.length === 0) {
        const categories = [...new Set(catalog.skills.map((s) => s.category))].sort();
        lines.push(
          wanted
            ? `No skills in category "${input.category}". Categories: ${categories.join(', ') || 'none'}.`
            : 'No skills are installed.',
        );
      }
      const byCategory = new Map<string, Skill[]>();
      for (const s of skills) byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s]);
      for (const category of [...byCategory.keys()].sort()) {
        lines.push(`## ${category}`);
        for (const s of byCategory.get(category)!)
          lines.push(`- ${s.name} (${describeSource(s)}): ${s.description}`);
      }
      if (catalog.shadowed.length) {
        lines.push('', 'Shadowed (a skill with the same name in a higher-precedence place wins):');
        for (const s of catalog.shadowed)
          lines.push(`- ${s.name} from ${s.source} is shadowed by ${s.name} from ${s.shadowedBy}`);
      }
      if (catalog.refused.length) {
        lines.push('', 'Refused (not loaded, the content looks unsafe):');
        for (const r of catalog.refused)
          lines.push(`- ${r.name ?? r.file} (${r.source}, ${r.file}): ${r.reasons.join('; ')}`);
      }
      if (catalog.errors.length) {
        lines.push('', 'Invalid (not loaded):');
        for (const e of catalog.errors) lines.push(`- ${e.file}: ${e.message}`);
      }
      if (catalog.inactive.length) {
        lines.push('', 'Not for this platform:');
        for (const i of catalog.inactive) lines.push(`- ${i.name} (${i.source}): ${i.reason}`);
      }
      return {
        forModel: lines.join('\n'),
        rawOutput: {
          skills: skills.map((s) => ({
            name: s.name,
            description: s.description,
            category: s.category,
            source: s.source,
          })),
          shadowed: catalog.shadowed,
          refused: catalog.refused,
          errors: catalog.errors,
        },
      };
    },
  });
}
