import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayUrl } from '../../../agent-server/model/display-url.js';
import { addUsage, emptyUsage, usageLines } from '../../../agent-server/runtime/session-usage.js';

test('an endpoint is shown without credentials, query or fragment', () => {
  assert.equal(
    displayUrl('https://user:sk-secret@proxy.example/v1?api-key=sk-2#x'),
    'https://proxy.example/v1',
  );
  assert.equal(displayUrl('http://127.0.0.1:8080/v1'), 'http://127.0.0.1:8080/v1');
  assert.equal(displayUrl('not a url'), '(not a URL)');
});

test('usage totals: tokens always, cost when known, a lower bound when some requests had none', () => {
  const totals = emptyUsage();
  addUsage(totals, { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 40 });
  assert.deepEqual(usageLines(totals), [
    'Tokens: 1,200 in, 300 out (1,000 cached, 40 reasoning)',
    'Cost: not known (the provider reports none; set model.prices in config.json for an estimate)',
  ]);
  addUsage(totals, { inputTokens: 10, outputTokens: 5, costUsd: 0.25 });
  assert.deepEqual(usageLines(totals).slice(1), ['Cost: $0.2500 (at least: 1 request without a known cost)']);
  assert.deepEqual(usageLines(emptyUsage()), ['Tokens: 0 in, 0 out']);
});
