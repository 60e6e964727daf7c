import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext, type ToolDefinition, type ToolResult } from './types.js';
import type { SkillCatalog } from '../skills/catalog.js';
import { SKILL_NAME_MAX, SKILL_NAME_PATTERN } from '../skills/skill-frontmatter.js';
import { checkWritableLinkedPath, listLinkedFiles, resolveLinkedFile } from '../skills/linked-files.js';
import { applyChange, removeReviewed, type Change, type Scope } from './skills-write-review.js';
import { anchoredAt, readSkillFile, readSkillText } from '../skills/skill-disk.js';
import { usageKeyFor } from '../skills/catalog.js';
import { SkillRecords } from '../skills/skill-records.js';
import { UserSkillVersions, type SkillFiles } from '../skills/user-skill-versions.js';

const ACTIONS = ['create', 'patch', 'edit', 'delete', 'write_file', 'remove_file'] as const;
const MAX_CONTENT_CHARS = 256 * 1024;

export const SkillManageInput = z.object({
  action: z.enum(ACTIONS),
  name: z.string().min(1).describe('Skill name: lowercase letters, digits, ".", "_", "-"'),
  scope: z
    .enum(['project', 'user'])
    .optional()
    .describe(
      'project: .cairn/skills in the repo (shared through git; default when there is a workspace). user: ~/.cairn/skills',
    ),
  content: z
    .string()
    .optional()
    .describe(
      'create/edit: the whole SKILL.md (YAML frontmatter with name and description, then Markdown). write_file: the file text',
    ),
  old_string: z.string().optional().describe('patch: exact text to replace (must occur once)'),
  new_string: z.string().optional().describe('patch: replacement text'),
  file_path: z
    .string()
    .optional()
    .describe('write_file/remove_file (and optionally patch): a linked file such as references/notes.md'),
});
export type SkillManageInput = z.infer<typeof SkillManageInput>;

export interface SkillManageOptions {
  catalog: SkillCatalog;
  /** The session's workspace; `undefined` means only the user scope exists. */
  cwd?: string;
  home: string;
  now?: () => Date;
}

const FORMAT_HINT =
  'A SKILL.md starts with YAML frontmatter, e.g.\n---\nname: my-skill\ndescription: What it does and when to use it.\n---\n# My skill\nSteps...';

function scopeDir(opts: SkillManageOptions, scope: Scope): string {
  if (scope === 'project') {
    if (!opts.cwd)
      throw new ToolError(
        'This session has no workspace folder, so there is no project scope: use scope "user".',
      );
    return path.join(path.resolve(opts.cwd), '.cairn', 'skills');
  }
  return path.join(opts.home, 'skills');
}

/**
 * A skill file's text, `undefined` when missing. Project skills are in the repository: opened
 * anchored at the workspace, so a file that is (or is swapped for) a link out is never read.
 */
