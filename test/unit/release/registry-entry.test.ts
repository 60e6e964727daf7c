import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoRoot } from '../../helpers/acp-harness.js';

// registry/agent.json against the ACP registry's own JSON schema (a copy: see
// test/fixtures/acp-registry/ORIGIN.md), and registry/icon.svg against its build script's rules.

const read = (rel: string) => readFileSync(path.join(repoRoot, rel), 'utf8');
// ajv-formats is CommonJS with a default export TypeScript's NodeNext view cannot call.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

function registryValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(read('test/fixtures/acp-registry/agent.schema.json')) as object);
}

test('registry/agent.json is a valid ACP registry entry that runs the npm package through npx', () => {
  const validate = registryValidator();
  const entry = JSON.parse(read('registry/agent.json')) as Record<string, unknown>;
  assert.ok(validate(entry), JSON.stringify(validate.errors, null, 2));
  assert.equal(entry.id, 'cairn');
  assert.deepEqual(entry.distribution, {
    npx: { package: `cairn-agent@${entry.version as string}`, args: ['acp'] },
  });
  const manifest = JSON.parse(read('package.json')) as { license: string; repository: { url: string } };
  assert.equal(entry.license, manifest.license);
  assert.equal(entry.repository, manifest.repository.url.replace(/\.git$/, ''));
});

test('the schema copy rejects what the registry rejects', () => {
  const validate = registryValidator();
  const entry = JSON.parse(read('registry/agent.json')) as Record<string, unknown>;
  assert.equal(validate({ ...entry, distribution: {} }), false, 'a distribution is required');
  assert.equal(validate({ ...entry, id: 'Cairn Agent' }), false, 'ids are lowercase with hyphens');
  assert.equal(validate({ ...entry, repository: 'not a url' }), false, 'the repository is a URL');
  assert.equal(
    validate({ ...entry, distribution: { npx: { package: 'cairn-agent', command: 'x' } } }),
    false,
    'no unknown distribution fields',
  );
});

test('registry/icon.svg is 16×16, square and monochrome with currentColor', () => {
  const svg = read('registry/icon.svg');
  const open = /<svg[^>]*>/.exec(svg)?.[0] ?? '';
  assert.match(open, /\swidth="16"/);
  assert.match(open, /\sheight="16"/);
  assert.match(open, /viewBox="0 0 16 16"/);
  assert.match(svg, /currentColor/);
  const allowed = new Set(['currentcolor', 'none', 'inherit']);
  for (const [, attr, value] of svg.matchAll(/\b(fill|stroke)\s*=\s*["']([^"']+)["']/gi))
    assert.ok(allowed.has(value!.trim().toLowerCase()), `${attr}="${value}" is a hard-coded colour`);
  for (const [, style] of svg.matchAll(/\bstyle\s*=\s*["']([^"']+)["']/gi))
    assert.doesNotMatch(style!, /\b(fill|stroke)\s*:\s*(?!currentcolor|none|inherit)/i);
});
