/// <reference types="node" />
// The webview is browser code under a strict CSP: it bundles for the browser
// without node built-ins, VS Code or the ACP SDK runtime, runs no eval, and
// styles come only from VS Code theme variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('../../../', import.meta.url).pathname;
const webviewDir = join(root, 'extension/webview');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('webview sources import no node, vscode or ACP runtime modules', () => {
  for (const file of sources(webviewDir)) {
    const text = readFileSync(file, 'utf8');
    const name = relative(root, file);
    for (const match of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)) {
      const [, typeOnly, specifier = ''] = match;
      assert.ok(!specifier.startsWith('node:'), `${name} imports ${specifier}`);
      assert.notEqual(specifier, 'vscode', `${name} imports vscode`);
      if (specifier.startsWith('@agentclientprotocol/')) assert.ok(typeOnly, `${name}: ACP types only`);
      if (specifier.startsWith('.')) {
        const target = join(file, '..', specifier);
        assert.ok(
          target.startsWith(webviewDir) || target.startsWith(join(root, 'shared')),
          `${name} reaches outside the webview: ${specifier}`,
        );
      }
    }
  }
});

test('main.ts bundles for the browser with no eval or Function constructor', async () => {
  const result = await build({
    entryPoints: [join(webviewDir, 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  assert.ok(!/\beval\s*\(/.test(code), 'no eval');
  assert.ok(!/new Function\s*\(/.test(code), 'no Function constructor');
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(!inputs.some((i) => i.includes('@agentclientprotocol')), 'the ACP SDK is not bundled');
  assert.ok(
    inputs.some((i) => i.includes('dompurify')),
    'sanitiser is bundled',
  );
});

test('styles use only VS Code theme variables for colour', () => {
  const css = readFileSync(join(webviewDir, 'styles.css'), 'utf8');
  assert.ok(!/#[0-9a-f]{3,8}\b(?![\w-]*\s*\{)/i.test(css.replace(/#app\b/g, '')), 'no hex colours');
  assert.ok(!/\b(rgba?|hsla?)\(/i.test(css), 'no rgb()/hsl() colours');
  for (const [, name] of css.matchAll(/var\((--[\w-]+)/g))
    assert.ok(name?.startsWith('--vscode-'), `${name} is a theme variable`);
  const colourValues = [
    ...css.matchAll(
      /(?:^|[;{\s])(color|background(?:-color)?|border(?:-(?:top|bottom|left|right|color))?|outline)\s*:\s*([^;]+);/g,
    ),
  ];
  for (const [, prop, value = ''] of colourValues) {
    const words = value
      .replace(/var\([^)]*\)+/g, '')
      .replace(/\d+(px|em)?|solid|dotted|none|transparent|inherit/g, '');
    assert.ok(!/[a-z]{3,}/i.test(words.trim()), `${prop}: ${value} uses a literal colour`);
  }
});
