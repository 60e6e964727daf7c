import { randomUUID } from 'node:crypto';
import type { CairnConfig } from '../../shared/config.js';
import {
  applyRestore,
  CheckpointStore,
  checkpointSettings,
  describeCheckpoint,
  GitUnavailableError,
  gitVersion,
  planRestore,
  type CheckpointInfo,
  type RestoreResult,
} from '../checkpoints/index.js';
import type { PermissionGate } from '../permissions/gate.js';
import {
  listItem,
  previewFiles,
  restoreToolEvents,
  type CheckpointListItem,
  type PreviewFile,
} from './checkpoint-views.js';
import type { SessionEvent } from './session-events.js';
import type { SlashCommand } from './slash-commands.js';

export interface SessionCheckpointsDeps {
  home: string;
  cwd: string;
  config: CairnConfig['checkpoints'];
  sessionId: string;
  /** Asks the user before a file changed by hand is overwritten by a restore. */
  gate: PermissionGate;
  /** The running turn's prompt (a checkpoint's label). */
  prompt: () => string;
  /** A restore must not run under a turn that is changing files. */
  turnRunning: () => boolean;
  /** How many user prompts the session has so far (the running turn's included). */
  userMessages?: () => number;
  /** A new session with the conversation before the user's Nth prompt; returns its id (see ClientBindings). */
  forkConversation?: (beforeUserMessage: number | undefined) => Promise<string>;
  /** Tells the session's subscribers (a checkpoint recorded, a restore's file changes). */
  emit?: (event: SessionEvent) => void;
  log: (line: string) => void;
}

/** How a restore went: done, nothing to do (the files are as asked), or not done and why. */
export type RestoreAttempt =
  { kind: 'restored'; result: RestoreResult } | { kind: 'unchanged' | 'refused'; message: string };

/** What the front ends' checkpoint requests answer (see checkpoint-views.ts for the shapes). */
export interface CheckpointListing {
  available: boolean;
  reason?: string;
  checkpoints: CheckpointListItem[];
}

/** The newest checkpoints /rewind lists. */
const LIST_LIMIT = 20;
/** Diffs shown in a restore's reply are cut past this many lines per file. */
const DIFF_LINES = 40;

/**
 * A session's checkpoints: the workspace's files are recorded before the first change of a turn
 * (a write or edit tool, a command: any tool that is not read-only, so never in plan mode and
 * never in a read-only turn) and again when it ends; `/undo`, `/rewind` and `/rewind N` put
 * them back. The store is opened on first use; without git, checkpoints are off with a notice.
 */
