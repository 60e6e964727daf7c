import type { CairnConfig } from '../../shared/config.js';
import { loadConfig } from '../config/load.js';
import type { ModelResolution, ResolvedModel } from '../model/resolve.js';
import type { ModelClient } from '../core/model-client.js';
import type { McpHub } from '../mcp/index.js';
import type { HistoryStore } from '../history/index.js';
import { servicesFromConfig } from './services-from-config.js';

/** Process-wide settings every session is built from. */
export interface RuntimeServices {
  home: string;
  configFile: string;
  config: CairnConfig;
  env: NodeJS.ProcessEnv;
  model: ModelResolution;
  /** Every MCP server of the process; sessions with the same server configuration share one. */
  mcp: McpHub;
  /** Every session's messages, searchable; opened lazily (nothing is read until first use). */
  history: HistoryStore;
  /**
   * Builds the client for a resolved model; unset: the OpenAI-compatible HTTP client. Lets a
   * runner (or a test) drive sessions with a model of its own, in-process.
   */
  modelClient?: (model: ResolvedModel) => ModelClient;
}

export function loadRuntimeServices(env: NodeJS.ProcessEnv = process.env): RuntimeServices {
  return servicesFromConfig(loadConfig(env), env);
}
