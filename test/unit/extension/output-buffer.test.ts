import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLimitedOutput } from '../../../extension/output-buffer.js';

test('keeps everything under the limit', () => {
  const b = new ByteLimitedOutput(100);
  b.append('hello ');
  b.append('world');
  assert.equal(b.output, 'hello world');
  assert.equal(b.truncated, false);
});

test('drops the oldest output and never splits a character', () => {
  const b = new ByteLimitedOutput(5);
  b.append('ab');
  b.append('€€'); // 2 + 6 bytes; the last 5 bytes start inside the first €
  assert.equal(b.output, '€');
  assert.equal(b.truncated, true);
  b.append('x');
  assert.equal(b.output, '€x');
});

test('no limit keeps all output', () => {
  const b = new ByteLimitedOutput(null);
  b.append('x'.repeat(100_000));
  assert.equal(b.output.length, 100_000);
});
