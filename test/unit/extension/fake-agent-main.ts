/** The fake agent as a real child process speaking ACP on stdio (for the process tests). */
import { Readable, Writable } from 'node:stream';
import { ndJsonStream } from '@agentclientprotocol/sdk';
import { createFakeAgent } from './fake-agent.js';

const { app } = createFakeAgent({ editPath: process.env.FAKE_EDIT_PATH });
process.stderr.write('fake agent ready\n');
app.connect(
  ndJsonStream(
    Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
  ),
);
