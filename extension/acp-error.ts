import { RequestError } from '@agentclientprotocol/sdk';
import { errorMessage } from '../shared/error-message.js';

/** An ACP request error's message with the details the agent sent, else the plain message. */
export function acpErrorMessage(err: unknown): string {
  if (err instanceof RequestError) {
    const detail =
      typeof err.data === 'object' && err.data && 'details' in err.data
        ? (err.data as { details: unknown }).details
        : null;
    return typeof detail === 'string' && detail ? `${err.message}: ${detail}` : err.message;
  }
  return errorMessage(err);
}
