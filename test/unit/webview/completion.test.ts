/// <reference types="node" />
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCompletion, findTrigger, matchCommands } from '../../../extension/webview/completion.js';

test('a slash at the start of the prompt completes a command', () => {
  assert.deepEqual(findTrigger('/he', 3), { kind: 'command', query: 'he', from: 0, to: 3 });
  assert.equal(findTrigger('/help me', 8)?.kind, undefined, 'not once arguments are being typed');
  assert.equal(findTrigger('a /he', 5), null, 'only at the start');
});

test('an @ after whitespace (or at the start) completes a file mention', () => {
  assert.deepEqual(findTrigger('see @src/ma', 11), { kind: 'mention', query: 'src/ma', from: 4, to: 11 });
  assert.deepEqual(findTrigger('@', 1), { kind: 'mention', query: '', from: 0, to: 1 });
  assert.equal(findTrigger('mail me@example', 15), null, 'an address is not a mention');
  assert.equal(findTrigger('see @a.ts now', 13), null);
});

test('commands match by prefix first, then by substring', () => {
  const commands = ['review', 'preview', 'init', 'remember'].map((name) => ({ name, description: name }));
  assert.deepEqual(
    matchCommands(commands, 're').map((c) => c.name),
    ['remember', 'review', 'preview'],
  );
  assert.deepEqual(
    matchCommands(commands, '').map((c) => c.name),
    ['init', 'preview', 'remember', 'review'],
  );
});

test('picking replaces the typed token and leaves the caret after a space', () => {
  const text = 'look at @sr please';
  const trigger = findTrigger(text, 11)!;
  const done = applyCompletion(text, trigger, '@src/main.ts');
  assert.equal(done.text, 'look at @src/main.ts please');
  assert.equal(done.text.slice(0, done.caret), 'look at @src/main.ts ');
  const cmd = applyCompletion('/re', findTrigger('/re', 3)!, '/review');
  assert.deepEqual(cmd, { text: '/review ', caret: 8 });
});
