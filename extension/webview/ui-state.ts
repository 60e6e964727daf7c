// The panel state that survives hiding and reloading (`vscode.setState`),
// and its validation when read back.
import { IMAGE_MIME_TYPES, type ContextItem } from '../../shared/webview-protocol.js';
import type { Draft } from './views/composer.js';
import type { ScrollSnapshot } from './views/message-list.js';

/** What survives hiding/reloading the panel (`vscode.setState`). */
export type PersistedUiState = {
  version: 1;
  draft: Draft;
  scroll: ScrollSnapshot | null;
  expanded: Record<string, boolean>;
};

export type UiStateStorage = {
  load(): unknown;
  save(state: PersistedUiState): void;
};

export function readPersisted(raw: unknown): PersistedUiState {
  const empty: PersistedUiState = {
    version: 1,
    draft: { text: '', context: [] },
    scroll: null,
    expanded: {},
  };
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return empty;
  const saved = raw as Partial<PersistedUiState>;
  const scroll = saved.scroll;
  return {
    version: 1,
    draft: {
      text: typeof saved.draft?.text === 'string' ? saved.draft.text : '',
      context: Array.isArray(saved.draft?.context) ? saved.draft.context.filter(isContextItem) : [],
    },
    scroll:
      scroll && typeof scroll.following === 'boolean' && typeof scroll.anchorOffset === 'number'
        ? {
            following: scroll.following,
            anchorId: typeof scroll.anchorId === 'string' ? scroll.anchorId : null,
            anchorOffset: scroll.anchorOffset,
          }
        : null,
    expanded: Object.fromEntries(
      Object.entries(saved.expanded && typeof saved.expanded === 'object' ? saved.expanded : {}).filter(
        ([, open]) => typeof open === 'boolean',
      ),
    ),
  };
}

// Saved state comes from an older panel build, perhaps: keep only what this one can show.
function isContextItem(value: unknown): value is ContextItem {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Record<string, unknown>;
  const str = (key: string) => typeof item[key] === 'string';
  if (item.kind === 'url') return str('url');
  if (item.kind === 'image') {
    return str('name') && str('data') && typeof item.bytes === 'number' && isImageMime(item.mimeType);
  }
  if (item.kind === 'reference') {
    return str('ref') && str('label') && str('text') && typeof item.bytes === 'number';
  }
  if (typeof item.path !== 'string' || typeof item.relPath !== 'string') return false;
  if (item.kind === 'file') return true;
  return (
    item.kind === 'selection' &&
    typeof item.startLine === 'number' &&
    typeof item.endLine === 'number' &&
    typeof item.text === 'string'
  );
}

function isImageMime(value: unknown): boolean {
  return (IMAGE_MIME_TYPES as readonly unknown[]).includes(value);
}
