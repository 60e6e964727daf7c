import type { CommandResult, CommandSpec } from './backend.js';

/** The commands a backend has in flight, so `dispose()` can stop them whatever callers do. */
export class RunningCommands {
  private readonly controllers = new Set<AbortController>();

  async run(spec: CommandSpec, start: (spec: CommandSpec) => Promise<CommandResult>): Promise<CommandResult> {
    const own = new AbortController();
    this.controllers.add(own);
    try {
      return await start({ ...spec, signal: AbortSignal.any([spec.signal, own.signal]) });
    } finally {
      this.controllers.delete(own);
    }
  }

  get size(): number {
    return this.controllers.size;
  }

  /** Aborts everything and waits (bounded) until each run has reaped its process group. */
  async stopAll(maxWaitMs = 5000): Promise<void> {
    for (const controller of this.controllers) controller.abort();
    const deadline = Date.now() + maxWaitMs;
    while (this.controllers.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
