/** When to ask. Separate from sandbox policy (what a command may touch). */
export type SessionMode = 'ask' | 'accept-edits' | 'plan' | 'auto';

export const SESSION_MODES: readonly { id: SessionMode; name: string; description: string }[] = [
  { id: 'ask', name: 'Ask', description: 'Edits and commands ask for approval' },
  { id: 'accept-edits', name: 'Accept edits', description: 'Edits apply without asking; commands still ask' },
  { id: 'plan', name: 'Plan', description: 'Read-only: the agent can look but not change anything' },
  { id: 'auto', name: 'Auto', description: 'Nothing asks, except commands classed dangerous' },
];

export function isSessionMode(value: string): value is SessionMode {
  return SESSION_MODES.some((m) => m.id === value);
}

/**
 * What an action does, for the mode policy. `network`: a request to the web (web_fetch); it
 * changes nothing, but its URL can carry what the model read out to anyone, so it asks in every
 * mode but auto, plan included.
 */
export type PermissionCategory = 'read' | 'edit' | 'execute' | 'external' | 'network';

export type PolicyVerdict = 'allow' | 'ask' | 'deny';

/**
 * The mode's answer before any remembered rule is consulted. `alwaysAsk` (a file that runs code
 * outside the sandbox) asks in every mode that may change anything.
 */
export function modeVerdict(
  mode: SessionMode,
  category: PermissionCategory,
  dangerous: boolean,
  alwaysAsk = false,
): PolicyVerdict {
  if (category === 'read' && !alwaysAsk) return 'allow';
  if (category === 'network') return mode === 'auto' && !dangerous ? 'allow' : 'ask';
  if (mode === 'plan') return 'deny';
  if (dangerous || alwaysAsk) return 'ask';
  switch (mode) {
    case 'auto':
      return 'allow';
    case 'accept-edits':
      return category === 'edit' ? 'allow' : 'ask';
    case 'ask':
      return 'ask';
  }
}
