import type { Readable, Writable } from 'node:stream';
import { loadConfigQuickly } from '../config/load-quickly.js';
import type { RuntimeServices } from '../runtime/services.js';
import { servicesFromConfig } from '../runtime/services-from-config.js';
import { killAllOnExit } from '../terminal/process-registry.js';
import { createCairnAgent } from './agent.js';
import type { InitializeFacts } from './capabilities.js';
import { guardedNdJsonStream } from './guarded-stream.js';

export interface RunAgentOptions {
  input: Readable;
  output: Writable;
  facts: InitializeFacts;
  log: (line: string) => void;
}

/**
 * Serves one ACP connection until it ends, then stops every session cleanly. Returns the exit
 * code: 0 when the client closed its end, 1 when the connection ended any other way (the
 * editor then sees an exit it can act on, rather than a live process that answers nothing).
 */
export async function runAgent(opts: RunAgentOptions): Promise<number> {
  const { app, closeAll } = createCairnAgent({
    services: await servicesLoader(),
    facts: opts.facts,
    log: opts.log,
  });
  const { stream, inputEnded } = guardedNdJsonStream(opts.input, opts.output);
  const connection = app.connect(stream);

  let stopping: Promise<void> | undefined;
  const stop = (why: string) => {
    stopping ??= (async () => {
      opts.log(`cairn: shutting down (${why})`);
      await closeAll();
      killAllOnExit();
      connection.close();
    })();
    return stopping;
  };
  // Whatever happens, no command Cairn started outlives it.
  process.once('exit', killAllOnExit);
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit(0)));
  await connection.closed.catch((err: unknown) =>
    opts.log(`cairn: connection closed with error: ${String(err)}`),
  );
  if (inputEnded()) {
    await stop('client closed the connection');
    return 0;
  }
  await stop('the connection ended while the client was still connected');
  return 1;
}

/**
 * The process's services, read once before the first request: an unchanged config.json comes
 * from the validated-config cache (no schema library loaded). A config problem is not fatal:
 * each use reads config.json again, so the request gets what is wrong and a fix needs no restart.
 */
async function servicesLoader(): Promise<() => RuntimeServices> {
  try {
    const services = servicesFromConfig(await loadConfigQuickly());
    return () => services;
  } catch {
    const { loadRuntimeServices } = await import('../runtime/services.js');
    let services: RuntimeServices | undefined;
    return () => (services ??= loadRuntimeServices());
  }
}
