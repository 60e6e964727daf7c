import { parseDocument, isMap, Scalar } from 'yaml';
import {
  FRONTMATTER,
  SkillFormatError,
  splitFrontmatter,
  validateFrontmatter,
  type ParsedSkillFile,
} from './skill-frontmatter.js';

export {
  SKILL_DESCRIPTION_MAX,
  SKILL_NAME_MAX,
  SKILL_NAME_PATTERN,
  SkillFormatError,
  SkillFrontmatterSchema,
  type ParsedSkillFile,
  type SkillFrontmatter,
} from './skill-frontmatter.js';

/** What YAML makes of a frontmatter block (a plain object), or a SkillFormatError naming `file`. */
export function frontmatterToJs(yaml: string, file: string): unknown {
  const doc = parseDocument(yaml, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SkillFormatError(file, `frontmatter is not valid YAML: ${doc.errors[0]!.message}`);
  }
  if (!isMap(doc.contents)) {
    throw new SkillFormatError(file, 'frontmatter must be a YAML mapping with name and description.');
  }
  return doc.toJS() as unknown;
}

/** Splits and validates a SKILL.md. Throws SkillFormatError naming `file` and what to fix. */
export function parseSkillFile(text: string, file: string): ParsedSkillFile {
  const { yaml, bodyStart } = splitFrontmatter(text, file);
  return { frontmatter: validateFrontmatter(frontmatterToJs(yaml, file), file), body: text.slice(bodyStart) };
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
