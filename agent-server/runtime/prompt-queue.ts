/** A waiting prompt as a front end shows it: `index` 0 runs next. */
export interface QueuedPromptInfo {
  index: number;
  text: string;
}

interface WaitingPrompt {
  text: string;
  /** Hands the prompt the turn, or undefined when it will not run (cancelled, withdrawn). */
  start: (turn: AbortController | undefined) => void;
}

/**
 * Prompts that arrived while a turn ran, oldest first: each gets the turn when the one before
 * it ends. `changed` hears the new line-up after every change, so a client can show it.
 */
export class PromptQueue {
  private readonly waiting: WaitingPrompt[] = [];

  constructor(private readonly changed: (queued: QueuedPromptInfo[]) => void) {}

  get length(): number {
    return this.waiting.length;
  }

  list(): QueuedPromptInfo[] {
    return this.waiting.map((w, index) => ({ index, text: w.text }));
  }

  /** Resolves with the turn's controller when it is this prompt's turn, or undefined when it never runs. */
  wait(text: string): Promise<AbortController | undefined> {
    return new Promise((start) => {
      this.waiting.push({ text, start });
      this.changed(this.list());
    });
  }

  /** Hands a new turn to the oldest waiting prompt; returns that turn, or undefined when none waits. */
  startNext(): AbortController | undefined {
    const next = this.waiting.shift();
    if (!next) return undefined;
    const turn = new AbortController();
    this.changed(this.list());
    next.start(turn);
    return turn;
  }

  /** Withdraws the prompt at `index` (it ends without running); false when there is none. */
  remove(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.waiting.length) return false;
    const [withdrawn] = this.waiting.splice(index, 1);
    this.changed(this.list());
    withdrawn!.start(undefined);
    return true;
  }

  /** Every waiting prompt ends without running. */
  cancelAll(): void {
    if (!this.waiting.length) return;
    const all = this.waiting.splice(0);
    this.changed([]);
    for (const w of all) w.start(undefined);
  }
}
