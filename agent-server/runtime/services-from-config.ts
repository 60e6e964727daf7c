import * as path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { JournalHistoryStore } from '../history/index.js';
import { McpHub } from '../mcp/index.js';
import { resolveModel } from '../model/resolve.js';
import type { RuntimeServices } from './services.js';

/** The process's services from a loaded configuration (loading it is the caller's choice). */
export function servicesFromConfig(
  { home, file, config }: LoadedConfig,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeServices {
  const mcp = new McpHub({
    startupTimeoutMs: config.mcp.startupTimeoutSec * 1000,
    callTimeoutMs: config.mcp.callTimeoutSec * 1000,
    log: (line) => process.stderr.write(`${line}\n`),
    cairnHome: home,
  });
  const history = JournalHistoryStore.create(path.join(home, 'history'));
  return { home, configFile: file, config, env, model: resolveModel(config.model, env), mcp, history };
}
