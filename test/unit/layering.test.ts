// The layers of DESIGN.md, checked from the imports of the tree (see test/helpers/layering-rules.ts).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkLayering,
  describeViolation,
  importsOf,
  type Allowances,
  type SourceFile,
} from '../helpers/layering-rules.js';

const root = join(import.meta.dirname, '..', '..');

function sourcesUnder(folder: string, out: SourceFile[] = []): SourceFile[] {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) sourcesUnder(path, out);
    else if (/\.(ts|mts|cts|tsx)$/.test(entry.name)) {
      out.push({ path, text: readFileSync(join(root, path), 'utf8') });
    }
  }
  return out;
}

/** Exceptions in the tree today, each with why. Empty is the goal. */
const ALLOWANCES: Allowances = new Map();

function check(files: SourceFile[]): string[] {
  return checkLayering(files).map(describeViolation);
}

describe('layering', () => {
  it('the tree follows the layers of DESIGN.md', () => {
    const files = ['agent-server', 'extension', 'shared'].flatMap((folder) => sourcesUnder(folder));
    assert.ok(
      files.length > 100,
      `found only ${files.length} sources under ${relative(process.cwd(), root)}`,
    );
    const violations = checkLayering(files, ALLOWANCES).map(describeViolation);
    assert.deepEqual(violations, [], `layering violations (file:line → import):\n${violations.join('\n')}`);
  });

  it('core may import itself and shared/, nothing else', () => {
    const violations = check([
      {
        path: 'agent-server/core/turn.ts',
        text: [
          "import { a } from './events.js';",
          "import type { B } from '../../shared/tool-outcome.js';",
          "import { readFile } from 'node:fs/promises';",
          "import type { Tool } from '../tools/types.js';",
          "export * from '../runtime/agent-session.js';",
          "const lazy = () => import('../history/index.js');",
          'let t: import("zod").ZodType;',
        ].join('\n'),
      },
    ]);
    assert.deepEqual(
      violations.map((line) => line.split('  (')[0]),
      [
        'agent-server/core/turn.ts:3 → node:fs/promises',
        'agent-server/core/turn.ts:4 → ../tools/types.js',
        'agent-server/core/turn.ts:5 → ../runtime/agent-session.js',
        'agent-server/core/turn.ts:6 → ../history/index.js',
        'agent-server/core/turn.ts:7 → zod',
      ],
    );
  });

  it('the ACP SDK is imported by acp/ and cli/ only; tools import neither the SDK nor vscode', () => {
    const violations = check([
      { path: 'agent-server/acp/agent.ts', text: "import * as acp from '@agentclientprotocol/sdk';" },
      { path: 'agent-server/cli/render.ts', text: "import type { X } from '@agentclientprotocol/sdk';" },
      {
        path: 'agent-server/runtime/x.ts',
        text: "import type { X } from '@agentclientprotocol/sdk/dist/schema.js';",
      },
      { path: 'agent-server/tools/read.ts', text: "import * as vscode from 'vscode';\n// import 'vscode'" },
      { path: 'agent-server/tools/edit.ts', text: "const sdk = require('@agentclientprotocol/sdk');" },
    ]);
    assert.deepEqual(violations, [
      'agent-server/runtime/x.ts:1 → @agentclientprotocol/sdk/dist/schema.js  (only agent-server/acp/ and agent-server/cli/ import the ACP SDK)',
      'agent-server/tools/read.ts:1 → vscode  (a tool imports neither the ACP SDK nor vscode)',
      'agent-server/tools/edit.ts:1 → @agentclientprotocol/sdk  (only agent-server/acp/ and agent-server/cli/ import the ACP SDK)',
      'agent-server/tools/edit.ts:1 → @agentclientprotocol/sdk  (a tool imports neither the ACP SDK nor vscode)',
    ]);
  });

  it('extension/ never imports agent-server/; shared/ imports neither side', () => {
    const violations = check([
      { path: 'extension/chat-host.ts', text: "import { x } from '../agent-server/core/turn.js';" },
      {
        path: 'extension/webview/app.ts',
        text: "import type { Y } from '../../agent-server/acp/translate.js';",
      },
      {
        path: 'extension/ok.ts',
        text: "import { z } from '../shared/config.js';\nconst s = 'agent-server/x';",
      },
      { path: 'shared/a.ts', text: "export { x } from '../extension/chat-host.js';\nimport 'vscode';" },
      { path: 'shared/b.ts', text: "import type { T } from '../agent-server/tools/types.js';" },
    ]);
    assert.deepEqual(
      violations.map((line) => line.split('  (')[0]),
      [
        'extension/chat-host.ts:1 → ../agent-server/core/turn.js',
        'extension/webview/app.ts:1 → ../../agent-server/acp/translate.js',
        'shared/a.ts:1 → ../extension/chat-host.js',
        'shared/a.ts:2 → vscode',
        'shared/b.ts:1 → ../agent-server/tools/types.js',
      ],
    );
  });

  it('what the webview imports from shared/, directly or through shared/, uses no Node-only API', () => {
    const violations = check([
      {
        path: 'extension/webview/app.ts',
        text: "import { a } from '../../shared/a.js';\nimport type { C } from '../../shared/c.js';",
      },
      { path: 'shared/a.ts', text: "import { b } from './b.js';\nexport const a = process.env.HOME;" },
      {
        path: 'shared/b.ts',
        text: [
          "import { homedir } from 'node:os';",
          "import type { Stats } from 'node:fs';",
          'export const b = Buffer.from(homedir());',
          'const o = { process: 1 }; o.process;',
        ].join('\n'),
      },
      // Reached only through a type-only import: erased from the webview bundle.
      { path: 'shared/c.ts', text: "import { readFileSync } from 'node:fs';" },
      // Not reached from the webview at all.
      { path: 'shared/d.ts', text: "import { readFileSync } from 'fs';" },
      { path: 'shared/e.ts', text: 'function f(process: string) { return process; }' },
    ]);
    assert.deepEqual(
      violations.map((line) => line.split('  (')[0]),
      ['shared/a.ts:2 → process', 'shared/b.ts:1 → node:os', 'shared/b.ts:3 → Buffer'],
    );
  });

  it('reads imports from the syntax tree, not from text', () => {
    const sites = importsOf({
      path: 'agent-server/core/x.ts',
      text: [
        '// import { y } from "../acp/agent.js";',
        'const text = "import { z } from \'vscode\'";',
        'import {',
        '  type A,',
        '  type B,',
        "} from './a.js';",
      ].join('\n'),
    });
    assert.deepEqual(sites, [
      {
        file: 'agent-server/core/x.ts',
        line: 6,
        specifier: './a.js',
        target: 'agent-server/core/a.js',
        typeOnly: true,
      },
    ]);
  });

  it('an allowance names one file and one import', () => {
    const files = [{ path: 'agent-server/core/x.ts', text: "import 'node:fs';\nimport 'node:os';" }];
    const violations = checkLayering(files, new Map([['agent-server/core/x.ts → node:fs', 'why']]));
    assert.deepEqual(violations.map(describeViolation), [
      'agent-server/core/x.ts:2 → node:os  (agent-server/core/ imports only itself (and the pure helpers in shared/))',
    ]);
  });
});
