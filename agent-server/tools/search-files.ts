import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { z } from 'zod';
import { defineTool, ToolError } from './types.js';
import { ripgrepPath } from './ripgrep-path.js';
import { MAX_SEARCH_FILE_BYTES, nodeSearch, type SearchHit } from './node-search.js';
import { confirmHits } from './search-confirm.js';
import { errorMessage } from '../../shared/error-message.js';

const MAX_HITS = 200;
const MAX_LINE = 300;

const Input = z
  .object({
    pattern: z.string().min(1).describe('Regular expression (ripgrep syntax) to search file contents for'),
    path: z.string().optional().describe('Folder or file to search in (default: the workspace root)'),
    glob: z.string().optional().describe('Only files matching this glob, e.g. "*.ts" or "src/**/*.py"'),
    files_only: z.boolean().optional().describe('List matching files instead of matching lines'),
  })
  .strict();

function runRipgrep(
  rg: string,
  args: string[],
  cwd: string,
  signal: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(rg, args, { cwd, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      lines += d.split('\n').length - 1;
      if (lines > MAX_HITS + 1) child.kill();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => (signal.aborted ? resolve({ code: null, stdout, stderr }) : reject(err)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function parseRipgrepLine(line: string): SearchHit | undefined {
  if (!line) return undefined;
  const m = /^(.*?):(\d+):(.*)$/.exec(line);
  return m ? { file: m[1]!, line: Number(m[2]), text: m[3] } : undefined;
}

/**
 * What the model hears when ripgrep fails: its own words for a bad pattern, else no detail, since
 * other messages name the files it could not open (which, mid-swap, may be in the home folder).
 */
function searchError(stderr: string): string {
  const text = stderr.trim();
  return /regex parse error|error parsing glob|unrecognized flag/i.test(text)
    ? text
    : 'ripgrep could not complete the search';
}

export const searchFilesTool = defineTool({
  name: 'search_files',
  description:
    'Search file contents in the workspace with a regular expression (ripgrep; respects .gitignore). ' +
    'Returns path:line:text, or just paths with files_only. Use glob to narrow by file name.',
  inputSchema: Input,
  kind: 'search',
  readOnly: true,
  describe(input) {
    const where = input.path ? ` in ${input.path}` : '';
    const glob = input.glob ? ` (${input.glob})` : '';
    return { title: `Search /${input.pattern}/${where}${glob}`, locations: [] };
  },
  async run(input, ctx) {
    const root = ctx.workspace.paths.root;
    const target = ctx.workspace.paths.resolve(input.path ?? '.');
    const filesOnly = input.files_only ?? false;
    const rg = ripgrepPath();
    const readSafely = (abs: string) => ctx.workspace.inspect(abs, MAX_SEARCH_FILE_BYTES);
    let hits: SearchHit[];
    let truncated: boolean;
    if (rg) {
      // --no-require-git: honour .gitignore in folders that are not (yet) git repositories too.
      // Never --follow: symlinks met while walking (files and folders) are skipped, not searched.
      // Always line numbers, one hit a file for files_only: every hit is checked against the file.
      const args = [
        '--no-heading',
        '--color=never',
        '--no-require-git',
        '--hidden',
        '--glob',
        '!.git',
        '--max-columns',
        String(MAX_LINE),
        '--max-columns-preview',
        '--max-filesize',
        String(MAX_SEARCH_FILE_BYTES),
        '--line-number',
      ];
      if (filesOnly) args.push('--max-count', '1');
      if (input.glob) args.push('--glob', input.glob);
      args.push('--regexp', input.pattern, '--', target);
      const { code, stdout, stderr } = await runRipgrep(rg, args, root, ctx.signal);
      if (code === 2 && !stdout) throw new ToolError(`Search failed: ${searchError(stderr)}`);
      const lines = stdout.split('\n').filter(Boolean);
      truncated = lines.length > MAX_HITS;
      // ripgrep opened these by name: keep only what the workspace file, opened safely now, holds.
      const found = lines.slice(0, MAX_HITS).flatMap((l) => parseRipgrepLine(l) ?? []);
      hits = (await confirmHits(found, readSafely, (f) => path.resolve(root, f))).hits;
      if (filesOnly) hits = hits.map((h) => ({ file: h.file }));
    } else {
      let re: RegExp;
      try {
        re = new RegExp(input.pattern);
      } catch (err) {
        throw new ToolError(`Invalid regular expression: ${errorMessage(err)}`);
      }
      ({ hits, truncated } = await nodeSearch({
        root,
        target,
        pattern: re,
        glob: input.glob,
        filesOnly,
        maxHits: MAX_HITS,
        signal: ctx.signal,
        read: readSafely,
      }));
    }
    if (!hits.length) return { forModel: `No matches for /${input.pattern}/.`, rawOutput: { matches: 0 } };
    const rel = (f: string) => path.relative(root, path.resolve(root, f)) || path.basename(f);
    const body = hits
      .map((h) => (filesOnly ? rel(h.file) : `${rel(h.file)}:${h.line}:${(h.text ?? '').slice(0, MAX_LINE)}`))
      .join('\n');
    const note = truncated ? `\n[Stopped at ${MAX_HITS} results; narrow the pattern, path or glob.]` : '';
    const locations = hits
      .slice(0, 20)
      .map((h) => ({ path: path.resolve(root, h.file), ...(h.line ? { line: h.line } : {}) }));
    return { forModel: body + note, locations, rawOutput: { matches: hits.length, truncated } };
  },
});
