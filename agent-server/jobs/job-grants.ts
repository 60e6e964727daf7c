import type { PermissionAnswer, PermissionPrompter, PermissionRequest } from '../permissions/gate.js';
import type { JobGrants } from './job-types.js';

/** `npm test*` → matches `npm test` and `npm test -- --watch`; everything else literally. */
export function commandPatternMatches(pattern: string, command: string): boolean {
  const source = pattern
    .trim()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(command.trim());
}

/**
 * Answers a job's permission requests from what was granted when the job was created; nobody
 * is there to ask. A command runs only when a granted pattern matches it and it is not one
 * that always asks (dangerous, or planting code that runs outside the sandbox). Every refusal
 * is kept with its reason for the run's result — never approved silently.
 */
export class JobGrantsPrompter implements PermissionPrompter {
  /** Why each refused call was refused, by tool call id. */
  readonly reasons = new Map<string, string>();

  constructor(private readonly grants: JobGrants) {}

  ask(request: PermissionRequest): Promise<PermissionAnswer> {
    const refuse = (reason: string): Promise<PermissionAnswer> => {
      this.reasons.set(request.toolCallId, reason);
      return Promise.resolve('reject_once');
    };
    if (request.runsOutsideSandbox)
      return refuse('it plants code that runs outside the sandbox; jobs never do that');
    if (request.dangerous) return refuse('a dangerous command always needs a person to approve it');
    if (request.category === 'execute' && request.ruleKey.startsWith('execute:')) {
      const command = request.ruleKey.slice('execute:'.length);
      if (this.grants.allowCommands.some((p) => commandPatternMatches(p, command)))
        return Promise.resolve('allow_once');
      return refuse(
        this.grants.allowCommands.length
          ? `no --allow-command pattern of the job matches "${command}"`
          : 'the job was not granted any commands (--allow-command)',
      );
    }
    if (request.category === 'edit')
      return refuse(`edits need --mode accept-edits or auto (the job runs in ${this.grants.mode})`);
    return refuse(`the job (mode ${this.grants.mode}) was not granted this (${request.category})`);
  }
}
