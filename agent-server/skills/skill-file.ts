import { parseDocument, isMap, Scalar } from 'yaml';
import { z } from 'zod';

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

const FRONTMATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Splits and validates a SKILL.md. Throws SkillFormatError naming `file` and what to fix. */
export function parseSkillFile(text: string, file: string): ParsedSkillFile {
  const match = FRONTMATTER.exec(text);
  if (!match) {
    throw new SkillFormatError(
      file,
      'missing YAML frontmatter: the file must start with a "---" line, then name and description, then "---".',
    );
  }
  const doc = parseDocument(match[1] ?? '', { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SkillFormatError(file, `frontmatter is not valid YAML: ${doc.errors[0]!.message}`);
  }
  if (!isMap(doc.contents)) {
    throw new SkillFormatError(file, 'frontmatter must be a YAML mapping with name and description.');
  }
  const parsed = SkillFrontmatterSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const where = i.path.length ? i.path.join('.') : 'frontmatter';
      return i.message.startsWith(String(i.path[0] ?? '')) ? i.message : `${where}: ${i.message}`;
    });
    throw new SkillFormatError(file, `invalid frontmatter: ${problems.join('; ')}`);
  }
  return { frontmatter: parsed.data, body: text.slice(match[0].length) };
}

/**
 * Sets `metadata.<key>` for each entry, keeping the rest of the frontmatter as written
 * (comments, order). Used to record who wrote a skill and when.
 */
export function stampFrontmatter(text: string, entries: Record<string, string>): string {
  const match = FRONTMATTER.exec(text);
  if (!match) return text;
  const doc = parseDocument(match[1] ?? '');
  for (const [key, value] of Object.entries(entries)) {
    // Quoted, so YAML 1.1 readers (other agents) keep timestamps as the strings the format expects.
    const scalar = new Scalar(value);
    scalar.type = Scalar.QUOTE_DOUBLE;
    doc.setIn(['metadata', key], scalar);
  }
  const yamlText = doc.toString().replace(/\n+$/, '');
  return `---\n${yamlText}\n---\n${text.slice(match[0].length)}`;
}
