import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ToolOutputConfigSchema, type ToolOutputConfig } from '../../shared/config.js';
import { SessionOutputs } from '../../agent-server/runtime/saved-outputs.js';
import type { ToolResultLimits } from '../../agent-server/runtime/tool-result-view.js';

/**
 * The runner's output rule as a session has it: the default budget (or `config`), whole results
 * saved under a temp Cairn home, and `secrets` scrubbed.
 */
export function testResultLimits(
  opts: { home?: string; sessionId?: string; config?: Partial<ToolOutputConfig>; secrets?: string[] } = {},
): ToolResultLimits & { outputs: SessionOutputs } {
  const home = opts.home ?? fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-home-')));
  const config = ToolOutputConfigSchema.parse(opts.config ?? {});
  const outputs = new SessionOutputs(home, opts.sessionId ?? 'test-session', config);
  return {
    budget: config,
    saveWhole: (id, text) => outputs.save(id, text),
    secrets: opts.secrets ?? [],
    outputs,
  };
}
