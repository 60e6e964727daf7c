/**
 * The message of anything thrown: an Error's message, the `message` of an error-like object (a
 * JSON-RPC error, a GopherJS error), else its string form. One helper instead of
 * `(err as Error).message`, which reads `undefined` when something other than an Error is thrown.
 * Pure: both sides and the webview may import it.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null) {
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(err);
}