export class SessionCheckpoints {
  private opened: Promise<CheckpointStore | Error> | undefined;
  /** The checkpoint of the running turn, once it changed something. */
  private pending: Promise<CheckpointInfo | undefined> | undefined;
  /** Notices already given (each once). */
  private readonly told = new Set<string>();
  /** Whether git runs, found out in the background as the session is made (never awaited by a turn). */
  private gitProblem: string | undefined;
  /** The newest checkpoint this session made (printed by `cairn run`). */
  latest: CheckpointInfo | undefined;
  /** The previous turns' checkpoints being closed, in order. */
  private finishing: Promise<CheckpointInfo | undefined> = Promise.resolve(undefined);
  /** A background prune still running (awaited when the session closes). */
  private pruning: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SessionCheckpointsDeps) {
    if (deps.config.enabled)
      void gitVersion().then((git) => {
        if (!git.ok) this.gitProblem = new GitUnavailableError(git.problem).message;
      });
  }

  private store(): Promise<CheckpointStore | Error> {
    this.opened ??= CheckpointStore.open(
      this.deps.home,
      this.deps.cwd,
      checkpointSettings(this.deps.config),
    ).catch((err: unknown) => {
      if (!(err instanceof GitUnavailableError))
        this.deps.log(`cairn: checkpoints unavailable: ${String(err)}`);
      return err instanceof Error ? err : new Error(String(err));
    });
    return this.opened;
  }

  /**
   * As a turn starts: closes the previous turn's checkpoint, and returns what the first prompt
   * should say (checkpoints are off and why, or a repair that was made).
   */
  async turnStarting(): Promise<string[]> {
    await this.turnEnded();
    return this.notices();
  }

  /**
   * What is known now, without waiting: git missing (checked as the session was made), or repairs
   * made when the store was opened. A turn never waits for these (nor for opening the store).
   */
  private async notices(): Promise<string[]> {
    if (!this.deps.config.enabled) return [];
    const known: string[] = this.gitProblem ? [this.gitProblem] : [];
    const store = this.opened ? await Promise.race([this.opened, Promise.resolve(undefined)]) : undefined;
    if (store instanceof Error) known.push(checkpointsOff(store));
    else if (store) known.push(...store.notices);
    const fresh = known.filter((n) => !this.told.has(n));
    for (const n of fresh) this.told.add(n);
    return fresh;
  }

  /** Before a tool that may change files runs: the first one of a turn records the files. */
  async beforeChange(): Promise<void> {
    if (!this.deps.config.enabled) return;
    // Delegated children change files at once: each waits for the one checkpoint to be recorded.
    if (this.pending) return void (await this.pending);
    this.pending = (async () => {
      const store = await this.store();
      if (store instanceof Error) return undefined;
      try {
        const prompts = this.deps.userMessages?.();
        return await store.create({
          kind: 'turn',
          label: this.deps.prompt(),
          sessionId: this.deps.sessionId,
          // The running turn's prompt is the newest one.
          ...(prompts ? { userMessage: prompts - 1 } : {}),
        });
      } catch (err) {
        // The turn goes on: a missing checkpoint must not stop the work, but it is said.
        this.deps.log(`cairn: could not record a checkpoint before this turn: ${(err as Error).message}`);
        return undefined;
      }
    })();
    await this.pending;
  }

  /** After a change of the turn: the files as the turn has left them so far. */
  async afterChange(): Promise<void> {
    const info = await this.pending;
    const store = await this.opened;
    if (!info || !store || store instanceof Error) return;
    try {
      await store.recordAfter(info.id);
    } catch (err) {
      this.deps.log(`cairn: could not record the files after a change: ${(err as Error).message}`);
    }
  }

  /**
   * Closes the previous turn's checkpoint (a turn that changed nothing leaves none): called as the
   * next turn starts and before /undo or /rewind, so it needs no hook at the end of a turn. The
   * "after" it keeps was recorded by the turn's last change, so edits made since are not the turn's.
   */
  /**
   * Waits for the last turn's checkpoint to be finished and any prune to end: nothing of this
   * session writes to the shadow repository after the session is closed.
   */
  async close(): Promise<void> {
    await this.turnEnded();
    await this.pruning;
  }

  async turnEnded(): Promise<CheckpointInfo | undefined> {
    const pending = this.pending;
    this.pending = undefined;
    // Called at a turn's end and again before the next one: a later call waits for an earlier one.
    if (pending) this.finishing = this.finishing.then(() => this.finishTurn(pending));
    return this.finishing;
  }

  private async finishTurn(
    pending: Promise<CheckpointInfo | undefined>,
  ): Promise<CheckpointInfo | undefined> {
    const info = await pending;
    const store = await this.opened;
    if (!info || !store || store instanceof Error) return undefined;
    try {
      const done = await store.finish(info.id);
      if (done) {
        this.latest = done;
        await this.announce(store, done);
      }
      // Pruning old checkpoints (git gc) runs in the background, at most once a day.
      if (await store.gcDue())
        this.pruning = this.pruning.then(() =>
          store.gc().then(
            () => undefined,
            (err: unknown) => this.deps.log(`cairn: checkpoint gc failed: ${String(err)}`),
          ),
        );
      return done;
    } catch (err) {
      this.deps.log(`cairn: could not finish checkpoint ${info.id}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The `checkpoint` event for one just recorded (a turn's, or the one undoing a restore). */
  private async announce(store: CheckpointStore, info: CheckpointInfo): Promise<void> {
    if (!this.deps.emit) return;
    const [all, details] = await Promise.all([store.list(), store.details([info])]);
    const number = all.findIndex((c) => c.id === info.id) + 1;
    if (number > 0)
      this.deps.emit({ type: 'checkpoint', checkpoint: listItem(info, number, details.get(info.id) ?? []) });
  }

  statusLine(): string {
    if (!this.deps.config.enabled) return 'Checkpoints: off (checkpoints.enabled is false)';
    if (this.gitProblem) return this.gitProblem;
    return `Checkpoints: before each turn that changes files (/undo, /rewind)${this.latest ? `; latest ${this.latest.id}` : ''}`;
  }

  commands(): SlashCommand[] {
    return [
      {
        name: 'undo',
        description:
          'Put the files back as they were before the most recent turn that changed them (or undo a restore)',
        run: async () => ({ reply: await this.restore('1') }),
      },
      {
        name: 'rewind',
        description:
          'List checkpoints; /rewind N puts the files back as they were before checkpoint N (--conversation: and the conversation, in a new session)',
        hint: 'N [--conversation]',
        run: async (_session, args) => ({ reply: args ? await this.restore(args) : await this.list() }),
      },
    ];
  }

  private async list(): Promise<string> {
    if (!this.deps.turnRunning()) await this.turnEnded();
    const store = await this.usableStore();
    if (typeof store === 'string') return store;
    const all = await store.list();
    if (!all.length) return 'No checkpoints yet: one is made before each turn that changes files.';
    const lines = all.slice(0, LIST_LIMIT).map((c, i) => `${i + 1}. ${describeCheckpoint(c)} — \`${c.id}\``);
    const more =
      all.length > LIST_LIMIT ? `\n…and ${all.length - LIST_LIMIT} older (cairn checkpoints list).` : '';
    return `Checkpoints, newest first (\`/rewind N\` restores the files as they were before N):\n${lines.join('\n')}${more}`;
  }

  /** `/rewind N` (files), `/rewind N --conversation` (and the conversation, in a new session). */
  private async restore(args: string): Promise<string> {
    const conversation = /(^|\s)--?conversation\b/.test(args);
    const ref = args.replace(/(^|\s)--?conversation\b/, ' ').trim() || '1';
    let forked = '';
    if (conversation) {
      const fork = await this.forkBefore(ref);
      if (!fork.ok) return fork.message;
      forked = `\nThe conversation before that prompt goes on in a new session, ${fork.id} (its title ends in "(fork)"); this one is unchanged.`;
    }
    const attempt = await this.restoreTo(ref);
    return (attempt.kind === 'restored' ? describeRestore(attempt.result) : attempt.message) + forked;
  }

  /**
   * Forks the session before checkpoint `ref`'s prompt (a restore's checkpoint: all that was said
   * before the restore).
   */
  async forkBefore(ref: string): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
    if (!this.deps.forkConversation)
      return {
        ok: false,
        message: 'This client cannot open a rewound conversation; /rewind N restores the files.',
      };
    if (this.deps.turnRunning())
      return { ok: false, message: 'A turn is running; wait for it to end (or cancel it) before rewinding.' };
    const found = await this.target(ref);
    if (typeof found === 'string') return { ok: false, message: found };
    const { target } = found;
    if (target.sessionId !== this.deps.sessionId || target.userMessage === undefined)
      return {
        ok: false,
        message: `Checkpoint ${target.id} was not made by a prompt of this conversation; /rewind ${ref} restores its files.`,
      };
    try {
      const whole = target.userMessage >= (this.deps.userMessages?.() ?? 0);
      return { ok: true, id: await this.deps.forkConversation(whole ? undefined : target.userMessage) };
    } catch (err) {
      return { ok: false, message: `Could not rewind the conversation: ${(err as Error).message}` };
    }
  }

  /** This session's checkpoints, newest first, numbered as /rewind numbers them. */
  async listing(): Promise<CheckpointListing> {
    if (!this.deps.turnRunning()) await this.turnEnded();
    const store = await this.usableStore();
    if (typeof store === 'string') return { available: false, reason: store, checkpoints: [] };
    const all = await store.list();
    const numbered = all
      .map((info, i) => ({ info, number: i + 1 }))
      .filter(({ info }) => info.sessionId === this.deps.sessionId);
    const details = await store.details(numbered.map((n) => n.info));
    return {
      available: true,
      checkpoints: numbered.map(({ info, number }) => listItem(info, number, details.get(info.id) ?? [])),
    };
  }

  /** What restoring checkpoint `ref` would change now, file by file; a string says why nothing. */
  async preview(ref: string): Promise<PreviewFile[] | string> {
    const found = await this.target(ref);
    if (typeof found === 'string') return found;
    return previewFiles(found.store, await planRestore(found.store, found.target));
  }

  /**
   * Puts the files back as they were before checkpoint `ref` (a number or an id), asking before
   * overwriting hand edits; the change is told as tool calls with diffs. A string says why nothing
   * was done.
   */
  async restoreTo(ref: string): Promise<RestoreAttempt> {
    if (this.deps.turnRunning())
      return {
        kind: 'refused',
        message: 'A turn is running; wait for it to end (or cancel it) before restoring files.',
      };
    const found = await this.target(ref);
    if (typeof found === 'string') return { kind: 'refused', message: found };
    const { store, target } = found;
    const plan = await planRestore(store, target);
    if (!plan.changes.length)
      return {
        kind: 'unchanged',
        message: `The files are already as they were before checkpoint ${target.id}; nothing to restore.`,
      };
    let keep: string[] = [];
    if (plan.handEdited.length) {
      const outcome = await this.deps.gate.request(
        {
          toolCallId: `restore-${randomUUID()}`,
          toolName: 'restore_checkpoint',
          category: 'edit',
          kind: 'edit',
          title: `Overwrite ${plan.handEdited.length} file(s) changed by hand since the checkpoint: ${plan.handEdited.join(', ')}`,
          // Unique: no "always" answer covers overwriting someone's edits; asked in every mode.
          ruleKey: `checkpoint-overwrite:${randomUUID()}`,
          dangerous: true,
          locations: plan.handEdited.map((p) => ({ path: `${this.deps.cwd}/${p}` })),
        },
        new AbortController().signal,
      );
      if (!outcome.allowed) keep = plan.handEdited;
    }
    const prompts = this.deps.userMessages?.();
    const result = await applyRestore(store, plan, {
      keep,
      sessionId: this.deps.sessionId,
      // Undoing this restore with the conversation keeps everything said so far.
      ...(prompts !== undefined ? { userMessage: prompts } : {}),
    });
    for (const event of restoreToolEvents(result, this.deps.cwd, `restore-${randomUUID()}`))
      this.deps.emit?.(event);
    if (result.undo) {
      this.latest = (await store.find(result.undo.id)) ?? result.undo;
      await this.announce(store, this.latest);
    }
    return { kind: 'restored', result };
  }

  private async target(ref: string): Promise<{ store: CheckpointStore; target: CheckpointInfo } | string> {
    await this.turnEnded();
    const store = await this.usableStore();
    if (typeof store === 'string') return store;
    const target = await store.find(ref);
    return target ? { store, target } : `There is no checkpoint ${ref}. /rewind lists them.`;
  }

  private async usableStore(): Promise<CheckpointStore | string> {
    if (!this.deps.config.enabled)
      return 'Checkpoints are off (checkpoints.enabled is false in config.json).';
    const store = await this.store();
    return store instanceof Error ? checkpointsOff(store) : store;
  }
}

