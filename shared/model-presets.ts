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

/**
 * Model families known to take text only (no image input), by model id. Unknown models are
 * assumed to take images until the endpoint refuses one; names that say vision are never listed.
 */
const TEXT_ONLY_MODELS = [
  /gpt-oss/,
  /gpt-3\.5/,
  /\bo[13]-mini\b/,
  /deepseek/,
  /qwen[\d.]*-?coder/,
  /codestral|devstral/,
  /code-?llama|starcoder|codegemma/,
  /mixtral/,
  /llama-?3(\.[013])?(?![.\d])/,
];
const VISION_WORDS = /vision|-vl|vl-|llava|multimodal|omni|pixtral/;

export function modelTakesNoImages(model: string): boolean {
  const id = model.toLowerCase();
  return !VISION_WORDS.test(id) && TEXT_ONLY_MODELS.some((pattern) => pattern.test(id));
}
