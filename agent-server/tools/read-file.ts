import { z } from 'zod';
import { defineTool, ToolError } from './types.js';

const MAX_FILE_BYTES = 10 * 1024 * 1024;
const DEFAULT_LINE_LIMIT = 2000;
/** Longer lines (minified code) are cut here; how much of the result the model reads is the runner's rule. */
const MAX_LINE_CHARS = 2000;
/** Room kept for the closing "[Showing lines …]" note. */
const NOTE_LINES = 2;
const NOTE_BYTES = 200;

function pageBudget(budget: { maxBytes: number; maxLines: number } | undefined): {
  maxBytes: number;
  maxLines: number;
} {
  if (!budget) return { maxBytes: Number.POSITIVE_INFINITY, maxLines: Number.POSITIVE_INFINITY };
  return {
    maxBytes: Math.max(1, budget.maxBytes - NOTE_BYTES),
    maxLines: Math.max(1, budget.maxLines - NOTE_LINES),
  };
}

const Input = z
  .object({
    path: z.string().min(1).describe('File path, relative to the workspace root or absolute inside it'),
    offset: z.number().int().min(1).optional().describe('1-based line to start reading at'),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(`How many lines to read (default ${DEFAULT_LINE_LIMIT})`),
  })
  .strict();

/** Bytes looked at to judge a file binary (a NUL byte among them, as git and ripgrep judge). */
const BINARY_SNIFF_BYTES = 8192;

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file from the workspace. Output has line numbers (`  12\\tcode`). ' +
    `Reads up to ${DEFAULT_LINE_LIMIT} lines; use offset/limit to page through long files.`,
  inputSchema: Input,
  kind: 'read',
  readOnly: true,
  describe(input, workspace) {
    const abs = workspace.paths.resolveForDisplay(input.path);
    const range = input.offset ? ` (from line ${input.offset})` : '';
    return {
      title: `Read ${workspace.paths.display(abs)}${range}`,
      locations: [{ path: abs, line: input.offset ?? 1 }],
    };
  },
  async run(input, ctx) {
    // A result saved whole by the runner (cut for the model) is read from the session's own
    // folder in Cairn's home, anchored there: the one place outside the workspace, read-only.
    const saved = ctx.savedOutputs?.owns(input.path);
    const files = saved !== undefined && ctx.savedOutputs ? ctx.savedOutputs : ctx.workspace;
    const abs = saved ?? ctx.workspace.paths.resolve(input.path);
    const shown = saved ?? ctx.workspace.paths.display(abs);
    // Opened without following links out of the workspace, like the read below.
    const info = await files.inspect(abs, BINARY_SNIFF_BYTES);
    if (info.kind === 'directory')
      throw new ToolError(`${shown} is a folder. Use search_files to list or search it.`);
    if (info.kind === 'other')
      throw new ToolError(`${shown} is not a regular file; read_file only reads files.`);
    if (info.kind === 'file') {
      if (info.size > MAX_FILE_BYTES && !input.limit) {
        throw new ToolError(
          `${shown} is ${(info.size / 1024 / 1024).toFixed(1)} MB, too large to read whole. ` +
            'Read a range with offset and limit, or use search_files to find the part you need.',
        );
      }
      if (info.head.includes(0)) throw new ToolError(`${shown} is a binary file; read_file only reads text.`);
    }
    const text = await files.readText(abs);
    if (text === undefined) throw new ToolError(`${shown} does not exist.`);

    const lines = text.split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const start = (input.offset ?? 1) - 1;
    if (start >= lines.length && lines.length > 0) {
      throw new ToolError(`${shown} has ${lines.length} lines; offset ${input.offset} is past the end.`);
    }
    const end = Math.min(lines.length, start + (input.limit ?? DEFAULT_LINE_LIMIT));
    const width = String(end).length;
    // The page ends where the model's view of the result would: whole lines and a pointer to
    // the rest, never a result the runner has to cut in the middle.
    const page = pageBudget(ctx.outputBudget);
    let out = '';
    let bytes = 0;
    let i = start;
    for (; i < end; i++) {
      let line = lines[i]!;
      if (line.length > MAX_LINE_CHARS)
        line = line.slice(0, MAX_LINE_CHARS) + ` … [line cut at ${MAX_LINE_CHARS} chars]`;
      const numbered = `${String(i + 1).padStart(width)}\t${line}\n`;
      const size = Buffer.byteLength(numbered);
      if (i > start && (i - start >= page.maxLines || bytes + size > page.maxBytes)) break;
      out += numbered;
      bytes += size;
    }
    if (lines.length === 0 || text === '') out = '(empty file)\n';
    if (i < lines.length) {
      out += `\n[Showing lines ${start + 1}-${i} of ${lines.length}. Use offset=${i + 1} to read more.]`;
    }
    return { forModel: out, locations: [{ path: abs, line: start + 1 }] };
  },
});
