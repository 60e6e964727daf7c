import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressIndicator, lastLines } from '../../../agent-server/cli/progress.js';

/** The indicator with a hand-driven clock: no timing in the test. */
function indicator(tty: boolean, atLineStart = () => true) {
  let now = 0;
  let written = '';
  const progress = new ProgressIndicator({
    write: (s) => (written += s),
    tty,
    columns: () => 80,
    atLineStart,
    now: () => now,
  });
  return {
    progress,
    advance: (ms: number) => (now += ms),
    take: () => {
      const s = written;
      written = '';
      return s;
    },
  };
}

test('on a terminal: what is happening and for how long, redrawn in place', () => {
  const t = indicator(true);
  t.progress.setActivity('waiting for the model');
  t.advance(4_200);
  t.progress.tick();
  assert.match(t.take(), /waiting for the model… 4 s$/);
  t.advance(1_000);
  t.progress.tick();
  const redraw = t.take();
  assert.ok(redraw.startsWith('\r\x1b[2K'), 'the previous line is erased first');
  assert.match(redraw, /waiting for the model… 5 s$/);
  t.progress.clear();
  assert.equal(t.take(), '\r\x1b[2K');
});

test('a running command shows its name, elapsed time and its last lines', () => {
  const t = indicator(true);
  t.progress.observe({
    sessionUpdate: 'tool_call',
    toolCallId: 'c',
    title: 'npm test',
    kind: 'execute',
    status: 'pending',
  });
  t.progress.observe({ sessionUpdate: 'tool_call_update', toolCallId: 'c', status: 'in_progress' });
  t.progress.observe({
    sessionUpdate: 'tool_call_update',
    toolCallId: 'c',
    content: [{ type: 'content', content: { type: 'text', text: '```\none\ntwo\nthree\nfour\n```' } }],
  });
  t.advance(12_000);
  t.progress.tick();
  const drawn = t.take();
  assert.match(drawn, /│ two\n.*│ three\n.*│ four\n.*running npm test… 12 s$/s);
  assert.doesNotMatch(drawn, /one|```/);
  // Erasing removes all four drawn lines.
  t.progress.clear();
  assert.equal(t.take(), '\r\x1b[2K' + '\x1b[1A\x1b[2K'.repeat(3));
  t.progress.observe({ sessionUpdate: 'tool_call_update', toolCallId: 'c', status: 'completed' });
  t.progress.tick();
  assert.match(t.take(), /waiting for the model… 0 s$/);
});

test('a retry notice becomes what is being waited for', () => {
  const t = indicator(true);
  t.progress.setActivity('waiting for the model');
  t.progress.observe({
    sessionUpdate: 'notice',
    severity: 'warning',
    title: 'rate limited, retrying in 2 s (attempt 2/3)',
  } as never);
  t.progress.tick();
  assert.match(t.take(), /rate limited, retrying in 2 s \(attempt 2\/3\)… 0 s$/);
});

test('streamed text stops the spinner, and nothing is drawn over a half-printed line', () => {
  let atStart = false;
  const t = indicator(true, () => atStart);
  t.progress.setActivity('waiting for the model');
  t.advance(3_000);
  t.progress.tick();
  assert.equal(t.take(), '', 'the cursor is mid-line');
  atStart = true;
  t.progress.observe({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'hi' } });
  t.progress.tick();
  assert.equal(t.take(), '');
});

test('without a terminal: a plain line after 5 s, then every 15 s, never escape codes', () => {
  const t = indicator(false);
  t.progress.setActivity('running npm test');
  t.advance(4_000);
  t.progress.tick();
  assert.equal(t.take(), '');
  t.advance(1_000);
  t.progress.tick();
  assert.equal(t.take(), 'cairn: running npm test… 5 s\n');
  t.advance(10_000);
  t.progress.tick();
  assert.equal(t.take(), '');
  t.advance(5_000);
  t.progress.tick();
  assert.equal(t.take(), 'cairn: running npm test… 20 s\n');
  t.progress.clear();
  assert.equal(t.take(), '');
});

test('lastLines drops fences, blank lines and colour codes', () => {
  assert.deepEqual(lastLines('```\na\n\n\x1b[31mb\x1b[0m\nc\n```', 2), ['b', 'c']);
});
