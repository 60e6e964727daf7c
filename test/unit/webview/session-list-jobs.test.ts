/// <reference types="node" />
// The history list puts scheduled jobs' runs in a "Job results" group above the chats, marks the
// unseen ones, and shows a run that did not finish well by its outcome.
import { freshRoot } from './dom-env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionList } from '../../../extension/webview/views/session-list.js';
import type { SessionSummary } from '../../../shared/webview-protocol.js';

const chat = (id: string): SessionSummary => ({
  sessionId: id,
  title: `Chat ${id}`,
  updatedAt: null,
  cwd: '/w',
});

test('job runs are grouped as Job results, unseen ones marked New, failed ones said failed', async () => {
  const root = freshRoot();
  const loaded: string[] = [];
  const list = new SessionList({
    list: async () => ({
      sessions: [
        chat('c1'),
        {
          ...chat('j1'),
          title: 'deps check — Mon 09:00',
          origin: { kind: 'job', jobName: 'deps', outcome: 'done' },
          unseen: true,
        },
        chat('c2'),
        {
          ...chat('j2'),
          title: 'flaky hunt — Sun 02:00',
          origin: { kind: 'job', jobName: 'flaky', outcome: 'failed' },
        },
      ],
      nextCursor: null,
    }),
    load: async (id) => void loaded.push(id),
    close: () => {},
  });
  root.append(list.element);
  await list.open(null);

  const group = list.element.querySelector('section[aria-label="Job results"]');
  assert.ok(group, 'a Job results group');
  const titles = (el: Element) => [...el.querySelectorAll('.session-title')].map((t) => t.textContent);
  assert.deepEqual(titles(group), ['deps check — Mon 09:00', 'flaky hunt — Sun 02:00']);
  const [unseen, failed] = [...group.querySelectorAll('button.session')];
  assert.equal(unseen!.querySelector('.badge-new')?.textContent, 'New');
  assert.equal(unseen!.querySelector('.badge-error'), null, 'a done run is not marked');
  assert.equal(failed!.querySelector('.badge-new'), null, 'seen');
  assert.equal(failed!.querySelector('.badge-error')?.textContent, 'failed');
  // The chats follow under their own heading, outside the group.
  assert.deepEqual(titles(list.element).slice(2), ['Chat c1', 'Chat c2']);
  assert.ok([...list.element.querySelectorAll('h3')].some((h) => h.textContent === 'Chats'));
  (failed as HTMLButtonElement).click();
  assert.deepEqual(loaded, ['j2']);
});

test('without job runs the list is as before: no groups', async () => {
  const root = freshRoot();
  const list = new SessionList({
    list: async () => ({ sessions: [chat('c1')], nextCursor: null }),
    load: async () => {},
    close: () => {},
  });
  root.append(list.element);
  await list.open(null);
  assert.equal(list.element.querySelector('h3'), null);
  assert.equal(list.element.querySelectorAll('button.session').length, 1);
});
