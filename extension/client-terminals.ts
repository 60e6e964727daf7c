import { randomUUID } from 'node:crypto';
import { RequestError } from '@agentclientprotocol/sdk';
import type {
  CreateTerminalRequest,
  CreateTerminalResponse,
  TerminalOutputResponse,
  WaitForTerminalExitResponse,
} from '@agentclientprotocol/sdk';
import { CommandTerminal } from './command-terminal.js';

/**
 * The client side of ACP's `terminal/*` methods: the commands the agent runs through the editor.
 * `onCreated` lets the VS Code adapter show each one in a pseudo-terminal.
 */
export class ClientTerminals {
  private readonly terminals = new Map<string, CommandTerminal>();

  constructor(
    private readonly defaultCwd: () => string,
    private readonly onCreated: (terminal: CommandTerminal) => void = () => {},
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  create(params: CreateTerminalRequest): CreateTerminalResponse {
    const id = `term-${randomUUID()}`;
    const terminal = new CommandTerminal(id, params, this.defaultCwd(), this.baseEnv);
    this.terminals.set(id, terminal);
    this.onCreated(terminal);
    return { terminalId: id };
  }

  get(terminalId: string): CommandTerminal {
    const t = this.terminals.get(terminalId);
    if (!t) throw RequestError.resourceNotFound(terminalId);
    return t;
  }

  /** Terminals still tracked, for forwarding their output to the chat. */
  find(terminalId: string): CommandTerminal | undefined {
    return this.terminals.get(terminalId);
  }

  output(terminalId: string): TerminalOutputResponse {
    const t = this.get(terminalId);
    return { output: t.buffer.output, truncated: t.buffer.truncated, exitStatus: t.exitStatus };
  }

  async waitForExit(terminalId: string): Promise<WaitForTerminalExitResponse> {
    return await this.get(terminalId).waitForExit();
  }

  kill(terminalId: string): void {
    this.get(terminalId).kill();
  }

  release(terminalId: string): void {
    const t = this.terminals.get(terminalId);
    if (!t) return;
    t.kill();
    this.terminals.delete(terminalId);
  }

  disposeAll(): void {
    for (const id of [...this.terminals.keys()]) this.release(id);
  }
}
