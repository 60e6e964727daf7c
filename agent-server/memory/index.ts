// Curated memory: the stores, the prompt snapshot and its renderings. The tool is in tools/memory.ts.
export { MemoryStore, memoryLabel, type CuratedMemory, type MemoryEditReport } from './memory-store.js';
export { InMemoryMemoryStore } from './in-memory-store.js';
export {
  renderMemoryForUser,
  renderMemoryPromptSection,
  type MemoryFileSnapshot,
  type MemorySnapshot,
} from './snapshot.js';
export {
  MemoryEditError,
  formatUsage,
  type MemoryEdit,
  type MemoryLimits,
  type MemoryScope,
  type MemoryTarget,
} from './entries.js';
export { createSessionMemory, type SessionMemory, type MemorySlashCommand } from './session-memory.js';
