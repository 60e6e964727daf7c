import { z } from 'zod';
import { defineTool } from './types.js';
import { oneEditAtATime, proposeFileChange } from './edit-approval.js';

const Input = z
  .object({
    path: z.string().min(1).describe('File path, relative to the workspace root or absolute inside it'),
    content: z.string().describe('The complete new content of the file'),
  })
  .strict();

export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Create a file or replace its whole content. Prefer edit_file for changes to an existing file. ' +
    'Folders are created as needed.',
  inputSchema: Input,
  kind: 'edit',
  readOnly: false,
  asksApproval: true,
  describe(input, workspace) {
    const abs = workspace.paths.resolveForDisplay(input.path);
    return { title: `Write ${workspace.paths.display(abs)}`, locations: [{ path: abs }] };
  },
  async run(input, ctx) {
    const abs = ctx.workspace.paths.resolve(input.path);
    return oneEditAtATime(abs, async () => {
      const oldText = await ctx.workspace.readText(abs);
      const lines = input.content === '' ? 0 : input.content.split('\n').length;
      const shown = ctx.workspace.paths.display(abs);
      return proposeFileChange(ctx, {
        toolName: 'write_file',
        absPath: abs,
        oldText,
        newText: input.content,
        summary:
          oldText === undefined
            ? `Created ${shown} (${lines} lines).`
            : `Replaced ${shown} (${lines} lines).`,
      });
    });
  },
});
