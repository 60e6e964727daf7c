import type { ScriptStep } from './scripted-model-server.js';

/** A tiny project with one failing test, and the scripted session that fixes it. */
export const DEMO_FILES: Record<string, string> = {
  'package.json':
    JSON.stringify(
      { name: 'slug-demo', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } },
      null,
      2,
    ) + '\n',
  'src/slug.js': `/** Turns a title into a URL slug: "Hello, World!" -> "hello-world". */
export function slugify(title) {
  return title.trim().toLowerCase().replace(/\\s/g, '-');
}
`,
  'test/slug.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slug.js';

test('lowercases and joins words', () => {
  assert.equal(slugify('Hello World'), 'hello-world');
});

test('collapses spaces and drops punctuation', () => {
  assert.equal(slugify('  Hello,   World! '), 'hello-world');
});
`,
};

export const DEMO_PROMPT = 'The slug tests fail. Find out why and fix it.';

const FIXED_LINE = "  return title.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');";

export const DEMO_SCRIPT: ScriptStep[] = [
  {
    reasoning: 'Run the tests first to see the failure, then read the code.',
    text: "I'll run the tests to see what fails.",
    toolCalls: [
      {
        name: 'todo',
        arguments: {
          todos: [
            { content: 'Run the tests and read the failure', status: 'in_progress' },
            { content: 'Find the bug in slugify', status: 'pending' },
            { content: 'Fix it and re-run the tests', status: 'pending' },
          ],
        },
      },
    ],
  },
  { toolCalls: [{ name: 'terminal', arguments: { command: 'node --test' } }] },
  {
    text: 'The second test fails: runs of spaces become runs of dashes, and punctuation is kept. Let me read the function.',
    toolCalls: [{ name: 'read_file', arguments: { path: 'src/slug.js' } }],
  },
  {
    toolCalls: [
      {
        name: 'edit_file',
        arguments: {
          path: 'src/slug.js',
          old_string: "  return title.trim().toLowerCase().replace(/\\s/g, '-');",
          new_string: FIXED_LINE,
        },
      },
    ],
  },
  { toolCalls: [{ name: 'terminal', arguments: { command: 'node --test' } }] },
  {
    toolCalls: [
      {
        name: 'todo',
        arguments: {
          todos: [
            { content: 'Run the tests and read the failure', status: 'completed' },
            { content: 'Find the bug in slugify', status: 'completed' },
            { content: 'Fix it and re-run the tests', status: 'completed' },
          ],
        },
      },
    ],
  },
  {
    text:
      'Fixed. `slugify` replaced each single whitespace character with a dash, so `"  Hello,   World! "` became ' +
      '`"hello,---world!"`. It now turns every run of non-alphanumeric characters into one dash and trims dashes ' +
      'at both ends (`src/slug.js:3`). Both tests pass.',
  },
];
