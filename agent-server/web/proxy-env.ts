import { isIP } from 'node:net';

/**
 * The proxy settings of the environment, as curl and most tools read them: `http_proxy` /
 * `HTTP_PROXY` for http URLs, `https_proxy` / `HTTPS_PROXY` for https URLs (the lower-case name
 * wins), and `no_proxy` / `NO_PROXY` for hosts reached directly.
 */
export interface ProxySettings {
  http?: URL;
  https?: URL;
  /** Entries of NO_PROXY: `*`, a host, `.domain` or `domain` (and its subdomains), an IP; `:port` optional. */
  noProxy: string[];
}

function proxyUrl(raw: string | undefined): URL | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  try {
    // `proxy.example:3128` is common: without a scheme it is an http proxy.
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings {
  const http = proxyUrl(env.http_proxy ?? env.HTTP_PROXY);
  const https = proxyUrl(env.https_proxy ?? env.HTTPS_PROXY);
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '')
    .split(/[\s,]+/)
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), noProxy };
}

function bypassed(url: URL, noProxy: string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    let name = entry;
    let entryPort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !isIP(entry)) [, name, entryPort] = m as unknown as [string, string, string];
    name = name.replace(/^\[|\]$/g, '');
    if (entryPort && entryPort !== port) return false;
    if (isIP(name) || isIP(host)) return name === host;
    const domain = name.replace(/^\*?\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** The proxy to reach `url` through, or undefined to connect directly. */
export function proxyFor(url: URL, settings: ProxySettings): URL | undefined {
  const proxy =
    url.protocol === 'https:' ? settings.https : url.protocol === 'http:' ? settings.http : undefined;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  return proxy;
}

/** `Basic …` for a proxy URL with a user name, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
