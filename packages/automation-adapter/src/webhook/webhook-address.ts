import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/** One DNS answer: an address and its family (4 or 6), as `dns.lookup(host, { all: true })` gives them. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (default: the system resolver, `dns.lookup` with `all`). */
export type WebhookResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`dns.lookup(hostname, { all: true })`): what a plain `fetch` would connect to. */
export const systemResolver: WebhookResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** The error code of a connection refused because its host resolved to a blocked address. */
export const PRIVATE_ADDRESS_CODE = 'EPRIVATEADDRESS';

/**
 * Address ranges a webhook must not target from inside the gateway's network (server-side request forgery, see
 * the Standard Webhooks spec, "Server side request forgery (SSRF)"): "this network", private (RFC 1918), shared
 * (RFC 6598), loopback, link-local (cloud metadata at 169.254.169.254), benchmarking, multicast and reserved IPv4;
 * unspecified, loopback, unique-local, link-local and multicast IPv6, and NAT64 forms. Node's `BlockList` checks
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) against the IPv4 rules.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** True when an IP address (canonical or not, v4 or v6) is in a blocked range; anything not an IP counts as blocked. */
export function isBlockedAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return BLOCKED.check(address, 'ipv4');
  if (version === 6) return BLOCKED.check(address, 'ipv6');
  return true;
}

/**
 * The host of a URL as it will be resolved: lower case, brackets of an IPv6 literal removed, one trailing dot
 * removed (`localhost.` is `localhost`). The WHATWG URL parser already turns the decimal, hex, octal and short
 * IPv4 spellings (`2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`) into dotted form. Undefined when unparseable.
 */
export function webhookHost(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * True when a URL's host is `localhost` (or a `.localhost` name, RFC 6761 section 6.3, with or without a
 * trailing dot) or an IP literal in a blocked range (see {@link isBlockedAddress}). A literal check: names are
 * checked after resolution by {@link guardedAgent}. Unparseable URLs count as private.
 */
export function isPrivateHost(url: string): boolean {
  const host = webhookHost(url);
  if (host === undefined || host.length === 0) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && isBlockedAddress(host);
}

/**
 * Resolves `hostname` and returns its answers, or rejects with an error whose `code` is
 * {@link PRIVATE_ADDRESS_CODE} when ANY answer is blocked (a name with one public and one private address could
 * otherwise be steered to the private one), or when there is none.
 */
export async function resolvePublic(
  resolver: WebhookResolver,
  hostname: string,
): Promise<readonly ResolvedAddress[]> {
  const answers = isIP(hostname)
    ? [{ address: hostname, family: isIP(hostname) }]
    : await resolver(hostname);
  const blocked = answers.length === 0 || answers.some((a) => isBlockedAddress(a.address));
  if (blocked) {
    throw Object.assign(
      new Error(`${hostname} resolves to a private, loopback, link-local or reserved address`),
      { code: PRIVATE_ADDRESS_CODE },
    );
  }
  return answers;
}

/**
 * A `net.connect` lookup that resolves through `resolver` and refuses blocked answers: used at connect time, so
 * the address actually connected to is the one checked (a DNS answer that changes between a check and the
 * connection, "DNS rebinding", cannot reach a private address).
 */
export function guardedLookup(resolver: WebhookResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolvePublic(resolver, hostname).then(
      (answers) => {
        if (options.all)
          callback(
            null,
            answers.map((a) => ({ address: a.address, family: a.family })),
          );
        else {
          const first = answers[0] as ResolvedAddress;
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** An undici dispatcher (for `fetch`'s `dispatcher` option) whose connections go through {@link guardedLookup}. */
export function guardedAgent(resolver: WebhookResolver): Agent {
  return new Agent({ connect: { lookup: guardedLookup(resolver) } });
}
