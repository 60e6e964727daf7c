import type * as acp from '@agentclientprotocol/sdk';
import { fileURLToPath } from 'node:url';
import type { Workspace } from '../workspace/workspace.js';

/** Larger linked files stay links: the model can read them with its tools. */
export const LINKED_FILE_MAX_BYTES = 256 * 1024;

export interface LineRange {
  start: number;
  end: number;
}

/** `#L2-3`, `#L2-L3` or `#L2` (how Zed and Cairn's extension send a selection); else undefined. */
export function lineRangeOf(uri: string): LineRange | undefined {
  const match = /#L(\d+)(?:-L?(\d+))?$/.exec(uri);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : start;
  return start >= 1 && end >= start ? { start, end } : undefined;
}

/**
 * `resource_link`s to readable files in the workspace become embedded resources holding their
 * text (only the linked lines for a range), read through the session's workspace, which checks
 * the path at the moment of use. Links outside it, missing, too large or not text stay links.
 */
export async function inlineLinkedFiles(
  blocks: acp.ContentBlock[],
  workspace: Workspace,
): Promise<acp.ContentBlock[]> {
  return Promise.all(
    blocks.map(async (block) => {
      if (block.type !== 'resource_link' || !block.uri.startsWith('file://')) return block;
      const text = await readLinked(block.uri, workspace).catch(() => undefined);
      if (text === undefined) return block;
      return {
        type: 'resource' as const,
        resource: { uri: block.uri, text, ...(block.mimeType ? { mimeType: block.mimeType } : {}) },
      };
    }),
  );
}

async function readLinked(uri: string, workspace: Workspace): Promise<string | undefined> {
  const url = new URL(uri);
  url.hash = '';
  const absolute = workspace.paths.resolve(fileURLToPath(url));
  const info = await workspace.inspect(absolute, 4096);
  if (info.kind !== 'file' || info.size > LINKED_FILE_MAX_BYTES || info.head.includes(0)) return undefined;
  const text = await workspace.readText(absolute);
  if (text === undefined) return undefined;
  const range = lineRangeOf(uri);
  if (!range) return text;
  return text
    .split('\n')
    .slice(range.start - 1, range.end)
    .join('\n');
}
