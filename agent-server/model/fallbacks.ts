import type { ModelFallback } from '../../shared/config.js';
import { isKeylessPreset, presetAcceptsReasoningEffort } from '../../shared/model-presets.js';
import { MODEL_PRESETS } from './presets.js';
import type { ResolvedModel } from './resolve.js';

export interface ResolvedFallbacks {
  /** Usable fallbacks, in the configured order. */
  models: ResolvedModel[];
  /** Why a configured fallback is left out (no key for its endpoint, same as the model itself). */
  problems: string[];
}

/**
 * `model.fallbacks` → models to continue on, each with its endpoint and key. A fallback without
 * `preset` or `baseUrl` is another model of the primary's endpoint and uses its key. A fallback on
 * another endpoint gets only the key of its own variable (its `apiKeyEnv`, else its preset's):
 * the primary's key is never sent to another provider.
 */
export function resolveFallbacks(
  fallbacks: readonly ModelFallback[],
  primary: ResolvedModel,
  env: NodeJS.ProcessEnv,
): ResolvedFallbacks {
  const models: ResolvedModel[] = [];
  const problems: string[] = [];
  for (const [index, fallback] of fallbacks.entries()) {
    const where = `model.fallbacks[${index}] (${fallback.model})`;
    const preset =
      fallback.preset && fallback.preset !== 'custom' ? MODEL_PRESETS[fallback.preset] : undefined;
    const baseUrl = fallback.baseUrl ?? preset?.baseUrl ?? primary.baseUrl;
    const sameEndpoint = sameUrl(baseUrl, primary.baseUrl);
    const keyEnv = fallback.apiKeyEnv ?? preset?.apiKeyEnv;
    const ownKey = keyEnv ? env[keyEnv]?.trim() : undefined;
    const apiKey = ownKey || (sameEndpoint && !keyEnv ? primary.apiKey : undefined);
    if (sameEndpoint && fallback.model === primary.model) {
      problems.push(`${where} is the model itself; it is skipped.`);
      continue;
    }
    if (!apiKey && keyEnv && !(fallback.preset && isKeylessPreset(fallback.preset))) {
      problems.push(
        `${where} has no API key: set ${keyEnv} in the environment Cairn starts in; it is skipped.`,
      );
      continue;
    }
    models.push({
      ...primary,
      presetLabel: preset?.label ?? (sameEndpoint ? primary.presetLabel : 'custom endpoint'),
      baseUrl,
      model: fallback.model,
      // Local servers accept anything; the openai client insists on a non-empty key.
      apiKey: apiKey ?? 'not-needed',
      choices: [],
      acceptsReasoningEffort: fallback.preset
        ? presetAcceptsReasoningEffort(fallback.preset)
        : sameEndpoint
          ? primary.acceptsReasoningEffort
          : undefined,
    });
  }
  return { models, problems };
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
