import type { ModelConfig, ModelPrice } from '../../shared/config.js';
import {
  isKeylessPreset,
  MODEL_PRESET_NAMES,
  presetAcceptsReasoningEffort,
} from '../../shared/model-presets.js';
import { MODEL_PRESETS } from './presets.js';

/** Everything needed to call the model. The key lives only in memory. */
export interface ResolvedModel {
  presetLabel: string;
  baseUrl: string;
  model: string;
  apiKey: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  maxRetries: number;
  timeoutMs: number;
  /** Request sent → first streamed chunk; unset: no limit beyond `timeoutMs`. */
  firstByteTimeoutMs?: number;
  /** Longest pause between streamed chunks; unset: no limit. */
  streamIdleTimeoutMs?: number;
  choices: string[];
  /** Whether the endpoint takes `reasoning_effort`; undefined: not known (offered, dropped on a 400). */
  acceptsReasoningEffort?: boolean;
  /** Prices per model id, for a cost when the provider reports none. */
  prices?: Record<string, ModelPrice>;
}

export type ModelResolution =
  { ok: true; model: ResolvedModel } | { ok: false; problem: string; hint: string };

/**
 * Config file first, then the environment on top: `CAIRN_MODEL_PRESET` (the VS Code setting),
 * `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `CAIRN_MODEL`. A preset gives the base URL, the key
 * variable and maybe a default model.
 */
export function resolveModel(config: ModelConfig, env: NodeJS.ProcessEnv): ModelResolution {
  const envBase = env.OPENAI_BASE_URL?.trim();
  const envPreset = MODEL_PRESET_NAMES.find((name) => name === env.CAIRN_MODEL_PRESET?.trim());
  const presetName = envPreset ?? config.preset ?? (envBase || config.baseUrl ? 'custom' : 'openai');
  const preset = presetName === 'custom' ? undefined : MODEL_PRESETS[presetName];
  const baseUrl = envBase || config.baseUrl || preset?.baseUrl;
  const model = env.CAIRN_MODEL?.trim() || config.model || preset?.defaultModel;
  const keyEnv = config.apiKeyEnv ?? preset?.apiKeyEnv;
  const apiKey = (keyEnv ? env[keyEnv]?.trim() : undefined) || env.OPENAI_API_KEY?.trim() || undefined;
  const needsKey = preset ? !isKeylessPreset(presetName) : false;

  if (!baseUrl) {
    return {
      ok: false,
      problem: 'No model endpoint is configured.',
      hint: 'Set OPENAI_BASE_URL, or "model": {"preset": "openai" | "openrouter" | "ollama" | ...} in ~/.cairn/config.json.',
    };
  }
  if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
    return {
      ok: false,
      problem: `The model endpoint "${baseUrl}"${envBase ? ' (OPENAI_BASE_URL)' : ''} is not an http:// or https:// URL.`,
      hint: 'Write it in full, for example http://127.0.0.1:8080/v1.',
    };
  }
  if (!model) {
    return {
      ok: false,
      problem: `No model is chosen for ${baseUrl}.`,
      hint: 'Set CAIRN_MODEL (for example CAIRN_MODEL=qwen2.5-coder), or "model": {"model": "..."} in ~/.cairn/config.json.',
    };
  }
  if (needsKey && !apiKey) {
    const variable = keyEnv ?? 'OPENAI_API_KEY';
    return {
      ok: false,
      problem: `No API key for ${preset?.label ?? baseUrl}.`,
      hint: `Set ${variable} in the environment Cairn starts in (in VS Code: "Cairn: Set API Key"; in Zed: the "env" of the agent_servers entry).`,
    };
  }
  return {
    ok: true,
    model: {
      presetLabel: preset?.label ?? 'custom endpoint',
      baseUrl,
      model,
      // Local servers accept anything; the openai client insists on a non-empty key.
      apiKey: apiKey ?? 'not-needed',
      contextWindow: config.contextWindow,
      maxOutputTokens: config.maxOutputTokens,
      maxRetries: config.maxRetries,
      timeoutMs: config.requestTimeoutSec * 1000,
      firstByteTimeoutMs: config.firstByteTimeoutSec * 1000,
      streamIdleTimeoutMs: config.streamIdleTimeoutSec * 1000,
      choices: [...new Set([model, ...config.choices])],
      acceptsReasoningEffort: presetAcceptsReasoningEffort(presetName),
      prices: config.prices,
    },
  };
}
