import { join } from 'node:path';
import type { AgentLaunch } from './agent-process.js';

/** The `cairn.*` settings that shape the server's environment. */
export type ServerSettings = {
  /** A preset name from `shared/config.ts` (`openai`, `ollama`, ...), or '' for the config file's. */
  modelPreset: string;
  baseUrl: string;
  model: string;
  /** Extra `cairn acp` arguments (advanced; empty by default). */
  extraArgs: string[];
};

/** Editor internals the server has no use for. */
const DROPPED = ['ELECTRON_NO_ATTACH_CONSOLE', 'VSCODE_IPC_HOOK', 'VSCODE_PID'];

/**
 * How to start the bundled server: the editor's own Node (`process.execPath` with
 * `ELECTRON_RUN_AS_NODE=1`, which plain Node ignores, so it works in code-server too) running
 * `<extension>/dist/cairn.js acp` in the workspace folder. The API key goes only into the
 * child's environment (it overrides an inherited `OPENAI_API_KEY`).
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
}): AgentLaunch {
  const env: NodeJS.ProcessEnv = { ...options.baseEnv };
  for (const name of DROPPED) delete env[name];
  env.ELECTRON_RUN_AS_NODE = '1';
  const s = options.settings;
  if (s.modelPreset) env.CAIRN_MODEL_PRESET = s.modelPreset;
  if (s.baseUrl.trim()) env.OPENAI_BASE_URL = s.baseUrl.trim();
  if (s.model.trim()) env.CAIRN_MODEL = s.model.trim();
  if (options.apiKey) env.OPENAI_API_KEY = options.apiKey;
  if (options.ripgrepPath) env.CAIRN_RIPGREP_PATH = options.ripgrepPath;
  return {
    command: options.execPath,
    args: [join(options.extensionPath, 'dist', 'cairn.js'), 'acp', ...s.extraArgs],
    cwd: options.cwd,
    env,
  };
}

/** Where VS Code keeps its ripgrep under `vscode.env.appRoot` (desktop: unpacked from asar). */
export function editorRipgrepCandidates(appRoot: string, platform = process.platform): string[] {
  const exe = platform === 'win32' ? 'rg.exe' : 'rg';
  return [
    join(appRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', exe),
    join(appRoot, 'node_modules.asar.unpacked', '@vscode', 'ripgrep', 'bin', exe),
  ];
}