async function readIfExists(
  opts: SkillManageOptions,
  scope: Scope,
  file: string,
): Promise<string | undefined> {
  const within = scopeAnchor(opts, scope);
  if (within) return readSkillText(file, within, MAX_CONTENT_CHARS * 4);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function scopeAnchor(opts: SkillManageOptions, scope: Scope) {
  return scope === 'project' && opts.cwd ? anchoredAt(path.resolve(opts.cwd)) : undefined;
}

/** Where an existing skill that `skill_manage` may change lives. */
function locateExisting(
  opts: SkillManageOptions,
  name: string,
  scope: Scope | undefined,
): { scope: Scope; dir: string } {
  const winner = opts.catalog.get(name);
  if (scope) {
    if (winner && winner.source === scope) return { scope, dir: winner.dir };
    return { scope, dir: path.join(scopeDir(opts, scope), name) };
  }
  if (winner) {
    if (winner.source === 'project' || winner.source === 'user')
      return { scope: winner.source, dir: winner.dir };
    throw new ToolError(
      `The skill "${name}" comes from ${winner.source} (${winner.file}), which Cairn does not change. To correct it, create a skill with the same name (action create, scope project) holding the fixed text: it will take precedence.`,
    );
  }
  const shadowedWritable = opts.catalog.shadowed.find(
    (s) => s.name === name && (s.source === 'project' || s.source === 'user'),
  );
  if (shadowedWritable)
    return { scope: shadowedWritable.source as Scope, dir: path.dirname(shadowedWritable.file) };
  const fallback: Scope = opts.cwd ? 'project' : 'user';
  return { scope: fallback, dir: path.join(scopeDir(opts, fallback), name) };
}

/** Validates a full SKILL.md for `name` and records who changed it and when. */
async function prepareSkillText(
  text: string,
  name: string,
  file: string,
  stamp: Record<string, string>,
): Promise<string> {
  if (text.length > MAX_CONTENT_CHARS)
    throw new ToolError(`The content is too long (limit ${MAX_CONTENT_CHARS} characters).`);
  // The YAML parser loads when a skill is written, not with every session.
  const { parseSkillFile, stampFrontmatter } = await import('../skills/skill-file.js');
  let parsed;
  try {
    parsed = parseSkillFile(text, file);
  } catch (err) {
    throw new ToolError(`${(err as Error).message}\n${FORMAT_HINT}`);
  }
  if (parsed.frontmatter.name !== name) {
    throw new ToolError(
      `The frontmatter name "${parsed.frontmatter.name}" must match the skill name "${name}".`,
    );
  }
  const stamped = stampFrontmatter(text, stamp);
  return stamped.endsWith('\n') ? stamped : stamped + '\n';
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) count++;
  return count;
}

