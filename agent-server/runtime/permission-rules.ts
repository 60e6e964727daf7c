import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { projectDir } from '../config/home.js';
import type { PermissionRuleStore } from '../permissions/gate.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage } from '../../shared/error-message.js';

interface RulesFile {
  allow: string[];
  deny: string[];
}

/**
 * "Always" answers for one project, in `<home>/projects/<key>/permissions.json`. Kept in
 * Cairn's home, never the repo, so a cloned repository cannot pre-approve anything.
 */
export class ProjectPermissionRules implements PermissionRuleStore {
  private readonly file: string;
  private rules: RulesFile;

  constructor(home: string, workspace: string) {
    this.file = path.join(projectDir(home, workspace), 'permissions.json');
    this.rules = this.read();
  }

  private read(): RulesFile {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RulesFile>;
      const strings = (v: unknown) =>
        Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      return { allow: strings(parsed.allow), deny: strings(parsed.deny) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        process.stderr.write(`cairn: ignoring unreadable ${this.file}: ${errorMessage(err)}\n`);
      }
      return { allow: [], deny: [] };
    }
  }

  lookup(ruleKey: string): 'allow' | 'deny' | undefined {
    if (this.rules.deny.includes(ruleKey)) return 'deny';
    if (this.rules.allow.includes(ruleKey)) return 'allow';
    return undefined;
  }

  async remember(ruleKey: string, verdict: 'allow' | 'deny'): Promise<void> {
    // Re-read first: another Cairn process may have added rules since we loaded.
    const current = this.read();
    const other = verdict === 'allow' ? 'deny' : 'allow';
    current[other] = current[other].filter((k) => k !== ruleKey);
    if (!current[verdict].includes(ruleKey)) current[verdict].push(ruleKey);
    this.rules = current;
    await writeFileAtomic(this.file, JSON.stringify(current, null, 2) + '\n');
  }
}

/** Rules kept only for this process (tests, `cairn run --no-persist`). */
export class MemoryPermissionRules implements PermissionRuleStore {
  private readonly rules = new Map<string, 'allow' | 'deny'>();
  lookup(ruleKey: string) {
    return this.rules.get(ruleKey);
  }
  async remember(ruleKey: string, verdict: 'allow' | 'deny') {
    this.rules.set(ruleKey, verdict);
  }
}
