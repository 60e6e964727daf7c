import { z } from 'zod';
import type { ToolCallRequest } from '../core/messages.js';
import type { ToolSpec } from '../core/model-client.js';
import type { PreparedToolCall, RejectedToolCall, ToolRunner } from '../core/tool-runner.js';
import type { ToolContent } from '../core/tool-content.js';
import type { SessionMode } from '../permissions/policy.js';
import type { Workspace } from '../workspace/workspace.js';
import type { AnyTool, ToolContext } from '../tools/types.js';
import { resultForModel, type ToolResultLimits } from './tool-result-view.js';

/** By zod schema, not tool: each session (a delegated child too) makes its own tool objects. */
const schemaCache = new WeakMap<object, Record<string, unknown>>();

/** JSON schema for the model: the tool's own, or generated from its zod schema once. */
export function toolJsonSchema(tool: AnyTool): Record<string, unknown> {
  if (tool.jsonSchema) return tool.jsonSchema;
  let schema = schemaCache.get(tool.inputSchema);
  if (!schema) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(tool.inputSchema, { io: 'input' }) as Record<
      string,
      unknown
    >;
    schema = rest;
    schemaCache.set(tool.inputSchema, schema);
  }
  return schema;
}

export interface ToolRunnerDeps {
  /** The tools available now (may change between turns: MCP servers start lazily). */
  tools: () => readonly AnyTool[];
  /** Awaited before a tool that may change files runs (not read-only): the turn's checkpoint. */
  beforeChange?: () => Promise<void>;
  /** Awaited after such a tool ran, however it ended (a failed command may have changed files). */
  afterChange?: () => Promise<void>;
  mode: () => SessionMode;
  workspace: Workspace;
  context: (toolCallId: string, signal: AbortSignal, progress: (c: ToolContent[]) => void) => ToolContext;
  /** The one budget for what the model reads of a result, and where cut results are saved whole. */
  output: ToolResultLimits;
}

/** Validates a model's tool call against the session's tools and binds it to a context. */
export class SessionToolRunner implements ToolRunner {
  constructor(private readonly deps: ToolRunnerDeps) {}

  private available(): readonly AnyTool[] {
    const all = this.deps.tools();
    return this.deps.mode() === 'plan' ? all.filter((t) => t.readOnly) : all;
  }

  specs(): ToolSpec[] {
    return this.available().map((t) => ({
      name: t.name,
      description: t.description,
      parameters: toolJsonSchema(t),
    }));
  }

  prepare(call: ToolCallRequest): PreparedToolCall | RejectedToolCall {
    const tool = this.deps.tools().find((t) => t.name === call.name);
    let raw: unknown;
    try {
      raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (err) {
      return reject(
        call,
        tool,
        call.arguments,
        `The arguments for ${call.name} were not valid JSON (${(err as Error).message}). Send the call again with valid JSON.`,
      );
    }
    if (!tool) {
      const names = this.available()
        .map((t) => t.name)
        .join(', ');
      return reject(call, tool, raw, `There is no tool named "${call.name}". Available tools: ${names}.`);
    }
    if (this.deps.mode() === 'plan' && !tool.readOnly) {
      return reject(
        call,
        tool,
        raw,
        `${tool.name} is not available in plan mode (read-only). Describe the change instead; the user can switch modes to apply it.`,
        'mode',
      );
    }
    const parsed = tool.inputSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'input'}: ${i.message}`)
        .join('; ');
      return reject(call, tool, raw, `Invalid arguments for ${tool.name}: ${problems}.`);
    }
    const input: unknown = parsed.data;
    let description: { title: string; locations?: { path: string; line?: number }[] };
    try {
      description = tool.describe(input, this.deps.workspace);
    } catch {
      description = { title: tool.name };
    }
    return {
      ok: true,
      title: description.title,
      kind: tool.kind,
      locations: description.locations ?? [],
      input,
      run: async (signal, report) => {
        if (!tool.readOnly) await this.deps.beforeChange?.();
        const ctx = {
          ...this.deps.context(call.id, signal, report.progress),
          outputBudget: this.deps.output.budget,
        };
        // A tool that asks first stays pending (waiting for approval) until the gate allows it.
        if (tool.asksApproval) ctx.permissions = ctx.permissions.onAllowed(report.running);
        else report.running();
        // Every result is cut here and only here (secrets scrubbed, cut to the budget with the
        // whole saved, then lines that look like orders to the model marked: see resultForModel).
        // An error's message is what the model reads of a failed call: it gets the same treatment.
        let outcome;
        try {
          outcome = await tool.run(input, ctx);
        } catch (err) {
          if (err instanceof Error && !signal.aborted)
            err.message = await resultForModel(err.message, call.id, this.deps.output);
          throw err;
        } finally {
          if (!tool.readOnly) await this.deps.afterChange?.();
        }
        return { ...outcome, forModel: await resultForModel(outcome.forModel, call.id, this.deps.output) };
      },
    };
  }
}

function reject(
  call: ToolCallRequest,
  tool: AnyTool | undefined,
  rawInput: unknown,
  error: string,
  refusal?: RejectedToolCall['refusal'],
): RejectedToolCall {
  return {
    ok: false,
    title: tool?.name ?? call.name,
    kind: tool?.kind ?? 'other',
    rawInput,
    error,
    ...(refusal ? { refusal } : {}),
  };
}
