import { z } from 'zod';
import { defineTool, ToolError, type ToolDefinition } from './types.js';
import type { CuratedMemory } from '../memory/memory-store.js';
import { memoryLabel } from '../memory/memory-store.js';
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

/**
 * The `memory` tool. It writes only Cairn's own home (never the workspace), so it is offered
 * in plan mode and never asks for permission; what it saves is scanned before it is written.
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
    readOnly: true,
    describe(input) {
      const scope = input.scope ?? defaultScope(input.target);
      const verb = { add: 'Remember', replace: 'Update memory', remove: 'Forget' }[input.action];
      return { title: `${verb}: ${memoryLabel(scope, input.target)}` };
    },
    async run(input) {
      const scope = input.scope ?? defaultScope(input.target);
      try {
        const report = await store.edit(scope, input.target, toEdit(input));
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
