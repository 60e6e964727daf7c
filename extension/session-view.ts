import type {
  AvailableCommand,
  ContentBlock,
  LoadSessionResponse,
  NewSessionResponse,
  SessionConfigOption,
  SessionModeState,
  SessionNotification,
  ToolCallLocation,
} from '@agentclientprotocol/sdk';

type ToolCallInfo = { kind: string | null; status: string | null; locations: ToolCallLocation[] };

/**
 * What the host knows about the current ACP session, folded from `session/update`s: title,
 * modes, config options, slash commands, tool calls, and the transcript a reloaded webview replays.
 */
export class SessionView {
  sessionId: string | null = null;
  title: string | null = null;
  modes: SessionModeState | null = null;
  configOptions: SessionConfigOption[] = [];
  commands: AvailableCommand[] = [];
  transcript: SessionNotification[] = [];
  private toolCalls = new Map<string, ToolCallInfo>();

  reset(sessionId: string, res: NewSessionResponse | null): void {
    this.sessionId = sessionId;
    this.title = null;
    this.commands = [];
    this.transcript = [];
    this.toolCalls.clear();
    this.modes = res?.modes ?? null;
    this.configOptions = res?.configOptions ?? [];
  }

  applyLoaded(res: LoadSessionResponse | null): void {
    if (res?.modes) this.modes = res.modes;
    if (res?.configOptions) this.configOptions = res.configOptions;
  }

  setMode(modeId: string): void {
    if (this.modes) this.modes = { ...this.modes, currentModeId: modeId };
  }

  /** The user's prompt, kept in the transcript the way `session/load` replays it. */
  recordUserPrompt(sessionId: string, prompt: ContentBlock[]): void {
    for (const content of prompt) {
      this.transcript.push({ sessionId, update: { sessionUpdate: 'user_message_chunk', content } });
    }
  }

  /** Whether the user has prompted in this session yet (sent now or replayed). */
  hasUserPrompt(): boolean {
    return this.transcript.some((n) => n.update.sessionUpdate === 'user_message_chunk');
  }

  /** Folds an update in; false when it belongs to another session (a late one after a switch). */
  accept(n: SessionNotification): boolean {
    if (n.sessionId !== this.sessionId) return false;
    this.transcript.push(n);
    const u = n.update;
    switch (u.sessionUpdate) {
      case 'available_commands_update':
        this.commands = u.availableCommands;
        break;
      case 'current_mode_update':
        this.setMode(u.currentModeId);
        break;
      case 'config_option_update':
        this.configOptions = u.configOptions;
        break;
      case 'session_info_update':
        if (u.title !== undefined) this.title = u.title ?? null;
        break;
      case 'tool_call':
        this.toolCalls.set(u.toolCallId, {
          kind: u.kind ?? null,
          status: u.status ?? null,
          locations: u.locations ?? [],
        });
        break;
      case 'tool_call_update': {
        const prev = this.toolCalls.get(u.toolCallId) ?? { kind: null, status: null, locations: [] };
        this.toolCalls.set(u.toolCallId, {
          kind: u.kind ?? prev.kind,
          status: u.status ?? prev.status,
          locations: u.locations ?? prev.locations,
        });
        break;
      }
    }
    return true;
  }

  /** The running edit tool call that touches `path`, so a write's review joins its card. */
  editToolCallFor(path: string): string | null {
    let found: string | null = null;
    for (const [id, t] of this.toolCalls) {
      const running = t.status !== 'completed' && t.status !== 'failed';
      if (running && t.locations.some((l) => l.path === path)) found = id;
    }
    return found;
  }
}
