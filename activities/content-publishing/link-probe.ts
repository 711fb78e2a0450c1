/**
 * One link checked over HTTP: a HEAD request (GET when the server refuses HEAD) through the outbound address
 * policy, with a timeout. Redirects are followed only on the same host, and each hop is vetted again.
 */
import {
  OutboundLimitError,
  OutboundRefusedError,
  OutboundTimeoutError,
  requestOutbound,
  type OutboundOptions,
} from '../kit/outbound-request';
import { linkFinding, outboundPolicyOf, type LinkPolicy } from './link-policy';

const MAX_REDIRECTS = 3;

/** Asks for the link and reads only the status (and a redirect's Location); the body is never read. */
async function statusOf(link: URL, policy: LinkPolicy, method: 'HEAD' | 'GET', timeoutMs: number) {
  const options: OutboundOptions = {
    who: 'the link checker',
    method,
    headers: { 'user-agent': 'Overture link checker' },
    maxRedirects: MAX_REDIRECTS,
    redirects: 'same-host',
    timeoutMs,
    maxBytes: 0,
  };
  const response = await requestOutbound(link, outboundPolicyOf(policy), options);
  response.discard();
  return { status: response.status, location: response.headers.location, url: response.url };
}

/** Checks one absolute http(s) link; returns a finding, or undefined when the link answers 2xx. */
export async function probeLink(link: URL, policy: LinkPolicy, timeoutMs: number): Promise<string | undefined> {
  let answer: Awaited<ReturnType<typeof statusOf>>;
  try {
    answer = await statusOf(link, policy, 'HEAD', timeoutMs);
    // Some servers do not implement HEAD: ask for the page, and read only its status.
    if (answer.status === 405 || answer.status === 501) answer = await statusOf(link, policy, 'GET', timeoutMs);
  } catch (err) {
    if (err instanceof OutboundRefusedError) {
      const finding = linkFinding(err.refusal);
      return err.hop === 0 ? finding : `redirects to ${err.url.href}, ${finding}`;
    }
    if (err instanceof OutboundLimitError) return `broken: more than ${MAX_REDIRECTS} redirects`;
    if (err instanceof OutboundTimeoutError) return `unreachable: timed out after ${timeoutMs} ms`;
    return `unreachable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  if (answer.status >= 200 && answer.status < 300) return undefined;
  if (answer.status >= 300 && answer.status < 400 && answer.location) {
    let next: URL;
    try {
      next = new URL(answer.location, answer.url);
    } catch {
      return `broken: HTTP ${answer.status} with an unreadable Location`;
    }
    if (next.hostname !== answer.url.hostname) return `not checked: redirects to another host (${next.host}), not followed`;
  }
  return `broken: HTTP ${answer.status}`;
}
