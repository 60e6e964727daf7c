/**
 * A base URL as shown to the user (messages, notices, /status): no credentials, query or
 * fragment — some gateways carry keys there, and messages reach logs and history.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
