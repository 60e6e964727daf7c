import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cutToBudget, utf8Prefix, utf8Suffix } from '../../../agent-server/runtime/output-budget.js';

const NOTE = '<<note>>';
const lines = (n: number, make = (i: number) => `line ${i}`): string =>
  Array.from({ length: n }, (_, i) => make(i + 1)).join('\n');

describe('the output budget (one rule for what the model reads)', () => {
  test('text within both limits is left alone', () => {
    assert.equal(cutToBudget(lines(100), { maxBytes: 10_000, maxLines: 100 }), undefined);
    assert.equal(cutToBudget('', { maxBytes: 1024, maxLines: 20 }), undefined);
  });

  test('too many lines: whole head and tail lines around the note, numbered for read_file', () => {
    const cut = cutToBudget(lines(1000), { maxBytes: 1_000_000, maxLines: 100 })!;
    const shown = cut.withNote(NOTE).split('\n');
    assert.equal(shown.length, 101);
    assert.deepEqual(shown.slice(0, 2), ['line 1', 'line 2']);
    assert.equal(shown[39], 'line 40');
    assert.equal(shown[40], NOTE);
    assert.equal(shown[41], 'line 941');
    assert.equal(shown.at(-1), 'line 1000');
    assert.deepEqual(cut.omitted, {
      lines: 900,
      bytes:
        Buffer.byteLength(lines(1000)) -
        Buffer.byteLength([...shown.slice(0, 40), ...shown.slice(41)].join('\n')) -
        1,
      firstLine: 41,
      lastLine: 940,
      partial: false,
      totalLines: 1000,
      totalBytes: Buffer.byteLength(lines(1000)),
    });
  });

  test('too many bytes: the kept lines fit the byte budget and are never split', () => {
    const text = lines(5000, (i) => `row ${i} ${'x'.repeat(50)}`);
    const cut = cutToBudget(text, { maxBytes: 4096, maxLines: 100_000 })!;
    const shown = cut.withNote(NOTE);
    assert.ok(Buffer.byteLength(shown) - NOTE.length <= 4096);
    for (const line of shown.split('\n')) if (line !== NOTE) assert.match(line, /^row \d+ x{50}$/);
    assert.ok(shown.startsWith('row 1 '));
    assert.ok(shown.endsWith('row 5000 ' + 'x'.repeat(50)));
    // The tail gets the larger share (errors and exit codes come last).
    const [head, tail] = shown.split(NOTE);
    assert.ok(Buffer.byteLength(tail!) > Buffer.byteLength(head!));
  });

  test('one line longer than the budget shows its start and end, on character boundaries', () => {
    const text = '😀é'.repeat(20_000) + 'END';
    const cut = cutToBudget(text, { maxBytes: 1001, maxLines: 100 })!;
    const [head, tail] = cut.withNote(NOTE).split(`\n${NOTE}\n`);
    assert.ok(head!.startsWith('😀é'));
    assert.ok(tail!.endsWith('éEND'));
    // No lone surrogate and no replacement character: every code point is whole.
    for (const part of [head!, tail!]) {
      assert.doesNotMatch(part, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      assert.equal(Buffer.from(part, 'utf8').toString('utf8'), part);
      assert.doesNotMatch(part, /\uFFFD/);
    }
    assert.ok(Buffer.byteLength(head!) + Buffer.byteLength(tail!) <= 1001);
    assert.deepEqual(
      { lines: cut.omitted.lines, first: cut.omitted.firstLine, partial: cut.omitted.partial },
      { lines: 1, first: 1, partial: true },
    );
  });

  test('utf8Prefix/utf8Suffix count bytes as UTF-8 does and never split a character', () => {
    assert.equal(utf8Prefix('aé😀b', 1), 'a');
    assert.equal(utf8Prefix('aé😀b', 2), 'a');
    assert.equal(utf8Prefix('aé😀b', 3), 'aé');
    assert.equal(utf8Prefix('aé😀b', 6), 'aé');
    assert.equal(utf8Prefix('aé😀b', 7), 'aé😀');
    assert.equal(utf8Suffix('aé😀b', 4), 'b');
    assert.equal(utf8Suffix('aé😀b', 5), '😀b');
    assert.equal(utf8Suffix('aé😀b', 7), 'é😀b');
    // A lone surrogate counts as the 3 bytes of U+FFFD, as Buffer.byteLength does.
    assert.equal(utf8Prefix('\ud800x', 3), '\ud800');
  });
});
