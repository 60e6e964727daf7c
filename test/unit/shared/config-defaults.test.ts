// Defaults are written once, in the schema of each section: an absent section and an empty one
// get the same values, and the values themselves are a public contract.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CairnConfigSchema } from '../../../shared/config.js';
import { isKeylessPreset, MODEL_PRESET_NAMES } from '../../../shared/model-presets.js';

describe('config defaults', () => {
  const defaults = CairnConfigSchema.parse({});

  it('an absent section gets what its own schema gives for {}', () => {
    for (const [section, value] of Object.entries(defaults)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      const fromEmpty = CairnConfigSchema.parse({ [section]: {} }) as Record<string, unknown>;
      assert.deepEqual(value, fromEmpty[section], `defaults of "${section}"`);
    }
  });

  it('keeps the documented values', () => {
    assert.deepEqual(
      {
        maxRetries: defaults.model.maxRetries,
        requestTimeoutSec: defaults.model.requestTimeoutSec,
        firstByteTimeoutSec: defaults.model.firstByteTimeoutSec,
        streamIdleTimeoutSec: defaults.model.streamIdleTimeoutSec,
        choices: defaults.model.choices,
      },
      {
        maxRetries: 4,
        requestTimeoutSec: 600,
        firstByteTimeoutSec: 120,
        streamIdleTimeoutSec: 60,
        choices: [],
      },
    );
    assert.equal(defaults.agent.defaultMode, 'ask');
    assert.equal(defaults.agent.maxTurnRequests, 60);
    assert.deepEqual(defaults.memory, { memoryCharLimit: 2200, userCharLimit: 1400 });
    assert.deepEqual(defaults.mcp, { maxToolSchemaShare: 0.1, startupTimeoutSec: 30, callTimeoutSec: 300 });
    assert.equal(defaults.terminal.backend, 'auto');
  });
});

describe('model presets', () => {
  it('local servers are keyless; hosted providers, a custom endpoint and no preset are not', () => {
    const keyless = MODEL_PRESET_NAMES.filter((name) => isKeylessPreset(name));
    assert.deepEqual(keyless, ['ollama', 'lmstudio', 'vllm', 'llamacpp']);
    assert.equal(isKeylessPreset(''), false);
  });
});
