// Renaming a chat in the history list: a text field in place of its entry. Enter saves,
// Escape (or leaving the field unchanged) puts the entry back.
import { h } from '../dom.js';

export function renameField(
  sessionId: string,
  title: string,
  done: (title: string | null) => void,
): HTMLInputElement {
  let finished = false;
  const finish = (value: string | null) => {
    if (finished) return;
    finished = true;
    done(value);
  };
  const input = h('input', {
    className: 'session-rename',
    attrs: {
      type: 'text',
      value: title,
      'data-key': `rename-input-${sessionId}`,
      'aria-label': 'New title for the chat (Enter saves, Escape cancels)',
    },
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      finish(input.value.trim() && input.value.trim() !== title ? input.value.trim() : null);
    } else if (e.key === 'Escape') {
      // Only the field closes, not the whole list.
      e.preventDefault();
      e.stopPropagation();
      finish(null);
    }
  });
  input.addEventListener('blur', () => finish(null));
  return input;
}
