/// <reference types="node" />
import './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ItemRenderer, WindowedList } from '../../../extension/webview/views/message-list.js';

type Row = { id: string; text: string };

function rows(count: number, from = 0): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, text: `row ${from + i}` }));
}

function renderer(): ItemRenderer<Row> & { created: number } {
  const r = {
    created: 0,
    create(item: Row) {
      r.created++;
      const div = document.createElement('div');
      div.className = 'row';
      div.textContent = item.text;
      return div;
    },
    update(node: HTMLElement, item: Row) {
      node.textContent = item.text;
      return node;
    },
  };
  return r;
}

function shownTexts(list: WindowedList<Row>): string[] {
  return [...list.element.querySelectorAll('.row')].map((n) => n.textContent ?? '');
}

test('2,000 items keep the DOM bounded to the window, showing the newest', () => {
  const list = new WindowedList(renderer(), { windowSize: 50, step: 20 });
  document.body.append(list.element);
  list.setItems(rows(2000));
  assert.equal(list.renderedCount(), 50);
  assert.equal(list.element.querySelectorAll('.row').length, 50);
  assert.equal(shownTexts(list).at(-1), 'row 1999');
  assert.ok(list.element.querySelectorAll('*').length < 60, 'no hidden copies of the other 1,950 items');
});

test('following the bottom: new items slide the window and old ones leave the DOM', () => {
  const list = new WindowedList(renderer(), { windowSize: 10, step: 5 });
  const items = rows(10);
  list.setItems(items);
  list.setItems([...items, ...rows(3, 10)]);
  assert.deepEqual(shownTexts(list)[0], 'row 3');
  assert.deepEqual(shownTexts(list).at(-1), 'row 12');
  assert.equal(list.renderedCount(), 10);
});

test('"Show earlier" slides back a step and stays bounded; "Jump to latest" returns', () => {
  const list = new WindowedList(renderer(), { windowSize: 10, step: 4 });
  list.setItems(rows(100));
  const earlier = list.element.querySelector<HTMLButtonElement>('.list-more:not(.list-latest)')!;
  assert.equal(earlier.hidden, false);
  assert.match(earlier.textContent ?? '', /90/);
  earlier.click();
  assert.deepEqual(list.renderedRange(), { start: 86, end: 96 });
  assert.equal(shownTexts(list)[0], 'row 86');
  assert.equal(list.isFollowing(), false);
  // While reading history, new items do not yank the window to the bottom.
  list.setItems(rows(101));
  assert.deepEqual(list.renderedRange(), { start: 86, end: 96 });
  const latest = list.element.querySelector<HTMLButtonElement>('.list-latest')!;
  assert.equal(latest.hidden, false);
  latest.click();
  assert.deepEqual(list.renderedRange(), { start: 91, end: 101 });
  assert.equal(list.isFollowing(), true);
});

test('a changed item updates in place; unchanged items are not re-created', () => {
  const r = renderer();
  const list = new WindowedList(r, { windowSize: 10, step: 5 });
  const items = rows(5);
  list.setItems(items);
  const node = list.element.querySelectorAll('.row')[4];
  const created = r.created;
  list.setItems([...items.slice(0, 4), { id: 'r4', text: 'row 4 streaming' }]);
  assert.equal(r.created, created);
  assert.equal(list.element.querySelectorAll('.row')[4], node);
  assert.equal(node?.textContent, 'row 4 streaming');
});

test('a snapshot restores the reading position after a reload', () => {
  const list = new WindowedList(renderer(), { windowSize: 10, step: 5 });
  list.setItems(rows(100));
  list.showEarlier();
  list.showEarlier();
  const snapshot = list.snapshot();
  assert.equal(snapshot.following, false);
  const reloaded = new WindowedList(renderer(), { windowSize: 10, step: 5 });
  reloaded.setItems(rows(100));
  reloaded.restore(snapshot);
  assert.equal(shownTexts(reloaded)[0], `row ${snapshot.anchorId?.slice(1)}`);
  assert.equal(reloaded.isFollowing(), false);
});

test('replacing the whole list (new chat) goes back to following', () => {
  const list = new WindowedList(renderer(), { windowSize: 10, step: 5 });
  list.setItems(rows(50));
  list.showEarlier();
  list.setItems(rows(3, 1000));
  assert.equal(list.isFollowing(), true);
  assert.deepEqual(shownTexts(list), ['row 1000', 'row 1001', 'row 1002']);
});

test('an item whose update returns a new node is swapped in place, order intact', () => {
  const list = new WindowedList<Row>(
    {
      create(item) {
        const div = document.createElement('div');
        div.className = 'row';
        div.textContent = item.text;
        return div;
      },
      update(_node, item) {
        return this.create(item); // e.g. a rebuilt tool card
      },
    },
    { windowSize: 10, step: 5 },
  );
  const items = rows(4);
  list.setItems(items);
  list.setItems([items[0]!, { id: 'r1', text: 'row 1 changed' }, items[2]!, items[3]!, ...rows(1, 4)]);
  assert.deepEqual(shownTexts(list), ['row 0', 'row 1 changed', 'row 2', 'row 3', 'row 4']);
});
