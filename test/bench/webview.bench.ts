/**
 * Chat panel under jsdom: replaying and rendering a 2,000-message chat, streaming
 * chunks into the last reply while those 2,000 are loaded, and sliding the
 * window back through history. jsdom does no layout or paint, so these are
 * script costs (reducer, Markdown, DOM building), not frame times.
 */
import { JSDOM } from 'jsdom';

// The webview is typechecked with DOM types in its own project; loading it by
// URL keeps it out of this node-typed project.
const webview = (file: string) => import(new URL(`../../extension/webview/${file}`, import.meta.url).href);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function transcript(count: number) {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const text =
      i % 2 === 0
        ? `Question ${i}: why does the parser fail on line ${i}?`
        : `Answer **${i}**: the tokenizer drops \`\\r\`.\n\n\`\`\`ts\nconst line${i} = input.split(/\\r?\\n/);\n\`\`\`\n\n- check one\n- check two`;
    out.push({
      sessionId: 's',
      update: {
        sessionUpdate: i % 2 === 0 ? 'user_message_chunk' : 'agent_message_chunk',
        content: { type: 'text', text },
        messageId: `m${i}`,
      },
    });
  }
  return out;
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const dom = new JSDOM('<!doctype html><html><body><div id="app"></div></body></html>', {
    pretendToBeVisual: true,
  });
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = { window: globals.window, document: globals.document };
  globals.window = dom.window;
  globals.document = dom.window.document;
  try {
    const { createChatApp } = await webview('app.ts');
    const state = {
      activity: 'idle',
      sessionId: 's',
      sessionTitle: null,
      modes: null,
      configOptions: [],
      commands: [],
      exit: null,
      hasApiKey: true,
      canListSessions: true,
      canLoadSessions: true,
      embeddedContext: true,
      workspaceRoot: '/ws',
    };
    const messages = 2000;
    const host = {
      request: async (method: string) =>
        method === 'ready' ? { state, permissions: [], reviews: [], transcript: transcript(messages) } : null,
    };
    const root = dom.window.document.getElementById('app');
    const started = performance.now();
    const app = createChatApp(root, host, { load: () => undefined, save: () => {} }, { schedule: () => {} });
    await app.start();
    const readyMs = performance.now() - started;
    const elements = root!.querySelectorAll('*').length;
    const renderedMessages = root!.querySelectorAll('.msg').length;

    // Stream 300 chunks into a new reply, rendering after each (one frame per chunk).
    const chunkTimes: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      app.receive({
        type: 'session/update',
        params: {
          sessionId: 's',
          update: {
            sessionUpdate: 'agent_message_chunk',
            content: { type: 'text', text: i % 20 === 19 ? '\n\n' : `word${i} ` },
            messageId: 'streaming',
          },
        },
      });
      app.flush();
      chunkTimes.push(performance.now() - t);
    }
    chunkTimes.sort((a, b) => a - b);

    const slideTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      app.list.showEarlier();
      slideTimes.push(performance.now() - t);
    }
    slideTimes.sort((a, b) => a - b);

    report('webview: 2,000-message chat (jsdom)', {
      messages,
      ready_and_render_ms: Math.round(readyMs),
      rendered_messages: renderedMessages,
      dom_elements: elements,
      stream_chunk_p50_ms: Number(percentile(chunkTimes, 0.5).toFixed(2)),
      stream_chunk_p95_ms: Number(percentile(chunkTimes, 0.95).toFixed(2)),
      show_earlier_p50_ms: Number(percentile(slideTimes, 0.5).toFixed(2)),
      dom_elements_after_scrollback: root!.querySelectorAll('*').length,
    });
  } finally {
    globals.window = saved.window;
    globals.document = saved.document;
    dom.window.close();
  }
}
