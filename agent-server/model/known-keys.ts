import type { ModelConfig } from '../../shared/config.js';
import { MODEL_PRESETS } from './presets.js';

/**
 * Every variable that may hold a model key Cairn knows of (the configured `model.apiKeyEnv` and
 * those of `model.fallbacks`, each preset's key variable, OPENAI_API_KEY) and the keys they hold. Commands must never see
 * these: the terminal scrubs them by name and by value.
 */
export function knownModelKeys(
  config: Pick<ModelConfig, 'apiKeyEnv'> & { fallbacks?: ReadonlyArray<{ apiKeyEnv?: string }> },
  env: NodeJS.ProcessEnv,
): { names: string[]; values: string[] } {
  const names = new Set<string>(['OPENAI_API_KEY']);
  if (config.apiKeyEnv) names.add(config.apiKeyEnv);
  for (const fallback of config.fallbacks ?? []) if (fallback.apiKeyEnv) names.add(fallback.apiKeyEnv);
  for (const preset of Object.values(MODEL_PRESETS)) if (preset.apiKeyEnv) names.add(preset.apiKeyEnv);
  const values = new Set<string>();
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) values.add(value);
  }
  return { names: [...names], values: [...values] };
}
