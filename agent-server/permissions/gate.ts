import type { ToolContent, ToolKind, ToolLocation } from '../core/tool-content.js';
import { modeVerdict, type PermissionCategory, type SessionMode } from './policy.js';

export interface PermissionRequest {
  toolCallId: string;
  toolName: string;
  category: PermissionCategory;
  kind: ToolKind;
  title: string;
  /**
   * What an "always" answer covers, matched exactly: `edit` for file edits,
   * `execute:<command>` for a command, `mcp:<server>:<tool>` for an MCP tool.
   */
  ruleKey: string;
  /** Asks in every mode unless the user answered "always" for this exact ruleKey. */
  dangerous?: boolean;
  /**
   * The action plants code that runs later outside the sandbox (a git hook, `.vscode/tasks.json`):
   * asks in every mode (plan refuses), and no "always" answer covers it or is remembered from it.
   */
  runsOutsideSandbox?: boolean;
  /**
   * Asked about every time (a removal the user confirms one by one, like `/forget`): no
   * "always" answer is offered, and none is remembered from it or applied to it.
   */
  askEveryTime?: boolean;
  content?: ToolContent[];
  locations?: ToolLocation[];
  rawInput?: unknown;
}

export type PermissionAnswer = 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always' | 'cancelled';

/** Asks a human: the ACP client (`session/request_permission`) or a terminal. */
export interface PermissionPrompter {
  ask(request: PermissionRequest, signal: AbortSignal): Promise<PermissionAnswer>;
}

/** "Always" answers for one project. Lives in Cairn's home, never in the repo. */
export interface PermissionRuleStore {
  lookup(ruleKey: string): 'allow' | 'deny' | undefined;
  remember(ruleKey: string, verdict: 'allow' | 'deny'): Promise<void>;
}

export type PermissionOutcome =
  /** `byUser`: a human said yes to this very call (not the mode, not a remembered rule). */
  | { allowed: true; byUser?: boolean }
  | { allowed: false; reason: 'rejected' | 'cancelled' | 'mode'; message: string };

/** Decides whether a tool may act: mode policy, then remembered rules, then the human. */
export class PermissionGate {
  constructor(
    private readonly currentMode: () => SessionMode,
    private readonly prompter: PermissionPrompter,
    private readonly rules: PermissionRuleStore,
    private readonly allowed: () => void = () => {},
  ) {}

  /** The same gate, calling `allowed` whenever it allows a request (the call then runs). */
  onAllowed(allowed: () => void): PermissionGate {
    return new PermissionGate(this.currentMode, this.prompter, this.rules, allowed);
  }

  async request(req: PermissionRequest, signal: AbortSignal): Promise<PermissionOutcome> {
    const outcome = await this.decide(req, signal);
    if (outcome.allowed) this.allowed();
    return outcome;
  }

  private async decide(req: PermissionRequest, signal: AbortSignal): Promise<PermissionOutcome> {
    const mode = this.currentMode();
    const alwaysAsk = req.runsOutsideSandbox === true;
    const verdict = modeVerdict(mode, req.category, req.dangerous ?? false, alwaysAsk);
    if (verdict === 'deny') {
      return {
        allowed: false,
        reason: 'mode',
        message: `Not allowed in ${mode} mode: this session is read-only. Nothing was changed.`,
      };
    }
    const remembered = req.askEveryTime ? undefined : this.rules.lookup(req.ruleKey);
    if (remembered === 'deny') {
      return { allowed: false, reason: 'rejected', message: 'The user has chosen to always reject this.' };
    }
    if (verdict === 'allow' || (remembered === 'allow' && !alwaysAsk)) return { allowed: true };

    const answer = await this.prompter.ask(req, signal);
    switch (answer) {
      case 'allow_always':
        // Never offered for such requests; a client that answers it anyway gets "once".
        if (!alwaysAsk && !req.askEveryTime) await this.rules.remember(req.ruleKey, 'allow');
        return { allowed: true, byUser: true };
      case 'allow_once':
        return { allowed: true, byUser: true };
      case 'reject_always':
        if (!req.askEveryTime) await this.rules.remember(req.ruleKey, 'deny');
        return { allowed: false, reason: 'rejected', message: 'The user rejected this.' };
      case 'reject_once':
        return { allowed: false, reason: 'rejected', message: 'The user rejected this.' };
      case 'cancelled':
        return {
          allowed: false,
          reason: 'cancelled',
          message: 'The turn was cancelled before the user answered.',
        };
      default:
        // An answer we do not know is not a yes.
        return { allowed: false, reason: 'rejected', message: 'The user did not approve this.' };
    }
  }
}
