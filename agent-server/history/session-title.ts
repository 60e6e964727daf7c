const MAX_TITLE = 60;

/**
 * A session title from its first exchange: the user's first request, cut at a word near
 * 60 characters. Falls back to the reply when the request has no words (an image, a command).
 */
export function titleFromFirstExchange(userText: string, replyText = ''): string | undefined {
  for (const source of [userText, replyText]) {
    // Embedded files and fenced blocks are context, not what the session is about.
    const text = source
      .replace(/<context file="[^"]*">[\s\S]*?<\/context>/g, ' ')
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/\[@([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/\s+/g, ' ')
      .trim();
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    if (text.length <= MAX_TITLE) return text;
    const cut = text.slice(0, MAX_TITLE);
    const space = cut.lastIndexOf(' ');
    return `${(space > MAX_TITLE / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
  }
  return undefined;
}
