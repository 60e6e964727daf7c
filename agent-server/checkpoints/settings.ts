import type { CairnConfig } from '../../shared/config.js';
import type { CheckpointInfo } from './checkpoint-refs.js';
import type { CheckpointSettings } from './checkpoint-store.js';

const MB = 1024 * 1024;

export function checkpointSettings(config: CairnConfig['checkpoints']): CheckpointSettings {
  return {
    maxFileBytes: config.maxFileMB * MB,
    keepDays: config.keepDays,
    keepBytes: config.keepMB * MB,
    exclude: config.exclude,
  };
}

/** One line of a checkpoint list: `time  label  N files +a −r`. */
export function describeCheckpoint(info: CheckpointInfo, now = new Date()): string {
  const when =
    info.createdAt.toDateString() === now.toDateString()
      ? info.createdAt.toTimeString().slice(0, 5)
      : `${info.createdAt.toISOString().slice(0, 10)} ${info.createdAt.toTimeString().slice(0, 5)}`;
  const label = info.label || (info.kind === 'restore' ? 'restore' : '(no prompt)');
  const stats = info.stats
    ? `${info.stats.files} file${info.stats.files === 1 ? '' : 's'} +${info.stats.added} −${info.stats.removed}`
    : 'not finished';
  const large = info.skipped.length ? `, ${info.skipped.length} too large to record` : '';
  return `${when}  ${label}  (${stats}${large})`;
}
