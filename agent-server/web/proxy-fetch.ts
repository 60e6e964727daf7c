import { proxyFor, proxySettingsFromEnv } from './proxy-env.js';

/**
 * A `fetch` that goes through the proxy the environment names for `url` (HTTP_PROXY,
 * HTTPS_PROXY, NO_PROXY), for clients built on fetch (the model's). Node 20's own fetch ignores
 * those variables. Undefined when `url` is reached directly.
 */
export async function proxiedFetch(url: URL, env: NodeJS.ProcessEnv): Promise<typeof fetch | undefined> {
  const proxy = proxyFor(url, proxySettingsFromEnv(env));
  if (!proxy) return undefined;
  const loaded = await import('undici');
  // undici is CommonJS: bundled, its exports are on `default` only.
  const undici: typeof loaded =
    'ProxyAgent' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  // Credentials in the proxy URL become its Proxy-Authorization header.
  const dispatcher = new undici.ProxyAgent(proxy.href);
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undici.fetch(input as Parameters<typeof undici.fetch>[0], {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}
