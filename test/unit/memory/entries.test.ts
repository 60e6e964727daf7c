import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEdit,
  countChars,
  formatUsage,
  MemoryEditError,
  parseEntries,
  serializeEntries,
} from '../../../agent-server/memory/entries.js';

describe('memory file format', () => {
  test('entries are separated by a § line and round-trip', () => {
    const entries = [
      'Uses pnpm, not npm.',
      'Tests: `pnpm test -- --watch=false`\nslow ones under test/slow.',
    ];
    const text = serializeEntries(entries);
    assert.equal(
      text,
      'Uses pnpm, not npm.\n§\nTests: `pnpm test -- --watch=false`\nslow ones under test/slow.\n',
    );
    assert.deepEqual(parseEntries(text), entries);
  });

  test('a hand-written file without delimiters is read as paragraphs and bullets', () => {
    const text =
      '# My notes\n\n- Deploy with make ship\n- Staging is at 10.0.0.5\n  (VPN needed)\n\nA paragraph\nover two lines.\n';
    assert.deepEqual(parseEntries(text), [
      '# My notes',
      '- Deploy with make ship',
      '- Staging is at 10.0.0.5\n  (VPN needed)',
      'A paragraph\nover two lines.',
    ]);
  });

  test('CRLF and a BOM from an editor are accepted', () => {
    assert.deepEqual(parseEntries('\uFEFFone\r\n§\r\ntwo\r\n'), ['one', 'two']);
  });

  test('usage reads like "67% — 1,474/2,200 chars"', () => {
    assert.equal(formatUsage(1474, 2200), '67% — 1,474/2,200 chars');
    assert.equal(formatUsage(0, 1400), '0% — 0/1,400 chars');
  });

  test('size counts characters, not UTF-16 units', () => {
    assert.equal(countChars(['🚀ab']), 3);
    assert.equal(countChars(['a', 'b']), 5); // "a\n§\nb"
  });
});

describe('applyEdit', () => {
  const label = 'project notes (MEMORY.md)';

  test('add appends; an identical entry is not added twice', () => {
    const r = applyEdit(['a'], { action: 'add', content: '  b\n' }, 100, label);
    assert.deepEqual(r.entries, ['a', 'b']);
    const again = applyEdit(r.entries, { action: 'add', content: 'b' }, 100, label);
    assert.equal(again.changed, false);
  });

  test('replace and remove pick the one entry containing old_text', () => {
    const entries = ['Node 20 via nvm', 'Postgres on 5433', 'Redis on 6380'];
    assert.deepEqual(
      applyEdit(entries, { action: 'replace', oldText: '5433', content: 'Postgres on 5434' }, 500, label)
        .entries,
      ['Node 20 via nvm', 'Postgres on 5434', 'Redis on 6380'],
    );
    assert.deepEqual(applyEdit(entries, { action: 'remove', oldText: 'Redis' }, 500, label).entries, [
      'Node 20 via nvm',
      'Postgres on 5433',
    ]);
  });

  test('an ambiguous or missing old_text is refused with what it matched', () => {
    const entries = ['Postgres on 5433', 'Postgres user is app'];
    assert.throws(
      () => applyEdit(entries, { action: 'remove', oldText: 'Postgres' }, 500, label),
      (e: Error) =>
        e instanceof MemoryEditError &&
        /2 entries .* contain "Postgres"/.test(e.message) &&
        /Postgres user is app/.test(e.message),
    );
    assert.throws(
      () => applyEdit(entries, { action: 'remove', oldText: 'MySQL' }, 500, label),
      (e: Error) =>
        e instanceof MemoryEditError &&
        /No entry .* contains "MySQL"/.test(e.message) &&
        /Postgres on 5433/.test(e.message),
    );
  });

  test('content holding the delimiter line is refused (it would split the entry)', () => {
    assert.throws(() => applyEdit([], { action: 'add', content: 'a\n§\nb' }, 500, label), MemoryEditError);
  });

  test('a write over the limit fails and shows the entries with usage', () => {
    const a = 'x'.repeat(1000);
    const b = 'y'.repeat(471);
    assert.equal(countChars([a, b]), 1474);
    assert.throws(
      () => applyEdit([a, b], { action: 'add', content: 'z'.repeat(800) }, 2200, label),
      (e: Error) =>
        e instanceof MemoryEditError &&
        e.message.includes('Current project notes (MEMORY.md) (67% — 1,474/2,200 chars):') &&
        e.message.includes(`${a}\n§\n${b}`) &&
        e.message.includes('would grow to 2,277 chars'),
    );
  });

  test('a file already over its limit may shrink but not grow', () => {
    const over = ['a'.repeat(150), 'b'.repeat(150)];
    assert.throws(() => applyEdit(over, { action: 'add', content: 'c' }, 200, label), MemoryEditError);
    assert.deepEqual(
      applyEdit(over, { action: 'replace', oldText: 'aaa', content: 'short' }, 200, label).entries,
      ['short', 'b'.repeat(150)],
    );
    assert.deepEqual(applyEdit(over, { action: 'remove', oldText: 'bbb' }, 200, label).entries, [
      'a'.repeat(150),
    ]);
  });
});
