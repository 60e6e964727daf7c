/** A ChatHost wired to a fake editor over a real temp folder, and the in-process fake agent. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ChatHost, type ChatHostEnvironment } from '../../../extension/chat-host.js';
import type { PendingReview } from '../../../extension/edit-reviews.js';
import type { CommandTerminal } from '../../../extension/command-terminal.js';
import type { CheckpointFileContents } from '../../../extension/checkpoint-requests.js';
import type { HostNotificationMethod, HostNotifications } from '../../../shared/webview-protocol.js';
import { createFakeAgent } from './fake-agent.js';

export type Sent = { method: HostNotificationMethod; params: unknown };

export function makeHost(
  opts: {
    autoApprove?: { reads: boolean; edits: boolean };
    /** The agent offers session/fork and set_title. */ unstable?: boolean;
  } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 'cairn-host-'));
  const file = join(root, 'a.txt');
  writeFileSync(file, 'old text\n');
  const fake = createFakeAgent({ editPath: file, ...(opts.unstable === false ? { unstable: false } : {}) });
  /** Open editor buffers with unsaved text, by path. */
  const dirty = new Map<string, string>();
  const shown: PendingReview[] = [];
  const closed: string[] = [];
  const started: CommandTerminal[] = [];
  const launches: ReturnType<typeof fake.launch>[] = [];
  const sent: Sent[] = [];
  /** Restore previews opened in the editor: the multi-file diff, then single diffs. */
  const previews: { title: string; files: readonly CheckpointFileContents[] }[] = [];
  const diffs: CheckpointFileContents[] = [];
  const waiters: { method: HostNotificationMethod; resolve: (p: unknown) => void }[] = [];

  const env: ChatHostEnvironment = {
    workspaceRoot: () => root,
    launchAgent: async () => {
      const l = fake.launch();
      launches.push(l);
      return l;
    },
    hasApiKey: async () => true,
    autoApprove: () => opts.autoApprove ?? { reads: false, edits: false },
    readText: async (p) => dirty.get(p) ?? readFileSync(p, 'utf8'),
    workspaceFolders: () => [root],
    openDocumentText: (p) => dirty.get(p),
    reviews: {
      snapshot: async (p) =>
        dirty.has(p)
          ? { text: dirty.get(p)!, exists: true, dirty: true }
          : existsSync(p)
            ? { text: readFileSync(p, 'utf8'), exists: true, dirty: false }
            : { text: '', exists: false, dirty: false },
      relativePath: (p) => relative(root, p),
      show: async (r) => void shown.push(r),
      refresh: () => {},
      apply: async (r) => {
        dirty.delete(r.path);
        writeFileSync(r.path, r.newText);
      },
      close: (r) => void closed.push(r.reviewId),
    },
    mentionFiles: async () => [{ path: file, relPath: 'a.txt' }],
    mentionFolders: async () => [{ path: root, relPath: './' }],
    resolveReference: async (ref) => ({
      kind: 'reference',
      ref,
      label: ref,
      text: `${ref} from the editor`,
      bytes: ref.length + 16,
      note: null,
    }),
    openLocation: async () => {},
    runCommand: async () => {},
    checkpoints: {
      showChanges: async (title, files) => void previews.push({ title, files }),
      showDiff: async (_title, file) => void diffs.push(file),
    },
    terminalStarted: (t) => void started.push(t),
    attentionNeeded: () => {},
    log: () => {},
  };
  const host = new ChatHost(env);
  host.attachView(<M extends HostNotificationMethod>(method: M, params: HostNotifications[M]) => {
    sent.push({ method, params });
    for (const w of waiters.splice(0)) {
      if (w.method === method) w.resolve(params);
      else waiters.push(w);
    }
  });

  /** Resolves with the next notification of that method (or one already sent, if `past`). */
  function next<M extends HostNotificationMethod>(method: M): Promise<HostNotifications[M]> {
    return new Promise((resolve) => waiters.push({ method, resolve: resolve as (p: unknown) => void }));
  }

  return { host, root, file, fake, dirty, shown, closed, started, launches, sent, next, previews, diffs };
}
