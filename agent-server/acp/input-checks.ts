import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { RequestError } from './rpc/index.js';

/**
 * Checks on request parameters the protocol schema lets through but Cairn cannot use, each
 * answered with invalid params (never an internal error) and without echoing huge values.
 */

/** Linux PATH_MAX: no longer path can be opened, so no longer one is a usable folder. */
const MAX_PATH_BYTES = 4096;
const SHOWN_CHARS = 200;

function shown(value: string): string {
  return value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}… (${value.length} characters)` : value;
}

export function requireAbsolute(dir: string, field: string): string {
  if (Buffer.byteLength(dir) > MAX_PATH_BYTES)
    throw RequestError.invalidParams(
      { field },
      `${field} is longer than ${MAX_PATH_BYTES} bytes, so it cannot be a folder: "${shown(dir)}"`,
    );
  if (!path.isAbsolute(dir))
    throw RequestError.invalidParams({ field }, `${field} must be an absolute path, got "${shown(dir)}"`);
  return path.resolve(dir);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A prompt with nothing to say is not sent to the model; image data must be real base64. */
export function checkPrompt(blocks: acp.ContentBlock[]): void {
  blocks.forEach((block, index) => {
    if (block.type === 'image' && (!block.data || block.data.length % 4 !== 0 || !BASE64.test(block.data)))
      throw RequestError.invalidParams(
        { field: `prompt[${index}].data` },
        `prompt[${index}] is an image whose data is not valid base64`,
      );
  });
  const hasContent = blocks.some((block) => block.type !== 'text' || block.text.trim() !== '');
  if (!hasContent) throw RequestError.invalidParams({ field: 'prompt' }, 'The prompt is empty');
}
