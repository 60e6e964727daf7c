import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { oneEditAtATime, proposeFileChange } from './edit-approval.js';

const Input = z
  .object({
    path: z.string().min(1).describe('File path, relative to the workspace root or absolute inside it'),
    old_string: z
      .string()
      .min(1)
      .describe('Exact text to replace, including whitespace; must be unique unless replace_all'),
    new_string: z.string().describe('Replacement text'),
    replace_all: z.boolean().optional().describe('Replace every occurrence instead of exactly one'),
  })
  .strict();

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) count++;
  return count;
}

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Replace an exact string in a file. old_string must match the file exactly (whitespace included) ' +
    'and be unique in it, unless replace_all is true. Read the file first.',
  inputSchema: Input,
  kind: 'edit',
  readOnly: false,
  asksApproval: true,
  describe(input, workspace) {
    const abs = workspace.paths.resolveForDisplay(input.path);
    return { title: `Edit ${workspace.paths.display(abs)}`, locations: [{ path: abs }] };
  },
  async run(input, ctx) {
    const abs = ctx.workspace.paths.resolve(input.path);
    return oneEditAtATime(abs, async () => {
      const shown = ctx.workspace.paths.display(abs);
      const oldText = await ctx.workspace.readText(abs);
      if (oldText === undefined) throw new ToolError(`${shown} does not exist. Use write_file to create it.`);
      if (input.old_string === input.new_string)
        throw new ToolError('old_string and new_string are the same; nothing to change.');

      // Files with Windows line endings: match the model's \n text against \r\n.
      let oldString = input.old_string;
      let newString = input.new_string;
      if (!oldText.includes(oldString) && oldText.includes('\r\n') && !oldString.includes('\r\n')) {
        oldString = oldString.replace(/\n/g, '\r\n');
        newString = newString.replace(/\n/g, '\r\n');
      }
      const count = countOccurrences(oldText, oldString);
      if (count === 0) {
        throw new ToolError(
          `old_string was not found in ${shown}. It must match exactly, including indentation and line breaks. ` +
            'Read the file again and copy the text as it is now.',
        );
      }
      if (count > 1 && !input.replace_all) {
        throw new ToolError(
          `old_string occurs ${count} times in ${shown}. Include more surrounding lines to make it unique, ` +
            'or set replace_all to change every occurrence.',
        );
      }
      const newText = input.replace_all
        ? oldText.split(oldString).join(newString)
        : oldText.replace(oldString, () => newString);
      const firstLine = oldText.slice(0, oldText.indexOf(oldString)).split('\n').length;
      const result = await proposeFileChange(ctx, {
        toolName: 'edit_file',
        absPath: abs,
        oldText,
        newText,
        summary: `Edited ${shown}: ${input.replace_all ? `${count} replacements` : `1 replacement at line ${firstLine}`}.`,
      });
      return { ...result, locations: [{ path: abs, line: firstLine }] };
    });
  },
});
