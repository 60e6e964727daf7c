import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// A cloned repository's .vscode/settings.json must not be able to send the user's API key to
// another endpoint or turn approvals off: those settings are user-level ("application") only.

const manifest = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
) as {
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};

test('settings that choose where the key goes, or skip approvals, cannot be set by a workspace', () => {
  const props = manifest.contributes.configuration.properties;
  for (const key of [
    'cairn.model.baseUrl',
    'cairn.model.preset',
    'cairn.autoApprove.reads',
    'cairn.autoApprove.edits',
  ]) {
    assert.equal(props[key]?.scope, 'application', key);
  }
  assert.ok(
    !Object.keys(props).some((k) => /apiKey|api_key|secret|token/i.test(k)),
    'the key lives in SecretStorage, never in settings',
  );
});
