/** One diagnostic from the Problems panel, as the host reads it from the editor. */
export type Problem = {
  path: string;
  relPath: string;
  /** 1-based. */
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  source?: string;
  code?: string;
};

const RANK: Record<Problem['severity'], number> = { error: 0, warning: 1, info: 2, hint: 3 };

/**
 * The Problems panel as text for the model, one line per diagnostic: the current file first,
 * then errors before warnings, then by file and line.
 */
export function formatProblems(problems: readonly Problem[], activePath: string | null): string {
  if (problems.length === 0) return 'No problems: the Problems panel is empty.';
  const sorted = [...problems].sort(
    (a, b) =>
      Number(b.path === activePath) - Number(a.path === activePath) ||
      RANK[a.severity] - RANK[b.severity] ||
      a.relPath.localeCompare(b.relPath) ||
      a.line - b.line ||
      a.column - b.column,
  );
  const counts = (['error', 'warning', 'info', 'hint'] as const)
    .map((s) => [s, problems.filter((p) => p.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  const lines = sorted.map((p) => {
    const origin = [p.source, p.code].filter(Boolean).join(' ');
    const message = p.message.replace(/\s*\n\s*/g, ' ');
    return `${p.relPath}:${p.line}:${p.column} ${p.severity}${origin ? ` ${origin}` : ''}: ${message}`;
  });
  return [`Problems (${counts.join(', ')}):`, ...lines].join('\n');
}
