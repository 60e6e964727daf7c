import type { ChatMessage } from '../core/messages.js';

/** How many image parts the conversation's user messages carry. */
export function imageCount(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages)
    if (m.role === 'user' && typeof m.content !== 'string')
      n += m.content.filter((p) => p.type === 'image').length;
  return n;
}

/** The conversation with each image replaced by a note saying it was left out (the turn goes on). */
export function withoutImages(messages: ChatMessage[], model: string): ChatMessage[] {
  return messages.map((m) =>
    m.role === 'user' && typeof m.content !== 'string' && m.content.some((p) => p.type === 'image')
      ? {
          ...m,
          content: m.content.map((p) =>
            p.type === 'image'
              ? {
                  type: 'text' as const,
                  text: `[An image (${p.mimeType}) was attached here but not sent: ${model} does not accept images. Ask the user to describe it if it matters.]`,
                }
              : p,
          ),
        }
      : m,
  );
}

/** A 400 whose message says the request's images (or multimodal content) are not accepted. */
export function isImageRejection(status: number | undefined, message: string): boolean {
  return status === 400 && /image|vision|multi-?modal|content.{0,40}\bstring\b/i.test(message);
}

export function imagesNotice(model: string, reason: string): string {
  return `${model} does not accept images (${reason}); the image was left out of the request and replaced by a note, and the turn went on. Use a model that takes images to send screenshots.`;
}
