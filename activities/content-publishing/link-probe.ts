/**
 * One link checked over HTTP: a HEAD request (GET when the server refuses HEAD) to the address the policy
 * vetted, with a timeout. Redirects are followed only on the same host, and each hop is vetted again.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { vetLink, type LinkPolicy } from './link-policy';

const MAX_REDIRECTS = 3;

interface Answer {
  status: number;
  location?: string;
}

/** A `lookup` that answers with the vetted address only: the connection never asks DNS again. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** Sends one request and resolves with the status once the headers are in; the body is never read. */
function ask(url: URL, method: 'HEAD' | 'GET', lookup: LookupFunction, timeoutMs: number): Promise<Answer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const request = transport.request(
      url,
      { method, lookup, agent: false, headers: { 'user-agent': 'Overture link checker', accept: '*/*' } },
      (response) => {
        resolve({ status: response.statusCode ?? 0, location: response.headers.location });
        response.destroy();
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    request.once('close', () => clearTimeout(timer));
    request.once('error', reject);
    request.end();
  });
}

/** Checks one absolute http(s) link; returns a finding, or undefined when the link answers 2xx. */
export async function probeLink(link: URL, policy: LinkPolicy, timeoutMs: number): Promise<string | undefined> {
  let current = link;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const vetted = await vetLink(current, policy);
    if (!vetted.allowed) return hop === 0 ? vetted.finding : `redirects to ${current.href}, ${vetted.finding}`;
    const lookup = pinnedLookup(vetted.address, vetted.family);
    let answer: Answer;
    try {
      answer = await ask(current, 'HEAD', lookup, timeoutMs);
      // Some servers do not implement HEAD: ask for the page, and read only its status.
      if (answer.status === 405 || answer.status === 501) answer = await ask(current, 'GET', lookup, timeoutMs);
    } catch (err) {
      return `unreachable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
    if (answer.status >= 200 && answer.status < 300) return undefined;
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      let next: URL;
      try {
        next = new URL(answer.location, current);
      } catch {
        return `broken: HTTP ${answer.status} with an unreadable Location`;
      }
      if (next.hostname !== current.hostname) return `not checked: redirects to another host (${next.host}), not followed`;
      current = next;
      continue;
    }
    return `broken: HTTP ${answer.status}`;
  }
  return `broken: more than ${MAX_REDIRECTS} redirects`;
}
