/**
 * Rich tool output for the client (never shown to the model). Transport-neutral:
 * the ACP adapter maps these to ACP tool-call content.
 */
export type ToolContent =
  | { type: 'text'; text: string }
  | { type: 'diff'; path: string; oldText: string | null; newText: string }
  | { type: 'image'; mimeType: string; data: string }
  /** A terminal the client runs itself (ACP `terminal/create`): embed it by id. */
  | { type: 'terminal'; terminalId: string };

/** ACP's tool kinds, so the client can pick an icon. */
export type ToolKind =
  'read' | 'edit' | 'delete' | 'move' | 'search' | 'execute' | 'think' | 'fetch' | 'switch_mode' | 'other';

export interface ToolLocation {
  path: string;
  line?: number;
}

export interface PlanEntry {
  content: string;
  status: 'pending' | 'in_progress' | 'completed';
  priority: 'high' | 'medium' | 'low';
}
