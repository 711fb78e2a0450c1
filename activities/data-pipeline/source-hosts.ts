/**
 * The hosts each dataset's URL sources may be on (`PIPELINE_SOURCE_HOSTS`), as the outbound address policy
 * every request of Overture goes through. A host given by name is contacted only at public addresses, so DNS
 * cannot turn it into an internal one; a host given as an IP address is contacted at that address whatever its
 * range: the operator named it (an export server on this machine or the private network).
 */
import net from 'node:net';
import { parseHostEntry, type OutboundPolicy } from '../kit/outbound-policy';

/** `dataset=host[:port]` entries read into hosts by dataset; throws on an entry that is not one. */
export function parseSourceHosts(entries: readonly string[], datasets: readonly string[]): Record<string, string[]> {
  const byDataset: Record<string, string[]> = Object.fromEntries(datasets.map((d) => [d, []]));
  for (const entry of entries) {
    const [dataset = '', host = ''] = entry.split('=', 2).map((s) => s.trim());
    if (!datasets.includes(dataset)) throw new Error(`"${entry}": a dataset of ${datasets.join(', ')} comes before "="`);
    if (!parseHostEntry(host)) throw new Error(`"${entry}": host or host:port after "=", e.g. orders=exports.example.com`);
    byDataset[dataset]!.push(host.toLowerCase());
  }
  return byDataset;
}

/** The outbound policy of a dataset's sources: its hosts by name at public addresses, its IP addresses as named. */
export function sourcePolicy(hosts: readonly string[], resolve?: OutboundPolicy['resolve']): OutboundPolicy {
  const allowedHosts: string[] = [];
  const trustedOrigins: string[] = [];
  for (const entry of hosts) {
    const parsed = parseHostEntry(entry)!;
    if (!net.isIP(parsed.hostname.replace(/^\[|\]$/g, ''))) allowedHosts.push(entry);
    else
      for (const scheme of ['http', 'https'])
        trustedOrigins.push(`${scheme}://${parsed.hostname}${parsed.port === undefined ? '' : `:${parsed.port}`}`);
  }
  return { allowedHosts, trustedOrigins, ...(resolve ? { resolve } : {}) };
}
