/** A chat's title until the agent names it: the first line of the first prompt, shortened. */
export function titleFromPrompt(text: string, max = 80): string | null {
  const line = text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0);
  if (!line) return null;
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
