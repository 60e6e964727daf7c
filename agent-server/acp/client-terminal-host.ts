import type { ClientTerminalHandle, ClientTerminalHost } from '../terminal/index.js';
import type { AgentContext } from './rpc/index.js';

/** The editor's terminal (`terminal/create` and friends) for the `client` terminal backend. */
export class AcpClientTerminalHost implements ClientTerminalHost {
  constructor(
    private readonly client: AgentContext,
    private readonly sessionId: string,
  ) {}

  async create(request: Parameters<ClientTerminalHost['create']>[0]): Promise<ClientTerminalHandle> {
    const handle = await this.client.createTerminal({ sessionId: this.sessionId, ...request });
    return {
      id: handle.id,
      currentOutput: async () => {
        const out = await handle.currentOutput();
        return { output: out.output, truncated: out.truncated, exitStatus: out.exitStatus ?? null };
      },
      waitForExit: async () => {
        const exit = await handle.waitForExit();
        return { exitCode: exit.exitCode ?? null, signal: exit.signal ?? null };
      },
      kill: async () => {
        await handle.kill();
      },
      release: async () => {
        await handle.release();
      },
    };
  }
}
