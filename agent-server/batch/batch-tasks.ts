import { isJobMode, type JobMode } from '../jobs/job-types.js';

/** One line of a batch file. */
export interface BatchTask {
  id: string;
  prompt: string;
  /** The folder the task works on (a copy of it); relative to the batch file's folder. */
  cwd?: string;
  /** plan (default), accept-edits or auto: a batch has nobody to ask. */
  mode?: JobMode;
  /** A model the endpoint offers, instead of the configured one. */
  model?: string;
  /** A git repository (path or URL) cloned for the task, at `ref` (default: its HEAD); instead of `cwd`. */
  repo?: string;
  ref?: string;
}

/** Parses a JSONL batch file; throws naming the first bad line. */
export function parseBatchTasks(text: string): BatchTask[] {
  const tasks: BatchTask[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not JSON`);
    }
    const o = value as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${where}: not an object`);
    if (typeof o.id !== 'string' || !/^[\w.-]{1,100}$/.test(o.id))
      throw new Error(`${where}: "id" must be letters, digits, . _ or - (it names the task's files)`);
    if (ids.has(o.id)) throw new Error(`${where}: id "${o.id}" appears twice`);
    if (typeof o.prompt !== 'string' || !o.prompt.trim()) throw new Error(`${where}: "prompt" is missing`);
    if (o.cwd !== undefined && typeof o.cwd !== 'string') throw new Error(`${where}: "cwd" must be a path`);
    if (o.mode !== undefined && (typeof o.mode !== 'string' || !isJobMode(o.mode)))
      throw new Error(`${where}: "mode" must be plan, accept-edits or auto`);
    for (const field of ['model', 'repo', 'ref'] as const)
      if (o[field] !== undefined && (typeof o[field] !== 'string' || !o[field].trim()))
        throw new Error(`${where}: "${field}" must be a non-empty string`);
    if (o.repo !== undefined && o.cwd !== undefined)
      throw new Error(`${where}: give "cwd" or "repo", not both`);
    if (o.ref !== undefined && o.repo === undefined) throw new Error(`${where}: "ref" needs "repo"`);
    // Options to git are never taken from a task file.
    if (typeof o.ref === 'string' && o.ref.startsWith('-'))
      throw new Error(`${where}: "ref" cannot start with -`);
    if (typeof o.repo === 'string' && o.repo.startsWith('-'))
      throw new Error(`${where}: "repo" cannot start with -`);
    ids.add(o.id);
    tasks.push({
      id: o.id,
      prompt: o.prompt,
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      ...(o.mode !== undefined ? { mode: o.mode as JobMode } : {}),
      ...(typeof o.model === 'string' ? { model: o.model } : {}),
      ...(typeof o.repo === 'string' ? { repo: o.repo } : {}),
      ...(typeof o.ref === 'string' ? { ref: o.ref } : {}),
    });
  });
  return tasks;
}
