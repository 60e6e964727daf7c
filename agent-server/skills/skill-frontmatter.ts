import { z } from 'zod';

/**
 * A SKILL.md's frontmatter without the YAML parser: the format's limits, the schema Cairn
 * reads, splitting the frontmatter off and validating what YAML made of it. The parser itself
 * (skill-file.ts) is loaded only when a frontmatter is not in the parse cache.
 */

/** Limits from the Agent Skills format, shared by every agent that reads these folders. */
export const SKILL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;

const nameSchema = z
  .string({ error: 'name is required (a string)' })
  .min(1, 'name is required')
  .max(SKILL_NAME_MAX, `name must be at most ${SKILL_NAME_MAX} characters`)
  .regex(
    SKILL_NAME_PATTERN,
    'name must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/**
 * The frontmatter Cairn reads. Unknown keys (`allowed-tools`, `compatibility`, ...) are kept for
 * other agents but have no effect here: in particular nothing in a skill can grant permissions.
 */
export const SkillFrontmatterSchema = z
  .object({
    name: nameSchema,
    description: z
      .string({ error: 'description is required (a string)' })
      .trim()
      .min(1, 'description is required')
      .max(SKILL_DESCRIPTION_MAX, `description must be at most ${SKILL_DESCRIPTION_MAX} characters`),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    license: z.string().optional(),
    platforms: z.array(z.string()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export type SkillFrontmatter = z.infer<typeof SkillFrontmatterSchema>;

export interface ParsedSkillFile {
  frontmatter: SkillFrontmatter;
  body: string;
}

export class SkillFormatError extends Error {
  override name = 'SkillFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export const FRONTMATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** The frontmatter block and where the body starts, or a SkillFormatError naming `file`. */
export function splitFrontmatter(text: string, file: string): { yaml: string; bodyStart: number } {
  const match = FRONTMATTER.exec(text);
  if (!match) {
    throw new SkillFormatError(
      file,
      'missing YAML frontmatter: the file must start with a "---" line, then name and description, then "---".',
    );
  }
  return { yaml: match[1] ?? '', bodyStart: match[0].length };
}

/** Checks what YAML made of the frontmatter against the schema. */
export function validateFrontmatter(value: unknown, file: string): SkillFrontmatter {
  const parsed = SkillFrontmatterSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const where = i.path.length ? i.path.join('.') : 'frontmatter';
      return i.message.startsWith(String(i.path[0] ?? '')) ? i.message : `${where}: ${i.message}`;
    });
    throw new SkillFormatError(file, `invalid frontmatter: ${problems.join('; ')}`);
  }
  return parsed.data;
}
