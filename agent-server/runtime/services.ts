import type { CairnConfig } from '../../shared/config.js';
import { loadConfig } from '../config/load.js';
import { resolveModel, type ModelResolution } from '../model/resolve.js';

/** Process-wide settings every session is built from. */
export interface RuntimeServices {
  home: string;
  configFile: string;
  config: CairnConfig;
  env: NodeJS.ProcessEnv;
  model: ModelResolution;
}

export function loadRuntimeServices(env: NodeJS.ProcessEnv = process.env): RuntimeServices {
  const { home, file, config } = loadConfig(env);
  return { home, configFile: file, config, env, model: resolveModel(config.model, env) };
}
