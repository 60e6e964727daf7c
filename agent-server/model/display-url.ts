/**
 * A base URL as shown to the user (messages, notices, /status): no credentials, query or
 * fragment — some gateways carry keys there, and messages reach logs and history.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // `http://host:1` is shown as written, not as `http://host:1/`.
    const bare = parsed.pathname === '/' && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(url.trim());
    return `${parsed.protocol}//${parsed.host}${bare ? '' : parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
