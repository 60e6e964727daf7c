import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import * as tls from 'node:tls';
import { isIP } from 'node:net';
import { pipeline, type Duplex, type Readable } from 'node:stream';
import { checkLiteralHost, checkedLookup, normaliseHost, type AddressPolicy } from './address-policy.js';
import { proxyAuthorization, proxyFor, type ProxySettings } from './proxy-env.js';

export interface HttpGetOptions {
  policy: AddressPolicy;
  maxRedirects: number;
  /** Bytes of (decompressed) body read at most; the rest is not downloaded. */
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** Decides from the headers whether the body is worth reading; a string refuses with that message. */
  accept(contentType: string | undefined): true | string;
  userAgent?: string;
  /** Extra request headers (a search provider's key). */
  headers?: Record<string, string>;
  /** A POST with this body (a search API that takes JSON) instead of a GET. */
  post?: { body: string; contentType: string };
  /** HTTP(S)_PROXY / NO_PROXY from the environment; the address policy still applies to the target. */
  proxy?: ProxySettings;
}

export interface HttpGetResult {
  url: string;
  /** Every URL before `url`, in order, when the server redirected. */
  redirectedFrom: string[];
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** The body was longer than `maxBytes` and only its start was read. */
  cut: boolean;
  /** What the server said the (encoded) length was, when it did. */
  declaredLength: number | undefined;
}

/** A failure to say to the model as it is (no stack). */
export class WebFetchError extends Error {
  override name = 'WebFetchError';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_AGENT = 'Mozilla/5.0 (compatible; Cairn coding agent; +https://agentclientprotocol.com)';

/**
 * GET (or one POST) with bounded redirects, a deadline, a size cap, and the address policy on
 * every hop. A redirected POST is not followed: its body is for the first address only.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const seen: string[] = [];
  let current = parseHttpUrl(url);
  try {
    for (;;) {
      const response = await request(current, options, signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode ?? 0) && location) {
        response.resume();
        if (options.post)
          throw new WebFetchError(`${current.href} redirected a POST (to ${location}); not followed.`);
        if (seen.length >= options.maxRedirects) {
          throw new WebFetchError(
            `Too many redirects (more than ${options.maxRedirects}) starting at ${url}; last: ${current.href}.`,
          );
        }
        seen.push(current.href);
        current = parseHttpUrl(new URL(location, current).href, current.href);
        continue;
      }
      const contentType = response.headers['content-type'];
      const verdict = options.accept(contentType);
      if (verdict !== true) {
        response.destroy();
        throw new WebFetchError(verdict);
      }
      const declared = Number(response.headers['content-length']);
      let read: { body: Buffer; cut: boolean };
      try {
        read = await readCapped(decoded(response), options.maxBytes, signal);
      } finally {
        response.destroy(); // stops the download when the cap is reached
      }
      const { body, cut } = read;
      return {
        url: current.href,
        redirectedFrom: seen,
        status: response.statusCode ?? 0,
        contentType,
        body,
        cut,
        declaredLength: Number.isFinite(declared) && declared >= 0 ? declared : undefined,
      };
    }
  } catch (err) {
    if (timeout.aborted && !options.signal.aborted) {
      throw new WebFetchError(`${current.href} did not answer within ${options.timeoutMs / 1000} s.`);
    }
    if (options.signal.aborted) throw new WebFetchError('The fetch was cancelled.');
    throw err instanceof WebFetchError || (err as Error).name === 'BlockedAddressError'
      ? err
      : new WebFetchError(`Could not fetch ${current.href}: ${(err as Error).message}`);
  }
}

function parseHttpUrl(raw: string, from?: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebFetchError(`Not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebFetchError(
      `Only http and https URLs can be fetched${from ? ` (${from} redirected to ${url.protocol} URL)` : ''}.`,
    );
  }
  if (url.username || url.password)
    throw new WebFetchError('URLs with a user name or password are not fetched.');
  return url;
}

function request(url: URL, options: HttpGetOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  checkLiteralHost(options.policy, url.hostname);
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? DEFAULT_AGENT,
    accept: 'text/html,application/xhtml+xml,text/plain,text/markdown,application/json;q=0.9,*/*;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
    ...(options.post
      ? {
          'content-type': options.post.contentType,
          'content-length': String(Buffer.byteLength(options.post.body)),
        }
      : {}),
    ...options.headers,
  };
  const method = options.post ? 'POST' : 'GET';
  const proxy = options.proxy && proxyFor(url, options.proxy);
  if (proxy) return requestThroughProxy(url, proxy, { method, headers, options }, signal);
  const client = url.protocol === 'https:' ? https : http;
  return sent(
    client.request(url, {
      method,
      signal,
      lookup: checkedLookup(options.policy) as unknown as typeof import('node:dns').lookup,
      headers,
    }),
    options.post?.body,
  );
}

