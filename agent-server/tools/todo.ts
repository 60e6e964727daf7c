import { z } from 'zod';
import { defineTool } from './types.js';

const Todo = z
  .object({
    content: z.string().min(1).describe('What to do, as a short imperative'),
    status: z.enum(['pending', 'in_progress', 'completed']),
    priority: z.enum(['high', 'medium', 'low']).optional(),
  })
  .strict();

const Input = z
  .object({ todos: z.array(Todo).describe('The whole list, every time (it replaces the previous one)') })
  .strict();

const MARK = { pending: '[ ]', in_progress: '[~]', completed: '[x]' } as const;

export const todoTool = defineTool({
  name: 'todo',
  description:
    'Keep a visible plan for multi-step work. Send the whole list each time; mark one item in_progress ' +
    'while you work on it and completed when done. The user sees it as a checklist.',
  inputSchema: Input,
  kind: 'think',
  readOnly: true,
  describe(input) {
    const done = input.todos.filter((t) => t.status === 'completed').length;
    return { title: `Plan (${done}/${input.todos.length} done)` };
  },
  async run(input) {
    const plan = input.todos.map((t) => ({
      content: t.content,
      status: t.status,
      priority: t.priority ?? 'medium',
    }));
    const lines = plan.map((t) => `${MARK[t.status]} ${t.content}`);
    return { forModel: `Plan updated:\n${lines.join('\n')}`, plan };
  },
});