function checkpointsOff(err: Error): string {
  return err instanceof GitUnavailableError ? err.message : `Checkpoints are off: ${err.message}`;
}

/** What the restore did, with the diffs of text files, for the chat. */
export function describeRestore(result: RestoreResult): string {
  const lines = [
    `Restored the files as they were before checkpoint ${result.target.id} (${result.target.label || result.target.kind}).`,
  ];
  for (const f of result.files) {
    lines.push(
      `- ${f.action === 'removed' ? 'removed' : f.before === undefined ? 'brought back' : 'restored'} \`${f.path}\``,
    );
    if (f.before !== undefined || f.after !== undefined)
      lines.push(fencedDiff(f.before ?? '', f.after ?? ''));
  }
  if (result.kept.length)
    lines.push(`Kept as they are (changed by hand): ${result.kept.map((p) => `\`${p}\``).join(', ')}.`);
  for (const f of result.failed) lines.push(`- ✗ could not restore \`${f.path}\`: ${f.error}`);
  if (result.undo) lines.push('`/undo` brings back the files as they were before this restore.');
  return lines.join('\n');
}

function fencedDiff(before: string, after: string): string {
  const old = before.split('\n');
  const now = after.split('\n');
  const out = [
    ...old.filter((l) => !now.includes(l)).map((l) => `-${l}`),
    ...now.filter((l) => !old.includes(l)).map((l) => `+${l}`),
  ];
  const shown = out.filter((l) => l.length > 1).slice(0, DIFF_LINES);
  return shown.length ? '```diff\n' + shown.join('\n') + '\n```' : '';
}
