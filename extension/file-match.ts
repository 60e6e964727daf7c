/**
 * Ranks workspace paths for the `@` file picker: every query character must appear in order
 * (case-insensitive); matches in the file name, at word starts and in runs rank higher.
 */
export function rankPaths(paths: string[], query: string, limit: number): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...paths].sort(byDepthThenName).slice(0, limit);
  const scored: { path: string; score: number }[] = [];
  for (const path of paths) {
    const score = matchScore(path, q);
    if (score !== null) scored.push({ path, score });
  }
  scored.sort((a, b) => b.score - a.score || byDepthThenName(a.path, b.path));
  return scored.slice(0, limit).map((s) => s.path);
}

export function matchScore(path: string, query: string): number | null {
  const lower = path.toLowerCase();
  const nameStart = lower.lastIndexOf('/') + 1;
  // Greedy matching from the start can spend the query in folder names; try the name first.
  const inName = scoreFrom(lower, query, nameStart, nameStart);
  const anywhere = scoreFrom(lower, query, 0, nameStart);
  if (inName === null && anywhere === null) return null;
  let score = Math.max(inName ?? -Infinity, anywhere ?? -Infinity);
  if (lower.slice(nameStart).includes(query)) score += 10;
  return score - path.length / 100;
}

function scoreFrom(lower: string, query: string, from: number, nameStart: number): number | null {
  let score = 0;
  let at = from;
  let prev = -2;
  for (const ch of query) {
    const i = lower.indexOf(ch, at);
    if (i < 0) return null;
    if (i === prev + 1) score += 3; // a run
    if (i === 0 || '/-_. '.includes(lower[i - 1]!)) score += 2; // a word start
    if (i >= nameStart) score += 1; // in the file name
    prev = i;
    at = i + 1;
  }
  return score;
}

function byDepthThenName(a: string, b: string): number {
  const depth = (p: string) => p.split('/').length;
  return depth(a) - depth(b) || a.localeCompare(b);
}
