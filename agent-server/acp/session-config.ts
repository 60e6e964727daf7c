import type * as acp from '@agentclientprotocol/sdk';
import { SESSION_MODES } from '../permissions/policy.js';
import type { AgentSession } from '../runtime/agent-session.js';

/** The session's modes, in ACP's shape. */
export function modeState(session: AgentSession): acp.SessionModeState {
  return {
    currentModeId: session.mode,
    availableModes: SESSION_MODES.map((m) => ({ id: m.id, name: m.name, description: m.description })),
  };
}

/** Mode and model pickers as ACP config options. */
export function configOptions(session: AgentSession): acp.SessionConfigOption[] {
  const options: acp.SessionConfigOption[] = [
    {
      type: 'select',
      id: 'mode',
      name: 'Mode',
      category: 'mode',
      description: 'When Cairn asks before acting',
      currentValue: session.mode,
      options: SESSION_MODES.map((m) => ({ value: m.id, name: m.name, description: m.description })),
    },
  ];
  const model = session.modelId;
  if (model) {
    options.push({
      type: 'select',
      id: 'model',
      name: 'Model',
      category: 'model',
      currentValue: model,
      options: [...new Set([model, ...session.modelChoices])].map((m) => ({ value: m, name: m })),
    });
  }
  return options;
}
