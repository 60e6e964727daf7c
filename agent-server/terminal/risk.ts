import * as path from 'node:path';

/** Shared vocabulary of the command classifier: risk levels, findings and argument words. */
export type RiskLevel = 'ordinary' | 'dangerous' | 'blocked';

export interface CommandRisk {
  level: RiskLevel;
  /** Why, one line each; empty for ordinary commands. */
  reasons: string[];
}

export interface ClassifyOptions {
  /** The user's home folder (what `~` and `$HOME` mean). */
  home: string;
  /** The workspace, so build folders given by absolute path are recognised. */
  workspace?: string;
  /** Where the command starts (the workspace unless a workdir is given); used to look for links. */
  cwd?: string;
}

/** One argument as the program would receive it (see shell-words.ts). */
export interface Word {
  text: string;
  /** Only known at run time (`$(...)`, unknown variables): never trusted as safe. */
  dynamic: boolean;
  glob: boolean;
}

const RANK: Record<RiskLevel, number> = { ordinary: 0, dangerous: 1, blocked: 2 };

/** What the classifier found: the worst level wins, every reason is kept. */
export class Findings {
  private level: RiskLevel = 'ordinary';
  private readonly reasons: string[] = [];

  flag(level: RiskLevel, reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
    if (RANK[level] > RANK[this.level]) this.level = level;
  }

  result(): CommandRisk {
    return { level: this.level, reasons: this.level === 'ordinary' ? [] : this.reasons };
  }
}

export function programName(words: Word[]): string {
  return words[0] && !words[0].dynamic ? path.basename(words[0].text) : '';
}

/** Skips options (and the values of those in `withValue`) up to the first operand. */
export function skipOptions(words: Word[], withValue: ReadonlySet<string>, alsoOption?: RegExp): Word[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w.dynamic) break;
    if (w.text === '--') return words.slice(i + 1);
    if (!w.text.startsWith('-') || w.text === '-') {
      if (alsoOption?.test(w.text)) {
        i++;
        continue;
      }
      break;
    }
    i += withValue.has(w.text) ? 2 : 1;
  }
  return words.slice(i);
}

export function operands(words: Word[]): Word[] {
  const out: Word[] = [];
  let end = false;
  for (const w of words) {
    if (!end && w.text === '--') end = true;
    else if (end || w.dynamic || !w.text.startsWith('-') || w.text === '-') out.push(w);
  }
  return out;
}
