import { z } from 'zod';
import { defineTool, ToolError, type ToolDefinition } from './types.js';
import { deniedOutcome } from './denied-outcome.js';
import type { CuratedMemory } from '../memory/memory-store.js';
import { checkContent, memoryLabel } from '../memory/memory-store.js';
import { MemoryEditError, type MemoryEdit, type MemoryScope, type MemoryTarget } from '../memory/entries.js';

const Input = z
  .object({
    action: z.enum(['add', 'replace', 'remove']),
    target: z
      .enum(['memory', 'user'])
      .describe("memory: your notes (environment, conventions, lessons); user: the user's preferences"),
    scope: z
      .enum(['global', 'project'])
      .optional()
      .describe(
        'global: every project; project: this workspace only. Default: project for memory, global for user',
      ),
    content: z.string().optional().describe('The entry to save (add, replace). One fact per entry, short.'),
    old_text: z
      .string()
      .optional()
      .describe('A short piece of text found in exactly one existing entry (replace, remove)'),
  })
  .strict();
type Input = z.infer<typeof Input>;

export function defaultScope(target: MemoryTarget): MemoryScope {
  return target === 'user' ? 'global' : 'project';
}

function toEdit(input: Input): MemoryEdit {
  const need = (field: 'content' | 'old_text'): string => {
    const value = input[field];
    if (value === undefined || value.trim() === '')
      throw new ToolError(`\`${input.action}\` needs \`${field}\`.`);
    return value;
  };
  switch (input.action) {
    case 'add':
      return { action: 'add', content: need('content') };
    case 'replace':
      return { action: 'replace', oldText: need('old_text'), content: need('content') };
    case 'remove':
      return { action: 'remove', oldText: need('old_text') };
  }
}

/** What the user is asked to approve, in plain words. */
function describeEdit(edit: MemoryEdit): string {
  switch (edit.action) {
    case 'add':
      return `Add: ${edit.content}`;
    case 'replace':
      return `Replace the entry containing "${edit.oldText}" with: ${edit.content}`;
    case 'remove':
      return `Remove the entry containing "${edit.oldText}"`;
  }
}

/**
 * The `memory` tool. It writes Cairn's own home (never the workspace), but what it saves
 * steers later sessions, so it goes through the permission gate like any write:
 * - plan mode writes nothing (the tool is not offered there, and the gate refuses);
 * - global scope reaches every project, so it asks in every mode unless the user answered
 *   "always" for global memory (rule `memory:global`);
 * - project scope stays with this workspace, so it follows the mode like a file edit (asks in
 *   ask mode, rule `memory:project`).
 * What it saves is scanned before it is written.
 */
export function createMemoryTool(store: CuratedMemory): ToolDefinition<Input> {
  return defineTool({
    name: 'memory',
    description:
      'Save durable notes that help in later sessions. target "memory": facts about environments, ' +
      'project conventions, commands that work, lessons learned. target "user": the user\'s preferences and ' +
      'working style. Saved notes appear in the system prompt from the next session on (not this one). ' +
      'Both files are small and bounded: keep entries short, one fact each, and when a file is full merge ' +
      'entries with replace or drop stale ones with remove. replace/remove pick the entry by old_text, a ' +
      'short unique piece of it. Do not save secrets, task progress or things that are easy to look up again.',
    inputSchema: Input,
    kind: 'other',
    readOnly: false,
    asksApproval: true,
    describe(input) {
      const scope = input.scope ?? defaultScope(input.target);
      const verb = { add: 'Remember', replace: 'Update memory', remove: 'Forget' }[input.action];
      return { title: `${verb}: ${memoryLabel(scope, input.target)}` };
    },
    async run(input, ctx) {
      const scope = input.scope ?? defaultScope(input.target);
      const edit = toEdit(input);
      // Refuse what the scanner flags before the user is asked to approve it.
      try {
        checkContent(edit);
      } catch (err) {
        if (err instanceof MemoryEditError) throw new ToolError(err.message);
        throw err;
      }
      const verb = { add: 'Remember', replace: 'Update memory', remove: 'Forget' }[input.action];
      const outcome = await ctx.permissions.request(
        {
          toolCallId: ctx.toolCallId,
          toolName: 'memory',
          category: 'edit',
          kind: 'other',
          title:
            scope === 'global'
              ? `${verb} in global memory, read by every project: ${memoryLabel(scope, input.target)}`
              : `${verb}: ${memoryLabel(scope, input.target)}`,
          ruleKey: `memory:${scope}`,
          dangerous: scope === 'global',
          content: [{ type: 'text', text: describeEdit(edit) }],
          rawInput: input,
        },
        ctx.signal,
      );
      if (!outcome.allowed)
        return { forModel: `Memory not changed: ${outcome.message}`, ...deniedOutcome(outcome) };
      try {
        const report = await store.edit(scope, input.target, edit, ctx.provenance?.());
        return {
          forModel: report.message,
          rawOutput: {
            scope,
            target: input.target,
            path: report.path,
            chars: report.chars,
            limit: report.limit,
          },
        };
      } catch (err) {
        if (err instanceof MemoryEditError) throw new ToolError(err.message);
        throw err;
      }
    },
  });
}
