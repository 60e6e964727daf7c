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

/**
 * Whether a preset's endpoint takes the chat-completions `reasoning_effort` parameter: true
 * where it is documented, false where it is refused; a preset left out (and `custom`) is
 * unknown, so the option is offered and a 400 naming it turns it off.
 */
const REASONING_EFFORT: Partial<Record<ModelPresetName, boolean>> = {
  openai: true,
  openrouter: true,
  ollama: true,
  vllm: true,
  lmstudio: true,
};

export function presetAcceptsReasoningEffort(name: string): boolean | undefined {
  return REASONING_EFFORT[name as ModelPresetName];
}
