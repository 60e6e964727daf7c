import type { z } from 'zod';
import type { ToolContent, ToolKind, ToolLocation } from '../core/tool-content.js';
import type { ToolResult } from '../core/tool-runner.js';
import type { Workspace } from '../workspace/workspace.js';
import type { FileInfo } from '../workspace/anchored-files.js';
import type { PermissionGate } from '../permissions/gate.js';
import type { TerminalBackend } from '../terminal/backend.js';
import type { Provenance } from '../learning/provenance.js';

/** What a running tool may touch. Built per call by the session. */
export interface ToolContext {
  sessionId: string;
  toolCallId: string;
  workspace: Workspace;
  terminal: TerminalBackend;
  permissions: PermissionGate;
  signal: AbortSignal;
  /** Replace the call's live content on the client while it runs (e.g. terminal output so far). */
  progress(content: ToolContent[]): void;
  /**
   * Where a write of learning (memory, skills) comes from: this session, now, and the first line
   * of the prompt being answered. Absent outside a session (tests, tools run by hand).
   */
  provenance?: () => Provenance;
  /** This session's saved whole tool outputs: the one folder outside the workspace read_file reads. */
  savedOutputs?: SavedOutputReader;
  /**
   * What of a result the model will see before the runner cuts it: a tool that pages (read_file)
   * sizes its page to fit, so the model gets whole lines and where to go on, not a cut middle.
   */
  outputBudget?: { maxBytes: number; maxLines: number };
}

/**
 * Read-only access to the session's saved tool outputs (results cut for the model), anchored at
 * their folder in Cairn's home so no link leads out of it.
 */
export interface SavedOutputReader {
  /** The absolute path when `requested` (absolute) names an entry in the folder, else undefined. */
  owns(requested: string): string | undefined;
  readText(absolutePath: string): Promise<string | undefined>;
  inspect(absolutePath: string, headBytes: number): Promise<FileInfo>;
}

/** A tool's answer (one type with the loop's): what the model reads, and what the client shows. */
export type { ToolResult };

export interface ToolDescription {
  title: string;
  locations?: ToolLocation[];
}

/**
 * One model-facing tool. Names and parameters are a public contract (pinned by tests).
 * `run` throws on failure; the loop turns the error into a result the model can act on.
 */
export interface ToolDefinition<Input = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  /**
   * JSON schema shown to the model. Defaults to one generated from `inputSchema`; tools whose
   * schema comes from elsewhere (MCP servers) give it here and validate with a permissive zod schema.
   */
  jsonSchema?: Record<string, unknown>;
  kind: ToolKind;
  /** Changes nothing outside Cairn's own state: offered in `plan` mode. */
  readOnly: boolean;
  /**
   * Asks the permission gate before it acts: the call shows as pending ("waiting for
   * approval") until the gate allows it, and as running only then.
   */
  asksApproval?: boolean;
  describe(input: Input, workspace: Workspace): ToolDescription;
  run(input: Input, ctx: ToolContext): Promise<ToolResult>;
}

/** Error whose message is meant for the model verbatim (no stack, no prefix). */
export class ToolError extends Error {
  override name = 'ToolError';
}

export function defineTool<Input>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}

/** A tool of any input type, as held in a session's tool list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are validated by each tool's schema
export type AnyTool = ToolDefinition<any>;
