/**
 * The one outbound address policy of every request Overture makes to a URL it was given (a draft's link, a
 * pipeline's source, a rates URL). Only hosts on the allow-list are contacted, and only at public addresses:
 * never at a private, loopback, link-local, unspecified or otherwise non-public one, however it is spelled
 * (`127.0.0.1`, `[::1]`, `2130706433`, `0x7f.1`, `localhost`), and never a name that resolves to one (DNS
 * rebinding). The exception is an origin the operator configured (the stack's own site, an internal export
 * server named by its address): it is contacted wherever it is, because configuration chose it, exactly
 * (scheme, host and port). DNS is resolved here, once, and the request connects to the address vetted here.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export interface OutboundPolicy {
  /** `host:port` entries, or `host` alone for the scheme's default port, contacted at public addresses only. */
  allowedHosts: readonly string[];
  /** Origins (e.g. `http://127.0.0.1:4090`) the operator configured: contacted at whatever address they are at. */
  trustedOrigins: readonly string[];
  /** Resolves a host name to its addresses; the system resolver unless a test gives another. */
  resolve?: (hostname: string) => Promise<string[]>;
}

/** Why a URL may not be contacted: not http(s), not allowed, at a non-public address, or its name does not resolve. */
export type Refusal =
  | { kind: 'scheme'; protocol: string }
  | { kind: 'not-allowed'; host: string }
  | { kind: 'address-range'; hostname: string; range: string }
  | { kind: 'unresolved'; hostname: string; code?: string };

/** Where to connect for a URL that may be contacted (the vetted address), or why it may not. */
export type AddressVetting = { allowed: true; address: string; family: 4 | 6 } | { allowed: false; refusal: Refusal };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The port a URL connects to, explicit or its scheme's default. */
export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
}

/** A `host` or `host:port` allow-list entry as its hostname (as `new URL` spells it) and port; undefined when malformed. */
export function parseHostEntry(entry: string): { hostname: string; port?: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:/@?#\s]+)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
  if (!match) return undefined;
  try {
    return { hostname: new URL(`http://${match[1]}`).hostname, port: match[2] ? Number(match[2]) : undefined };
  } catch {
    return undefined;
  }
}

/** True when the URL's host and port are on the allow-list. */
export function isAllowListed(url: URL, allowedHosts: readonly string[]): boolean {
  const port = effectivePort(url);
  return allowedHosts.some((entry) => {
    const parsed = parseHostEntry(entry);
    return parsed !== undefined && parsed.hostname === url.hostname && (parsed.port ?? DEFAULT_PORTS[url.protocol]) === port;
  });
}

/** True when the URL is exactly that origin (scheme, host and port). */
export function isSameOrigin(url: URL, origin: string): boolean {
  const other = new URL(origin);
  return url.protocol === other.protocol && url.hostname === other.hostname && effectivePort(url) === effectivePort(other);
}

/** The address range of an IP address ("unicast" for a public one), IPv4-mapped IPv6 read as IPv4. */
export function addressRange(address: string): string {
  return ipaddr.process(address).range();
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

async function systemResolve(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/**
 * Decides whether a URL may be contacted, resolving its host once; the address returned is the one to connect
 * to. `new URL` has already normalised the numeric spellings of IPv4 (`2130706433`, `0x7f.1` → `127.0.0.1`).
 */
export async function vetAddress(url: URL, policy: OutboundPolicy): Promise<AddressVetting> {
  if (!(url.protocol in DEFAULT_PORTS)) return { allowed: false, refusal: { kind: 'scheme', protocol: url.protocol } };
  const trusted = policy.trustedOrigins.some((origin) => isSameOrigin(url, origin));
  if (!trusted && !isAllowListed(url, policy.allowedHosts)) return { allowed: false, refusal: { kind: 'not-allowed', host: url.host } };
  const host = bare(url.hostname);
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (err) {
      return { allowed: false, refusal: { kind: 'unresolved', hostname: url.hostname, code: (err as NodeJS.ErrnoException).code } };
    }
  }
  if (addresses.length === 0) return { allowed: false, refusal: { kind: 'unresolved', hostname: url.hostname } };
  if (!trusted) {
    // Every answer must be public: a name answering with a public and a private address is refused too.
    for (const address of addresses) {
      const range = ipaddr.isValid(address) ? addressRange(address) : 'invalid';
      if (range !== 'unicast') return { allowed: false, refusal: { kind: 'address-range', hostname: url.hostname, range } };
    }
  }
  const address = bare(addresses[0]!);
  return { allowed: true, address, family: net.isIPv6(address) ? 6 : 4 };
}

/** A refusal in words, naming who refuses (e.g. "the data pipeline"). */
export function describeRefusal(refusal: Refusal, who: string): string {
  switch (refusal.kind) {
    case 'scheme':
      return `only http and https URLs are contacted (${refusal.protocol})`;
    case 'not-allowed':
      return `host not on the allow-list`;
    case 'address-range':
      return `${refusal.hostname} is at a ${refusal.range} address, which ${who} never contacts`;
    case 'unresolved':
      return `${refusal.hostname} does not resolve${refusal.code ? ` (${refusal.code})` : ''}`;
  }
}
