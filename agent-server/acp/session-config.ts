import type * as acp from '@agentclientprotocol/sdk';
import { SESSION_MODES } from '../permissions/policy.js';
import type { AgentSession } from '../runtime/agent-session.js';
import { isReasoningEffort, REASONING_EFFORT_OPTION } from '../runtime/session-model.js';

/** The reasoning-effort choices; `default` sends nothing, so the model's own default applies. */
export const REASONING_EFFORT_CHOICES = [
  { value: 'default', name: 'Model default', description: 'Send no reasoning_effort' },
  { value: 'low', name: 'Low', description: 'Less thinking: faster and cheaper' },
  { value: 'medium', name: 'Medium' },
  { value: 'high', name: 'High', description: 'More thinking for harder problems' },
] as const;

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
    if (session.modelControls?.offersReasoningEffort) {
      const chosen = session.configValue(REASONING_EFFORT_OPTION);
      options.push({
        type: 'select',
        id: REASONING_EFFORT_OPTION,
        name: 'Reasoning effort',
        category: 'thought_level',
        description: 'How hard a reasoning model thinks (reasoning_effort)',
        currentValue: isReasoningEffort(chosen) ? chosen : 'default',
        options: REASONING_EFFORT_CHOICES.map((c) => ({ ...c })),
      });
    }
  }
  return options;
}
