import * as path from 'node:path';
import * as os from 'node:os';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { MemoryEditError, parseEntries, serializeEntries } from '../memory/entries.js';
import type { MemoryEntryView, MemoryStore } from '../memory/memory-store.js';

/** Editors that take `+LINE FILE` to open a file at a line. */
const PLUS_LINE_EDITORS = new Set([
  'vi',
  'vim',
  'nvim',
  'view',
  'nano',
  'pico',
  'emacs',
  'emacsclient',
  'micro',
  'kak',
  'joe',
  'mg',
  'ne',
]);
/** Editors that take `--goto FILE:LINE`. */
const GOTO_EDITORS = new Set(['code', 'code-insiders', 'codium', 'cursor', 'windsurf']);

/** The arguments that open `file` at `line` (1-based) in `editor` (a command line, maybe with flags). */
export function editorArgs(editor: string, file: string, line: number): string[] {
  const program = path.basename(editor.trim().split(/\s+/)[0] ?? '').replace(/\.exe$/i, '');
  if (PLUS_LINE_EDITORS.has(program)) return [`+${line}`, file];
  if (GOTO_EDITORS.has(program)) return ['--goto', `${file}:${line}`];
  return [file];
}

/** The 1-based line where entry `index` (1-based) starts in text written by serializeEntries. */
export function entryStartLine(text: string, index: number): number {
  const lines = text.split('\n');
  let entry = 1;
  for (let i = 0; i < lines.length; i++) {
    if (entry === index && lines[i]!.trim()) return i + 1;
    if (/^[ \t]*§[ \t]*$/.test(lines[i]!)) entry++;
  }
  return 1;
}

/**
 * Runs the user's editor the way git does: through the shell, so `EDITOR="code --wait"` works,
 * with the file names as separate arguments (never spliced into the command line).
 */
function runEditor(editor: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$@"`, 'editor', ...args], { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

export interface MemoryEditIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

/**
 * `cairn memory edit ID [--text NEW]`: replaces one entry's text, or opens the entry's file in
 * $VISUAL/$EDITOR at that entry. The editor works on a copy; what comes back is checked (scanner,
 * size limit) and saved under the file's lock as a version "by hand". A file changed by someone
 * else while the editor was open is not overwritten.
 */
export async function editMemoryEntry(
  store: MemoryStore,
  entry: MemoryEntryView,
  text: string | undefined,
  io: MemoryEditIo,
): Promise<number> {
  if (text !== undefined) {
    const report = await store.editByHand(entry.scope, entry.target, (entries) => {
      const i = entries.indexOf(entry.text);
      if (i === -1) throw new MemoryEditError(`${entry.id} changed since it was listed; nothing was saved.`);
      return entries.map((e, j) => (j === i ? text : e));
    });
    io.out(report.changed ? `${report.message}\n` : 'Nothing changed.\n');
    return 0;
  }
  const editor = io.env.VISUAL || io.env.EDITOR;
  if (!editor) {
    io.err('cairn memory edit: set $VISUAL or $EDITOR, or pass --text "new text".\n');
    return 2;
  }
  const before = parseEntries(await readFile(entry.path, 'utf8').catch(() => ''));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-memory-edit-'));
  try {
    const copy = path.join(dir, path.basename(entry.path));
    const shown = serializeEntries(before);
    await writeFile(copy, shown, { mode: 0o600 });
    const code = await runEditor(
      editor,
      editorArgs(editor, copy, entryStartLine(shown, entry.index)),
      io.env,
    );
    if (code !== 0) {
      io.err(`cairn memory edit: the editor exited with ${code}; nothing was saved.\n`);
      return 1;
    }
    const edited = parseEntries(await readFile(copy, 'utf8'));
    const report = await store.editByHand(entry.scope, entry.target, (current) => {
      if (serializeEntries(current) !== serializeEntries(before))
        throw new MemoryEditError(
          `${entry.path} changed while the editor was open; nothing was saved. Run the edit again.`,
        );
      return edited;
    });
    io.out(report.changed ? `${report.message}\n` : 'Nothing changed.\n');
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
