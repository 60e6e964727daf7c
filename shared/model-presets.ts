/**
 * The model provider presets by name, and which of them take no key. Zod-free, so the VS Code
 * extension can read it without loading the config schema; the presets' URLs and key variables
 * are in agent-server/model/presets.ts.
 */
export const MODEL_PRESET_NAMES = [
  'openai',
  'openrouter',
  'ollama',
  'lmstudio',
  'vllm',
  'llamacpp',
  'custom',
] as const;
export type ModelPresetName = (typeof MODEL_PRESET_NAMES)[number];

/** Presets for local model servers, which accept any key; the hosted ones need one. */
const KEYLESS_PRESETS: readonly string[] = [
  'ollama',
  'lmstudio',
  'vllm',
  'llamacpp',
] satisfies ModelPresetName[];

export function isKeylessPreset(name: string): boolean {
  return KEYLESS_PRESETS.includes(name);
}
