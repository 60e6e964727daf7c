import type * as acp from '@agentclientprotocol/sdk';
import * as readline from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { bold, renderDiff, yellow } from './render.js';

/** What `cairn run`'s flags approve without asking. */
export type ApprovalPolicy = 'all' | 'edits' | 'ask' | 'none';

export interface ApprovalFlags {
  approvals: ApprovalPolicy;
  /** `--allow-dangerous`: also approve commands that always ask (`git push --force`, `curl … | sh`). */
  allowDangerous: boolean;
}

/** An answer typed at the prompt; undefined means "not an answer, ask again". */
export type TypedAnswer = 'allow_once' | 'allow_always' | 'reject_once';

/** `y`/`yes`, `n`/`no`, `a`/`always`; Enter alone is the safe default, no. */
export function parseApprovalAnswer(typed: string): TypedAnswer | undefined {
  switch (typed.trim().toLowerCase()) {
    case 'y':
    case 'yes':
      return 'allow_once';
    case 'a':
    case 'always':
      return 'allow_always';
    case '':
    case 'n':
    case 'no':
      return 'reject_once';
    default:
      return undefined;
  }
}

const isDangerous = (params: acp.RequestPermissionRequest): boolean =>
  !!(params.toolCall._meta as { cairn?: { dangerous?: boolean } } | undefined)?.cairn?.dangerous;

/** Why a request was refused without asking, and the flag that would have allowed it. */
function refusalReason(params: acp.RequestPermissionRequest, flags: ApprovalFlags): string {
  const isEdit = params.toolCall.kind === 'edit';
  if (flags.approvals === 'none') return '--approve none refuses everything';
  if (isDangerous(params) && flags.approvals === 'all')
    return 'a dangerous command always asks, and --yes does not cover it; add --allow-dangerous to run it without asking';
  if (isEdit) return 'edits need approval: add --approve edits (or --yes), or run in a terminal to answer';
  return flags.approvals === 'edits'
    ? '--approve edits covers edits only: add --yes to approve commands too, or run in a terminal to answer'
    : 'commands need approval: add --yes, or run in a terminal to answer';
}

/**
 * Answers `session/request_permission` for a terminal user: the flags first, then a prompt
 * when there is a terminal to ask on; without one, a refusal recorded for the final summary.
 */
export class TerminalApprover {
  /** Actions refused because nobody could be asked: title and reason. */
  readonly refused: Array<{ title: string; reason: string }> = [];

  constructor(
    private readonly flags: ApprovalFlags,
    private readonly io: {
      input: Readable;
      output: Writable;
      canAsk: boolean;
      cwd: string;
      warn: (s: string) => void;
    },
  ) {}

  async answer(params: acp.RequestPermissionRequest): Promise<acp.RequestPermissionResponse> {
    const optionFor = (kind: acp.PermissionOptionKind) =>
      params.options.find((o) => o.kind === kind)?.optionId;
    const selected = (optionId: string | undefined): acp.RequestPermissionResponse =>
      optionId ? { outcome: { outcome: 'selected', optionId } } : { outcome: { outcome: 'cancelled' } };

    const covered =
      this.flags.approvals === 'all' || (this.flags.approvals === 'edits' && params.toolCall.kind === 'edit');
    if (covered && (!isDangerous(params) || this.flags.allowDangerous))
      return selected(optionFor('allow_once'));
    if (this.flags.approvals !== 'none' && this.io.canAsk) {
      const typed = await this.ask(params, !!optionFor('allow_always'));
      return selected(optionFor(typed));
    }
    const title = params.toolCall.title ?? 'an action';
    const reason = refusalReason(params, this.flags);
    this.refused.push({ title, reason });
    this.io.warn(yellow(`⊘ Refused without asking: ${title} — ${reason}\n`));
    return selected(optionFor('reject_once'));
  }

  /** The lines printed at the end of a run in which something was refused. */
  summary(): string | undefined {
    if (!this.refused.length) return undefined;
    const lines = this.refused.map((r) => `  ⊘ ${r.title} — ${r.reason}`);
    const n = this.refused.length;
    return `cairn: ${n} action${n === 1 ? ' was' : 's were'} refused because there was no terminal to ask on:\n${lines.join('\n')}\n`;
  }

  private async ask(params: acp.RequestPermissionRequest, offerAlways: boolean): Promise<TypedAnswer> {
    const out = this.io.output;
    for (const c of params.toolCall.content ?? [])
      if (c.type === 'diff') out.write(renderDiff(c, this.io.cwd) + '\n');
    const rl = readline.createInterface({ input: this.io.input, output: out, terminal: false });
    const choices = offerAlways ? '[y]es / [n]o / [a]lways' : '[y]es / [n]o';
    try {
      out.write(`${yellow('?')} ${bold(params.toolCall.title ?? 'Allow?')}\n`);
      // Input that ends (Ctrl-D, a closed pipe) is a no, never a hang.
      const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('n')));
      for (;;) {
        const line = await Promise.race([rl.question(`  Allow? ${choices} (Enter = no) › `), closed]);
        const typed = parseApprovalAnswer(line);
        if (typed && (typed !== 'allow_always' || offerAlways)) return typed;
        out.write(`  Please answer ${offerAlways ? 'y, n or a' : 'y or n'}.\n`);
      }
    } finally {
      rl.close();
    }
  }
}