function sent(req: http.ClientRequest, body: string | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Through the proxy the environment names. The proxy resolves and connects, so the target is
 * resolved here first and refused as a direct connection would be (private addresses stay out
 * of reach through a proxy too). http URLs go to the proxy in absolute form; https URLs through
 * a CONNECT tunnel, with TLS to the target inside it (the proxy sees only the host name).
 */
async function requestThroughProxy(
  url: URL,
  proxy: URL,
  req: { method: string; headers: Record<string, string>; options: HttpGetOptions },
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const host = normaliseHost(url.hostname);
  if (!isIP(host))
    await new Promise<void>((resolve, reject) =>
      checkedLookup(req.options.policy)(host, { all: true }, (err) => (err ? reject(err) : resolve())),
    );
  const auth = proxyAuthorization(proxy);
  const proxyClient = proxy.protocol === 'https:' ? https : http;
  const proxyAt = {
    host: normaliseHost(proxy.hostname),
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
  };
  const body = req.options.post?.body;
  if (url.protocol === 'http:') {
    return sent(
      proxyClient.request({
        ...proxyAt,
        method: req.method,
        path: url.href,
        signal,
        headers: { ...req.headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
      }),
      body,
    );
  }
  const target = `${url.hostname}:${url.port || 443}`;
  const tunnel = await new Promise<Duplex>((resolve, reject) => {
    const connect = proxyClient.request({
      ...proxyAt,
      method: 'CONNECT',
      path: target,
      signal,
      headers: { host: target, ...(auth ? { 'proxy-authorization': auth } : {}) },
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        new WebFetchError(`The proxy ${proxy.host} refused a tunnel to ${target}: HTTP ${res.statusCode}.`),
      );
    });
    connect.once('error', reject);
    connect.end();
  });
  const secure = tls.connect({
    socket: tunnel,
    ...(isIP(host) ? {} : { servername: host }),
    ALPNProtocols: ['http/1.1'],
  });
  return sent(
    http.request({
      host,
      port: Number(url.port) || 443,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      signal,
      headers: { ...req.headers, host: url.host },
      createConnection: () => secure,
    }),
    body,
  );
}

/** The body as sent before content encoding; errors of either stream reach the reader. */
function decoded(response: http.IncomingMessage): Readable {
  const through = (decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) =>
    pipeline(response, decoder, () => {});
  switch ((response.headers['content-encoding'] ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return through(zlib.createGunzip());
    case 'deflate':
      return through(zlib.createInflate());
    case 'br':
      return through(zlib.createBrotliDecompress());
    default:
      return response;
  }
}

/** Reads at most `maxBytes` of decompressed body (a small compressed page can expand a lot). */
async function readCapped(
  stream: Readable,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  try {
    for await (const chunk of stream) {
      signal.throwIfAborted();
      const buf = chunk as Buffer;
      if (size + buf.length > maxBytes) {
        chunks.push(buf.subarray(0, maxBytes - size));
        size = maxBytes;
        cut = true;
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
  } finally {
    stream.destroy();
  }
  return { body: Buffer.concat(chunks, size), cut };
}
