// Checkpoints: the workspace's files recorded before each turn that may change them, in a shadow
// git repository in Cairn's home, and restored on /undo, /rewind or `cairn checkpoints restore`.
export {
  CheckpointStore,
  checkpointDir,
  type CheckpointFileChange,
  type CheckpointMeta,
  type CheckpointSettings,
} from './checkpoint-store.js';
export { readBlobs } from './tree-diff.js';
export {
  CHECKPOINT_ID,
  type CheckpointInfo,
  type CheckpointKind,
  type CheckpointStats,
} from './checkpoint-refs.js';
export {
  applyRestore,
  planRestore,
  type RestorePlan,
  type RestoreResult,
  type RestoredFile,
} from './restore.js';
export { GitUnavailableError, DEFAULT_EXCLUDES, gitVersion } from './shadow-git.js';
export type { SkippedFile } from './snapshot.js';
export { checkpointSettings, describeCheckpoint } from './settings.js';
