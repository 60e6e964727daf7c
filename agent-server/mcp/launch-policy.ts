import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where an MCP stdio server's program and modules come from. A server runs outside the sandbox,
 * so nothing of it may be resolved from the repository the user opened: not its working folder
 * (`npx` prefers the folder's `node_modules`, `python -m` imports from it), not a PATH entry
 * (`node_modules/.bin`), not a module search path. Only the user's own Cairn config may say
 * otherwise for one server, by writing it out (`"cwd": "${workspace}"`, its own `env`).
 */

/** In a server's `cwd` in Cairn's config: the session's workspace, when the user wants that. */
export const WORKSPACE_PLACEHOLDER = '${workspace}';

/** Lists of folders searched for programs or modules: entries inside the repository are dropped. */
const SEARCH_PATH_VARIABLES = [
  'PATH',
  'NODE_PATH',
  'PYTHONPATH',
  'PERL5LIB',
  'PERLLIB',
  'RUBYLIB',
  'GEM_PATH',
  'CLASSPATH',
  'LD_LIBRARY_PATH',
];
/** Variables that load code by themselves: dropped when they mention the repository. */
const CODE_LOADING_VARIABLES = [
  'NODE_OPTIONS',
  'PYTHONSTARTUP',
  'PYTHONHOME',
  'PYTHONUSERBASE',
  'LD_PRELOAD',
  'BASH_ENV',
  'ENV',
  'RUBYOPT',
  'PERL5OPT',
  'GEM_HOME',
  'NPM_CONFIG_USERCONFIG',
  'NPM_CONFIG_PREFIX',
];

/** Programs whose first non-option argument is the code they run. */
const INTERPRETERS =
  /^(node|nodejs|deno|bun|tsx|ts-node|python[0-9.]*|pypy[0-9.]*|ruby|perl|php|sh|bash|zsh|dash)$/i;

function realOrResolved(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The repository folders a server must not load from, resolved through symlinks: the workspace
 * and the session's additional directories (as untrusted as the workspace itself).
 */
export function repositoryRoots(workspace: string | undefined, extra: readonly string[] = []): string[] {
  return workspace ? [workspace, ...extra].map(realOrResolved) : [];
}

function insideRepository(p: string, roots: readonly string[]): boolean {
  if (!path.isAbsolute(p)) return false;
  const real = realOrResolved(p);
  return roots.some((r) => isInside(real, r) || isInside(path.resolve(p), r));
}

/**
 * A folder list without the repository: relative and empty entries (which mean "the current
 * folder") go too, since they resolve against wherever the server happens to run.
 */
export function searchPathOutside(value: string, roots: readonly string[]): string {
  return value
    .split(path.delimiter)
    .filter((entry) => entry !== '' && path.isAbsolute(entry) && !insideRepository(entry, roots))
    .join(path.delimiter);
}

function mentionsRepository(value: string, roots: readonly string[]): boolean {
  return roots.some((r) => value.includes(r)) || /node_modules/.test(value);
}

/**
 * Environment variables with the repository taken out: folder lists lose their entries inside
 * it (and relative ones), variables that load code and mention it are dropped. Applied to what
 * Cairn passes on (PATH …) and to a client's server `env`; the user's own config is taken as written.
 */
export function withoutRepository(
  source: Readonly<Record<string, string>>,
  roots: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    const upper = name.toUpperCase();
    if (SEARCH_PATH_VARIABLES.includes(upper)) out[name] = searchPathOutside(value, roots);
    else if (CODE_LOADING_VARIABLES.includes(upper) && mentionsRepository(value, roots)) continue;
    else out[name] = value;
  }
  return out;
}

/**
 * Why a server the client sent must not start: it runs a program or script from inside the
 * repository. Undefined when it may start. (A server from Cairn's config is the user's choice.)
 */
export function repositoryProgram(
  config: { command: string; args?: readonly string[] },
  roots: readonly string[],
): string | undefined {
  if (insideRepository(config.command, roots)) return config.command;
  if (!path.isAbsolute(config.command) && config.command.includes('/')) return config.command;
  if (INTERPRETERS.test(path.basename(config.command))) {
    const script = (config.args ?? []).find((a) => !a.startsWith('-'));
    if (script && (insideRepository(script, roots) || script.startsWith('./') || script.startsWith('../')))
      return script;
  }
  return undefined;
}

let sharedNeutralFolder: string | undefined;

/**
 * The working folder of servers that do not name their own: an empty folder of Cairn's
 * (`<home>/mcp/run`, hidden from sandboxed commands), else a fresh private temporary folder.
 */
export function neutralWorkingFolder(cairnHome?: string): string {
  if (cairnHome) {
    const dir = path.join(cairnHome, 'mcp', 'run');
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    } catch {
      // Cairn's home is not writable: fall back to a temporary folder.
    }
  }
  sharedNeutralFolder ??= mkdtempSync(path.join(os.tmpdir(), 'cairn-mcp-run-'));
  return sharedNeutralFolder;
}
