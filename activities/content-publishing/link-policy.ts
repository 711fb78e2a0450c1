/**
 * Which links the link checker may contact: the outbound address policy (../kit/outbound-policy.ts) with the
 * checker's allow-list, and the stack's own site origin as the one origin that may be at a local address. A
 * draft is untrusted, so checking its links must not let it make the server probe anything.
 */
import { vetAddress, type OutboundPolicy, type Refusal } from '../kit/outbound-policy';

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

/** The link checker's policy as the outbound policy every request of Overture goes through. */
export function outboundPolicyOf(policy: LinkPolicy): OutboundPolicy {
  return { allowedHosts: policy.allowedHosts, trustedOrigins: [policy.siteOrigin], resolve: policy.resolve };
}

/** A refused link as the checker reports it. */
export function linkFinding(refusal: Refusal): string {
  switch (refusal.kind) {
    case 'scheme':
      return `not checked: only http and https links are checked (${refusal.protocol})`;
    case 'not-allowed':
      return 'not checked: host not on the allow-list';
    case 'address-range':
      return `not checked: ${refusal.hostname} is at a ${refusal.range} address, which the link checker never contacts`;
    case 'unresolved':
      return `broken: ${refusal.hostname} does not resolve${refusal.code ? ` (${refusal.code})` : ''}`;
  }
}

/** Decides whether a link may be checked, resolving its host once; the address returned is the one to connect to. */
export async function vetLink(url: URL, policy: LinkPolicy): Promise<Vetting> {
  const vetted = await vetAddress(url, outboundPolicyOf(policy));
  return vetted.allowed ? vetted : { allowed: false, finding: linkFinding(vetted.refusal) };
}
