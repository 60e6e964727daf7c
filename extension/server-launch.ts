import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { AgentLaunch } from './agent-process.js';

/** The `cairn.*` settings that shape the server's environment. */
export type ServerSettings = {
  /** A preset name from `shared/config.ts` (`openai`, `ollama`, ...), or '' for the config file's. */
  modelPreset: string;
  baseUrl: string;
  model: string;
  /**
   * `cairn.server.path` (machine scope: a repository's settings cannot choose the program):
   * '' for the server bundled in the extension, `cairn` (or another name) to find on PATH,
   * an absolute path to a `cairn` executable, or to a `cairn.js` to run with the editor's Node.
   */
  serverPath?: string;
};

/** The launch, and which server it runs, in words for the output channel. */
export type ServerLaunch = AgentLaunch & { server: string };

/** Editor internals the server has no use for. */
const DROPPED = ['ELECTRON_NO_ATTACH_CONSOLE', 'VSCODE_IPC_HOOK', 'VSCODE_PID'];

/**
 * How to start the server: by default the bundled one, the editor's own Node
 * (`process.execPath` with `ELECTRON_RUN_AS_NODE=1`, which plain Node ignores, so it works in
 * code-server too) running `<extension>/dist/cairn.js acp` in the workspace folder; or the one
 * `cairn.server.path` names, resolved now (PATH is searched at launch, not when the setting was
 * written). The API key goes only into the child's environment (it overrides an inherited
 * `OPENAI_API_KEY`). Throws, saying what to change, when the configured server is not found.
 */
export function serverLaunch(options: {
  execPath: string;
  extensionPath: string;
  cwd: string;
  baseEnv: NodeJS.ProcessEnv;
  settings: ServerSettings;
  apiKey: string | undefined;
  /** ripgrep shipped with the editor, so the package need not carry its own. */
  ripgrepPath?: string | null;
}): ServerLaunch {
  const env: NodeJS.ProcessEnv = { ...options.baseEnv };
  for (const name of DROPPED) delete env[name];
  env.ELECTRON_RUN_AS_NODE = '1';
  const s = options.settings;
  if (s.modelPreset) env.CAIRN_MODEL_PRESET = s.modelPreset;
  if (s.baseUrl.trim()) env.OPENAI_BASE_URL = s.baseUrl.trim();
  if (s.model.trim()) env.CAIRN_MODEL = s.model.trim();
  if (options.apiKey) env.OPENAI_API_KEY = options.apiKey;
  if (options.ripgrepPath) env.CAIRN_RIPGREP_PATH = options.ripgrepPath;
  const configured = s.serverPath?.trim() ?? '';
  if (!configured) {
    const script = join(options.extensionPath, 'dist', 'cairn.js');
    return {
      command: options.execPath,
      args: [script, 'acp'],
      cwd: options.cwd,
      env,
      server: `bundled server ${script}`,
    };
  }
  const found = findConfiguredServer(configured, options.baseEnv.PATH ?? '');
  if (!found) {
    throw new Error(
      `cairn.server.path is "${configured}", but no such ${isAbsolute(configured) ? 'file' : 'program on PATH'} ` +
        'was found. Install cairn (npm install -g cairn-agent), fix the path, or clear the setting to use the bundled server.',
    );
  }
  const viaNode = /\.[cm]?js$/.test(found);
  return {
    command: viaNode ? options.execPath : found,
    args: [...(viaNode ? [found] : []), 'acp'],
    cwd: options.cwd,
    env,
    server: `cairn.server.path: ${found}`,
  };
}

/** An absolute path as given, or a bare name looked up on PATH; only files that can run. */
export function findConfiguredServer(configured: string, pathEnv: string): string | null {
  const usable = (file: string) => {
    try {
      if (!statSync(file).isFile()) return false;
      if (!/\.[cm]?js$/.test(file)) accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (isAbsolute(configured)) return usable(configured) ? configured : null;
  // A relative path would depend on the folder the editor was started in: only bare names.
  if (/[\\/]/.test(configured)) return null;
  const names =
    process.platform === 'win32' ? [`${configured}.cmd`, `${configured}.exe`, configured] : [configured];
  for (const dir of pathEnv.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    for (const name of names) if (usable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Where VS Code keeps its ripgrep under `vscode.env.appRoot` (desktop: unpacked from asar). */
export function editorRipgrepCandidates(appRoot: string, platform = process.platform): string[] {
  const exe = platform === 'win32' ? 'rg.exe' : 'rg';
  return [
    join(appRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', exe),
    join(appRoot, 'node_modules.asar.unpacked', '@vscode', 'ripgrep', 'bin', exe),
  ];
}
