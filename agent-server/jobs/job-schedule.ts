import { Cron } from 'croner';
import type { JobSchedule } from './job-types.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Shorter intervals would keep a model busy all day by accident. */
const MIN_EVERY_MS = 60_000;

/** Parses `--every` (`30m`, `2h`, `1d`, `90s`, combined as `1h30m`); throws a readable error. */
export function parseEvery(text: string): JobSchedule {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+)\s*([smhd])/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (!parts.length || joined.replace(/\s/g, '') !== trimmed.replace(/\s/g, ''))
    throw new Error(`--every ${text}: give an interval such as 30m, 2h, 1d or 1h30m`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  if (ms < MIN_EVERY_MS) throw new Error(`--every ${text}: the shortest interval is 1m`);
  return { kind: 'every', ms, text: trimmed };
}

/** Checks a cron expression with croner; throws a readable error. */
export function parseCron(expression: string): JobSchedule {
  try {
    new Cron(expression, { paused: true });
  } catch (err) {
    throw new Error(`--cron "${expression}": ${(err as Error).message}`);
  }
  return { kind: 'cron', expression };
}

/** The first run strictly after `after` (ms), or undefined when the schedule never fires again. */
export function nextRunAfter(schedule: JobSchedule, anchor: number, after: number): number | undefined {
  if (schedule.kind === 'every') {
    const periods = Math.floor((after - anchor) / schedule.ms) + 1;
    return anchor + Math.max(1, periods) * schedule.ms;
  }
  const next = new Cron(schedule.expression, { paused: true }).nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}

/** The next `count` run times after `after`. */
export function nextRuns(schedule: JobSchedule, anchor: number, after: number, count: number): number[] {
  const out: number[] = [];
  for (let t = after; out.length < count;) {
    const next = nextRunAfter(schedule, anchor, t);
    if (next === undefined) break;
    out.push(next);
    t = next;
  }
  return out;
}

export function describeSchedule(schedule: JobSchedule): string {
  return schedule.kind === 'cron' ? `cron "${schedule.expression}"` : `every ${schedule.text}`;
}
