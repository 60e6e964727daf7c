import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../../helpers/acp-harness.js';

// `cairn acp` answers session/new without loading the ACP SDK's runtime (its zod schemas) or zod:
// the agent side imports the SDK for types only, and checks params without zod (acp/rpc/).

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.join(dir, e.name)]
        : [],
  );
}

it('agent-server/acp/ imports the ACP SDK for types only, and never zod', () => {
  const offenders: string[] = [];
  for (const file of sources(path.join(repoRoot, 'agent-server/acp'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)\s+([^;]*?)\s+from\s+'([^']+)'/gms)) {
      const [, , what, from] = m;
      const typeOnly = what!.startsWith('type ');
      if ((from!.startsWith('@agentclientprotocol/sdk') && !typeOnly) || (from === 'zod' && !typeOnly))
        offenders.push(`${path.relative(repoRoot, file)} → ${from}`);
    }
    if (/import\(\s*'(zod|@agentclientprotocol\/sdk[^']*)'\s*\)/.test(text))
      offenders.push(`${path.relative(repoRoot, file)} → dynamic import`);
  }
  assert.deepEqual(offenders, []);
});
