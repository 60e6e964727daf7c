import type { AgentSession } from './agent-session.js';
import { usageLines } from './session-usage.js';

/**
 * `/status`: the session (id, workspace, mode), its model (endpoint without secrets, the model,
 * a fallback answering, reasoning effort), where commands run, checkpoints and MCP servers, and
 * the session's tokens and cost so far.
 */
export function statusText(session: AgentSession): string {
  return [...session.statusLines(), ...usageLines(session.usage)].map((line) => `- ${line}`).join('\n');
}