function displayPath(opts: SkillManageOptions, abs: string): string {
  if (opts.cwd) {
    const rel = path.relative(path.resolve(opts.cwd), abs);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return abs;
}

/**
 * `skill_manage`: create, patch, edit or delete skills and their linked files. Every write is
 * reviewed like any edit (permission request with a diff); agent-written content is scanned
 * too, since a skill persists and later sessions follow it.
 */
export function createSkillManageTool(opts: SkillManageOptions): ToolDefinition<SkillManageInput> {
  const now = opts.now ?? (() => new Date());
  const scan = opts.catalog.options.scan;
  const records = new SkillRecords(opts.home);
  const versions = new UserSkillVersions(opts.home);

  /**
   * After a change the user approved: where it came from goes beside the skill (never into the
   * text the model reads), and a user skill gets a new version.
   */
  async function recordChange(
    scope: Scope,
    name: string,
    dir: string,
    action: SkillManageInput['action'],
    before: SkillFiles | null,
    ctx: ToolContext,
  ): Promise<void> {
    const provenance = ctx.provenance?.();
    const key = usageKeyFor({ source: scope, untrusted: scope === 'project' }, name, opts.cwd);
    try {
      await records.update(key, (prev) =>
        action === 'delete' ? undefined : { ...prev, ...(provenance ? { provenance } : {}), action },
      );
      if (scope === 'user')
        await versions.record(name, {
          before,
          after: action === 'delete' ? null : await versions.read(dir),
          ...(provenance ? { provenance } : {}),
        });
    } catch (err) {
      // The change itself is made; its record is bookkeeping. Say so where the user looks.
      console.error(`skills: could not record the change to ${name}:`, err);
    }
  }

  async function userFilesBefore(scope: Scope, dir: string): Promise<SkillFiles | null> {
    return scope === 'user' ? versions.read(dir) : null;
  }

  function refuseUnsafe(text: string, what: string): void {
    const verdict = scan(text);
    if (!verdict.ok) throw new ToolError(`Refused to save ${what}: ${verdict.reasons.join('; ')}.`);
  }

  async function run(input: SkillManageInput, ctx: ToolContext): Promise<ToolResult> {
    const { name, action } = input;
    if (name.length > SKILL_NAME_MAX || !SKILL_NAME_PATTERN.test(name)) {
      throw new ToolError(
        `Invalid skill name "${name}": use lowercase letters, digits, ".", "_" or "-" (starting with a letter or digit), at most ${SKILL_NAME_MAX} characters.`,
      );
    }
    const stamp = now().toISOString();

    if (action === 'create') {
      const scope: Scope = input.scope ?? (opts.cwd ? 'project' : 'user');
      const dir = path.join(scopeDir(opts, scope), name);
      const file = path.join(dir, 'SKILL.md');
      if (input.content === undefined)
        throw new ToolError(`create needs content: the whole SKILL.md.\n${FORMAT_HINT}`);
      if ((await readIfExists(opts, scope, file)) !== undefined) {
        throw new ToolError(
          `A ${scope} skill "${name}" already exists (${displayPath(opts, file)}): use patch or edit.`,
        );
      }
      const newText = await prepareSkillText(input.content, name, file, {
        created_by: 'agent',
        created_at: stamp,
      });
      refuseUnsafe(newText, `skill "${name}"`);
      const title = `Create ${scope} skill ${name}`;
      const before = await userFilesBefore(scope, dir);
      const refusal = await applyChange({ scope, file, oldText: undefined, newText, title }, ctx, input);
      if (refusal) return refusal;
      await recordChange(scope, name, dir, action, before, ctx);
      const previous = opts.catalog.get(name);
      await opts.catalog.refresh();
      const notes = [`Created ${displayPath(opts, file)} (${scope} skill).`];
      if (scope === 'project') notes.push('It is in the repo: commit it to share it with the team.');
      if (previous && previous.source !== scope) {
        const higher = opts.catalog.get(name)?.source;
        notes.push(
          higher === scope
            ? `It takes precedence over the ${previous.source} skill of the same name.`
            : `Note: the ${previous.source} skill of the same name takes precedence over it.`,
        );
      }
      return {
        forModel: notes.join(' '),
        content: [{ type: 'diff', path: file, oldText: null, newText }],
        locations: [{ path: file }],
      };
    }

    const { scope, dir } = locateExisting(opts, name, input.scope);
    const skillFile = path.join(dir, 'SKILL.md');
    const current = await readIfExists(opts, scope, skillFile);
    const before = current === undefined ? null : await userFilesBefore(scope, dir);
    if (current === undefined) {
      throw new ToolError(
        `There is no ${scope} skill "${name}" (${displayPath(opts, skillFile)} does not exist).`,
      );
    }

    let change: Change;
    switch (action) {
      case 'edit': {
        if (input.content === undefined) throw new ToolError('edit needs content: the whole new SKILL.md.');
        const newText = await prepareSkillText(input.content, name, skillFile, {
          updated_by: 'agent',
          updated_at: stamp,
        });
        refuseUnsafe(newText, `skill "${name}"`);
        change = { scope, file: skillFile, oldText: current, newText, title: `Edit ${scope} skill ${name}` };
        break;
      }
      case 'patch': {
        if (input.old_string === undefined || input.new_string === undefined) {
          throw new ToolError('patch needs old_string (exact text, occurring once) and new_string.');
        }
        if (input.old_string === '') throw new ToolError('old_string must not be empty.');
        const target = input.file_path ? await resolveLinkedFile(dir, input.file_path) : skillFile;
        const before = input.file_path ? await readIfExists(opts, scope, target) : current;
        if (before === undefined) throw new ToolError(`The skill "${name}" has no file ${input.file_path}.`);
        const n = countOccurrences(before, input.old_string);
        if (n === 0)
          throw new ToolError(
            `old_string was not found in ${displayPath(opts, target)}. View the skill and copy the text exactly.`,
          );
        if (n > 1)
          throw new ToolError(
            `old_string occurs ${n} times in ${displayPath(opts, target)}: include more surrounding text so it is unique.`,
          );
        const patched = before.replace(input.old_string, () => input.new_string!);
        const newText =
          target === skillFile
            ? await prepareSkillText(patched, name, skillFile, { updated_by: 'agent', updated_at: stamp })
            : patched;
        refuseUnsafe(newText, `the change to skill "${name}"`);
        change = { scope, file: target, oldText: before, newText, title: `Patch ${scope} skill ${name}` };
        break;
      }
      case 'write_file': {
        if (!input.file_path || input.content === undefined)
          throw new ToolError('write_file needs file_path and content.');
        checkWritableLinkedPath(input.file_path);
        if (input.content.length > MAX_CONTENT_CHARS)
          throw new ToolError(`The content is too long (limit ${MAX_CONTENT_CHARS} characters).`);
        const target = await resolveLinkedFile(dir, input.file_path);
        refuseUnsafe(input.content, `${input.file_path} of skill "${name}"`);
        change = {
          scope,
          file: target,
          oldText: await readIfExists(opts, scope, target),
          newText: input.content,
          title: `Write ${input.file_path} in ${scope} skill ${name}`,
        };
        break;
      }
      case 'remove_file': {
        if (!input.file_path) throw new ToolError('remove_file needs file_path.');
        const target = await resolveLinkedFile(dir, input.file_path);
        if (target === skillFile)
          throw new ToolError('SKILL.md cannot be removed on its own: use action delete.');
        const text = await readIfExists(opts, scope, target);
        if (text === undefined) throw new ToolError(`The skill "${name}" has no file ${input.file_path}.`);
        const refusal = await removeReviewed(
          scope,
          target,
          [{ path: target, text }],
          `Remove ${input.file_path} from ${scope} skill ${name}`,
          ctx,
          input,
        );
        if (refusal) return refusal;
        await recordChange(scope, name, dir, action, before, ctx);
        return { forModel: `Removed ${displayPath(opts, target)}.`, locations: [{ path: target }] };
      }
      case 'delete': {
        const files = [{ path: skillFile, text: current }];
        for (const rel of await listLinkedFiles(dir, scopeAnchor(opts, scope))) {
          const abs = path.join(dir, rel);
          const read = await readSkillFile(abs, MAX_CONTENT_CHARS, scopeAnchor(opts, scope));
          if (read.kind === 'file') files.push({ path: abs, text: read.bytes.toString('utf8') });
        }
        const refusal = await removeReviewed(scope, dir, files, `Delete ${scope} skill ${name}`, ctx, input);
        if (refusal) return refusal;
        await recordChange(scope, name, dir, action, before, ctx);
        await opts.catalog.refresh();
        const still = opts.catalog.get(name);
        return {
          forModel: `Deleted the ${scope} skill "${name}" (${displayPath(opts, dir)}).${still ? ` The ${still.source} skill of the same name is now the one in use.` : ''}`,
        };
      }
    }
    const refusal = await applyChange(change, ctx, input);
    if (refusal) return refusal;
    await recordChange(scope, name, dir, action, before, ctx);
    await opts.catalog.refresh();
    const verb = action === 'write_file' ? 'Wrote' : 'Updated';
    return {
      forModel: `${verb} ${displayPath(opts, change.file)} (${scope} skill "${name}").`,
      content: [
        { type: 'diff', path: change.file, oldText: change.oldText ?? null, newText: change.newText },
      ],
      locations: [{ path: change.file }],
    };
  }

  return defineTool({
    name: 'skill_manage',
    description:
      'Create or change a skill (a saved procedure that later sessions can load). Actions: create (content = whole SKILL.md), patch (old_string -> new_string, in SKILL.md or a linked file_path), edit (replace SKILL.md), delete, write_file / remove_file (linked files under references/, templates/, scripts/, assets/). The user reviews every change as a diff. Default scope: project (.cairn/skills, shared through git) when there is a workspace.',
    inputSchema: SkillManageInput,
    kind: 'edit',
    readOnly: false,
    asksApproval: true,
    describe(input) {
      const verb = {
        create: 'Create',
        patch: 'Patch',
        edit: 'Edit',
        delete: 'Delete',
        write_file: 'Write file in',
        remove_file: 'Remove file from',
      }[input.action];
      let location: string | undefined;
      try {
        const scope: Scope = input.scope ?? (opts.cwd ? 'project' : 'user');
        location = path.join(scopeDir(opts, scope), input.name, input.file_path ?? 'SKILL.md');
      } catch {
        location = undefined;
      }
      return {
        title: `${verb} skill ${input.name}`,
        ...(location ? { locations: [{ path: location }] } : {}),
      };
    },
    run,
  });
}
