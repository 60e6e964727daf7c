import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import { loadRuntimeServices, type RuntimeServices } from '../runtime/services.js';
import { killAllOnExit } from '../terminal/index.js';
import { createCairnAgent } from './agent.js';
import type { InitializeFacts } from './capabilities.js';

export interface RunAgentOptions {
  input: Readable;
  output: Writable;
  facts: InitializeFacts;
  log: (line: string) => void;
}

/** Serves one ACP connection until the input ends, then stops every session cleanly. */
export async function runAgent(opts: RunAgentOptions): Promise<void> {
  let services: RuntimeServices | undefined;
  const { app, closeAll } = createCairnAgent({
    services: () => (services ??= loadRuntimeServices()),
    facts: opts.facts,
    log: opts.log,
  });
  const stream = acp.ndJsonStream(
    Writable.toWeb(opts.output) as WritableStream<Uint8Array>,
    Readable.toWeb(opts.input) as ReadableStream<Uint8Array>,
  );
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
  await stop('client closed the connection');
}
