/**
 * Which links the link checker may contact, and at which address. A draft is untrusted, so checking its
 * links must not let it make the server probe anything: only hosts on the allow-list are contacted, and
 * never at a private, loopback, link-local, unspecified or otherwise non-public address — except the
 * stack's own site origin, exactly. DNS is resolved here, once, and the request connects to the address
 * that was vetted, so a second DNS answer (DNS rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export interface LinkPolicy {
  /** `host:port` entries, or `host` alone for the scheme's default port (lowercase). */
  allowedHosts: readonly string[];
  /** The stack's own site, e.g. http://127.0.0.1:4090: the one origin that may be on a local address. */
  siteOrigin: string;
  /** Resolves a host name to its addresses; the system resolver unless a test gives another. */
  resolve?: (hostname: string) => Promise<string[]>;
}

/** Where to connect for a link that may be checked, or why it may not. */
export type Vetting = { allowed: true; address: string; family: 4 | 6 } | { allowed: false; finding: string };

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The port a URL connects to, explicit or its scheme's default. */
export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
}

/** An allow-list entry as hostname and port (no port: the scheme's default). */
function parseEntry(entry: string): { hostname: string; port?: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
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
    const parsed = parseEntry(entry);
    return parsed !== undefined && parsed.hostname === url.hostname && (parsed.port ?? DEFAULT_PORTS[url.protocol]) === port;
  });
}

/** True when the URL is exactly the stack's own site origin (scheme, host and port). */
export function isOwnSite(url: URL, siteOrigin: string): boolean {
  const site = new URL(siteOrigin);
  return url.protocol === site.protocol && url.hostname === site.hostname && effectivePort(url) === effectivePort(site);
}

/** The address range of an IP address ("unicast" for a public one), IPv4-mapped IPv6 read as IPv4. */
export function addressRange(address: string): string {
  return ipaddr.process(address).range();
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

async function systemResolve(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
}

/** Decides whether a link may be checked, resolving its host once; the address returned is the one to connect to. */
export async function vetLink(url: URL, policy: LinkPolicy): Promise<Vetting> {
  if (!(url.protocol in DEFAULT_PORTS))
    return { allowed: false, finding: `not checked: only http and https links are checked (${url.protocol})` };
  const ownSite = isOwnSite(url, policy.siteOrigin);
  // The site's own pages are always checked: relative links point there, and the stack serves it.
  if (!ownSite && !isAllowListed(url, policy.allowedHosts)) return { allowed: false, finding: 'not checked: host not on the allow-list' };
  const host = bare(url.hostname);
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (err) {
      return { allowed: false, finding: `broken: ${url.hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  if (addresses.length === 0) return { allowed: false, finding: `broken: ${url.hostname} does not resolve` };
  if (!ownSite) {
    // Every answer must be public: a name answering with a public and a private address is refused too.
    for (const address of addresses) {
      const range = ipaddr.isValid(address) ? addressRange(address) : 'invalid';
      if (range !== 'unicast')
        return { allowed: false, finding: `not checked: ${url.hostname} is at a ${range} address, which the link checker never contacts` };
    }
  }
  const address = addresses[0]!;
  return { allowed: true, address: bare(address), family: net.isIPv6(bare(address)) ? 6 : 4 };
}
