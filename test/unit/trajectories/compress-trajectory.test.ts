import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../../agent-server/core/messages.js';
import { InMemoryHistoryStore } from '../../../agent-server/history/index.js';
import { tokenReport } from '../../../agent-server/cli/export-command.js';
import {
  compressMessages,
  DEFAULT_OUTPUT_TOKENS,
  estimateMessageTokens,
  headAndTail,
} from '../../../agent-server/trajectories/compress-trajectory.js';
import { exportTrajectories } from '../../../agent-server/trajectories/export-trajectories.js';

const lines = (count: number, label: string) =>
  Array.from({ length: count }, (_, i) => `${label} line ${i} ${'x'.repeat(60)}`).join('\n');

function conversation(outputChars: number[], talk = 'please look'): ChatMessage[] {
  const out: ChatMessage[] = [{ role: 'user', content: talk }];
  outputChars.forEach((chars, i) => {
    out.push({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `c${i}`, name: 'terminal', arguments: '{"command":"make"}' }],
    });
    out.push({
      role: 'tool',
      toolCallId: `c${i}`,
      name: 'terminal',
      content: `START-${i}\n${lines(Math.ceil(chars / 80), `out${i}`)}\nEND-${i}`,
    });
  });
  out.push({ role: 'assistant', content: 'done' });
  return out;
}

const total = (ms: readonly ChatMessage[]) => ms.reduce((s, m) => s + estimateMessageTokens(m), 0);

describe('headAndTail', () => {
  it('keeps the first and last lines whole with a marker saying how much was cut', () => {
    const text = lines(1000, 'build');
    const cut = headAndTail(text, 4000);
    assert.ok(cut.startsWith('build line 0 '));
    assert.ok(cut.endsWith('build line 999 ' + 'x'.repeat(60)));
    const marker =
      /\n\[… ([\d,]+) characters \(~[\d,]+ tokens\) of tool output cut by cairn export --compress …\]\n/.exec(
        cut,
      );
    assert.ok(marker, cut.slice(1800, 2300));
    const [head, tail] = cut.split(marker[0]);
    assert.equal(head!.length + tail!.length + Number(marker[1]!.replace(/,/g, '')) + 1, text.length);
    assert.ok(cut.length < 4300);
    for (const part of [head!, tail!])
      for (const line of part.split('\n')) assert.match(line, /^build line \d+ x{60}$/);
  });

  it('leaves short text alone and never splits a surrogate pair', () => {
    assert.equal(headAndTail('short', 100), 'short');
    const cut = headAndTail('😀'.repeat(1000), 101);
    assert.doesNotMatch(cut, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});

describe('compressMessages', () => {
  it('--compress alone cuts only tool outputs over the default, never what was said', () => {
    const longTalk = 'q'.repeat(DEFAULT_OUTPUT_TOKENS * 4 * 3);
    const messages = conversation([DEFAULT_OUTPUT_TOKENS * 4 * 5, 500], longTalk);
    const done = compressMessages(messages, { outputTokens: DEFAULT_OUTPUT_TOKENS });
    assert.equal(done.outputsCut, 1);
    assert.equal(done.messages[0]!.content, longTalk, 'the user message is whole');
    assert.equal(done.messages[4], messages[4], 'the short output is untouched');
    const cut = done.messages[2]!.content as string;
    assert.match(cut, /^START-0\n/);
    assert.match(cut, /\nEND-0$/);
    assert.ok(estimateMessageTokens(done.messages[2]!) <= DEFAULT_OUTPUT_TOKENS + 40);
    assert.equal(done.tokensBefore, total(messages));
    assert.equal(done.tokensAfter, total(done.messages));
    assert.ok(done.tokensAfter < done.tokensBefore);
  });

  it('--max-tokens cuts the longest outputs until the conversation fits', () => {
    const messages = conversation([40_000, 30_000, 2_000, 800]);
    const done = compressMessages(messages, { outputTokens: DEFAULT_OUTPUT_TOKENS, maxTokens: 3000 });
    assert.ok(done.tokensAfter <= 3000, `${done.tokensAfter}`);
    assert.equal(done.overBudget, false);
    assert.equal(done.outputsCut, 2, 'the two longest are cut');
    assert.equal(done.messages[6], messages[6], 'the shorter outputs still fit whole');
    assert.equal(done.messages[8], messages[8]);
  });

  it('a conversation within its budget is left whole; one whose talk alone exceeds it says so', () => {
    const small = conversation([800]);
    assert.deepEqual(compressMessages(small, { maxTokens: 5000 }).messages, small);
    const talky = compressMessages(conversation([40_000], 't'.repeat(40_000)), { maxTokens: 5000 });
    assert.equal(talky.overBudget, true);
    assert.equal(talky.messages[0]!.content, 't'.repeat(40_000));
  });
});

describe('export --compress', () => {
  it('redacts before cutting (a secret across the cut never leaks in part) and sums tokens before and after', async () => {
    const secret = `sk-proj-${'S3cr3tK3y'.repeat(4)}`;
    const history = new InMemoryHistoryStore();
    await history.createSession({ id: 's', cwd: '/r' });
    const padding = 'p'.repeat(20_000);
    // The head of a 1000-token cut is 2000 characters: the secret starts just before that.
    const lead = `${'p'.repeat(1990)} `;
    const messages: ChatMessage[] = [
      { role: 'user', content: 'print it' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'terminal', arguments: '{}' }] },
      // The secret sits exactly where a head-and-tail cut would split it.
      { role: 'tool', toolCallId: 'c', name: 'terminal', content: `${lead}${secret} ${padding}` },
      { role: 'assistant', content: 'ok' },
    ];
    for (const message of messages) await history.append('s', { type: 'message', message });
    let out = '';
    const summary = await exportTrajectories({
      history,
      select: { sessionId: 's' },
      format: 'openai',
      secrets: [],
      compress: { outputTokens: 1000 },
      write: async (line) => {
        out += line;
      },
    });
    for (let i = 0; i + 8 <= secret.length; i++)
      assert.ok(
        !out.includes(secret.slice(i, i + 8)),
        `part of the secret leaked: ${secret.slice(i, i + 8)}`,
      );
    assert.equal(summary.redactions, 1);
    const row = JSON.parse(out) as {
      metadata: { compressed: { tokensBefore: number; tokensAfter: number } };
    };
    assert.ok(summary.tokens && summary.tokens.before > 5000 && summary.tokens.after < 1200);
    assert.deepEqual(row.metadata.compressed, {
      tokensBefore: summary.tokens.before,
      tokensAfter: summary.tokens.after,
      outputsCut: 1,
    });
    assert.match(tokenReport(summary.tokens), /before, .* after \(−\d+%\); 1 tool output\(s\) cut/);
  });
});
