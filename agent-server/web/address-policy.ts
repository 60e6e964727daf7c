import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/**
 * Which hosts a web request may reach. By default nothing on the user's own machine or network:
 * a repository's text can make the model fetch any URL, and without this it could probe the
 * local network or a cloud metadata endpoint. Checked on the addresses DNS returns, at the
 * moment of connecting (the connection uses exactly the addresses checked), on every redirect.
 */
export interface AddressPolicy {
  /** Every host may resolve to a private address (tests, local setups). */
  allowPrivateAddresses: boolean;
  /** Host names (or IP literals) the user allowed to resolve to private addresses. */
  allowPrivateHosts: readonly string[];
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed on some networks)
  ['ff00::', 8], // multicast
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Loopback, private, link-local and other non-public addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never treat as public
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `[::1]` → `::1`; names lower-cased, without a trailing dot. */
export function normaliseHost(hostname: string): string {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return bare.toLowerCase().replace(/\.$/, '');
}

export function privateAllowedFor(policy: AddressPolicy, hostname: string): boolean {
  if (policy.allowPrivateAddresses) return true;
  const host = normaliseHost(hostname);
  return policy.allowPrivateHosts.some((h) => normaliseHost(h) === host);
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a private, loopback or link-local address; web_fetch does not reach ` +
        `the user's own machine or network. The user can allow this host with "web.allowPrivateHosts" ` +
        `in Cairn's config.json.`,
    );
  }
}

/** Throws when `hostname` is an IP literal the policy refuses (no DNS lookup happens for those). */
export function checkLiteralHost(policy: AddressPolicy, hostname: string): void {
  const host = normaliseHost(hostname);
  if (isIP(host) && isPrivateAddress(host) && !privateAllowedFor(policy, host)) {
    throw new BlockedAddressError(host, host);
  }
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request`: resolves every address of the host, refuses the connection when
 * any of them is private (unless allowed for this host), and hands the socket exactly the
 * addresses it checked, so a second DNS answer cannot slip a different address in.
 */
export function checkedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!privateAllowedFor(policy, hostname)) {
        const blocked = list.find((a) => isPrivateAddress(a.address));
        if (blocked) return callback(new BlockedAddressError(normaliseHost(hostname), blocked.address), []);
      }
      if (list.length === 0) {
        const none: NodeJS.ErrnoException = new Error(`${hostname} has no addresses`);
        none.code = 'ENOTFOUND';
        return callback(none, []);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
