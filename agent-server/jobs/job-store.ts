import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Job, JobRun } from './job-types.js';

interface JobsFile {
  version: 1;
  jobs: Job[];
}

/**
 * Jobs in Cairn's home: `jobs/jobs.json` (written atomically) and one journal of runs per job
 * (`jobs/runs/<id>.jsonl`, appended). Read fresh on every call, so the CLI and a running
 * scheduler see each other's changes.
 */
export class JobStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'jobs');
  }

  private get file(): string {
    return path.join(this.dir, 'jobs.json');
  }

  async list(): Promise<Job[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = JSON.parse(text) as JobsFile;
    if (parsed.version !== 1 || !Array.isArray(parsed.jobs))
      throw new Error(`${this.file} is not a jobs file Cairn knows (version ${String(parsed.version)})`);
    return parsed.jobs;
  }

  /** A job by id, or by a unique prefix of its id, or by its name. */
  async find(ref: string): Promise<Job | undefined> {
    const jobs = await this.list();
    const exact = jobs.find((j) => j.id === ref || j.name === ref);
    if (exact) return exact;
    const byPrefix = jobs.filter((j) => j.id.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  async add(job: Omit<Job, 'id'>): Promise<Job> {
    const jobs = await this.list();
    const created: Job = { id: newJobId(), ...job };
    await this.save([...jobs, created]);
    return created;
  }

  /** Applies `change` to the stored job; undefined when there is no such job (any more). */
  async update(id: string, change: (job: Job) => Job): Promise<Job | undefined> {
    const jobs = await this.list();
    const index = jobs.findIndex((j) => j.id === id);
    if (index < 0) return undefined;
    const updated = change(jobs[index]!);
    jobs[index] = updated;
    await this.save(jobs);
    return updated;
  }

  async remove(id: string): Promise<boolean> {
    const jobs = await this.list();
    const kept = jobs.filter((j) => j.id !== id);
    if (kept.length === jobs.length) return false;
    await this.save(kept);
    await fs.rm(this.runsFile(id), { force: true });
    return true;
  }

  async appendRun(run: JobRun): Promise<void> {
    await fs.mkdir(path.dirname(this.runsFile(run.jobId)), { recursive: true });
    await fs.appendFile(this.runsFile(run.jobId), JSON.stringify(run) + '\n');
  }

  /** The job's runs, oldest first (a torn last line from a crash is skipped). */
  async runs(id: string): Promise<JobRun[]> {
    let text: string;
    try {
      text = await fs.readFile(this.runsFile(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: JobRun[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as JobRun);
      } catch {
        // a line cut short by a crash
      }
    }
    return out;
  }

  private runsFile(id: string): string {
    return path.join(this.dir, 'runs', `${id}.jsonl`);
  }

  private save(jobs: Job[]): Promise<void> {
    const data: JobsFile = { version: 1, jobs };
    return writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o600);
  }
}

function newJobId(): string {
  return randomBytes(4).toString('hex');
}
