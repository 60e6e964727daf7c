import type { Job } from '../../../agent-server/jobs/job-types.js';

/** A plan-mode job that would run every minute, to change per test. */
export const sampleJob = (over: Partial<Job> = {}): Omit<Job, 'id'> => ({
  name: 'deps',
  prompt: 'check the dependencies',
  cwd: '/tmp',
  schedule: { kind: 'every', ms: 60_000, text: '1m' },
  grants: { mode: 'plan', allowCommands: [] },
  paused: false,
  catchUp: 'once',
  createdAt: 0,
  checkedAt: 0,
  ...over,
});
