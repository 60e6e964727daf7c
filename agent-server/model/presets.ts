import type { ModelPresetName } from '../../shared/config.js';

export interface ModelPreset {
  label: string;
  baseUrl: string;
  /** Variable that holds the key for this provider. */
  apiKeyEnv?: string;
  defaultModel?: string;
}

/** Known OpenAI-compatible endpoints, by name. */
export const MODEL_PRESETS: Record<Exclude<ModelPresetName, 'custom'>, ModelPreset> = {
  openai: {
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    defaultModel: 'gpt-4.1',
  },
  openrouter: {
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
  },
  ollama: { label: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  lmstudio: { label: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1' },
  vllm: { label: 'vLLM', baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_API_KEY' },
  llamacpp: { label: 'llama.cpp server', baseUrl: 'http://127.0.0.1:8080/v1' },
};
