/**
 * One outbound HTTP exchange within the outbound address policy: each hop (the first request and every
 * redirect, followed by hand) is vetted again and connects to the address vetted, never asking DNS a second
 * time; the redirects are bounded, and so are the body (bytes) and the whole exchange (a time budget, and a
 * longest silence). Nothing of a refused hop is read: no status, header or byte of it reaches the caller.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable, pipeline } from 'node:stream';
import { byteLimit } from './byte-limit';
import { PermanentError, TransientError } from './errors';
import { describeRefusal, vetAddress, type OutboundPolicy, type Refusal } from './outbound-policy';

export interface OutboundOptions {
  /** Who is asking, in messages: "the data pipeline", "the link checker". */
  who: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Redirects followed (each vetted like a new URL); one more is an {@link OutboundLimitError}. */
  maxRedirects: number;
  /** `same-host`: a redirect to another host is handed back unfollowed (the caller reports it). */
  redirects?: 'follow' | 'same-host';
  /** The whole exchange, from the first request to the last byte of the body. */
  timeoutMs: number;
  /** Longest silence of the connection (before the answer, or between two chunks); the budget alone if absent. */
  idleTimeoutMs?: number;
  /** Most bytes of the body read; a body announcing or sending more is an {@link OutboundLimitError}. */
  maxBytes: number;
}

/** The answer to the last hop: its status and headers, and its body within the byte limit and the time budget. */
export interface OutboundResponse {
  status: number;
  /** The URL that answered (after the redirects followed). */
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** The body; it fails with OutboundLimitError past maxBytes and OutboundTimeoutError past the budget. */
  body: Readable;
  /** Stops reading and closes the connection. */
  discard(): void;
}

/** A hop the policy refused: retrying will not change the policy. */
export class OutboundRefusedError extends PermanentError {
  constructor(
    readonly url: URL,
    readonly refusal: Refusal,
    /** 0 for the URL asked for, 1 for the first redirect… */
    readonly hop: number,
    who: string,
  ) {
    super(`${hop === 0 ? 'refused' : `refused a redirect to ${url.host}`}: ${describeRefusal(refusal, who)}`);
  }
}

/** Past a bound that does not move: the body's size, the number of redirects. */
export class OutboundLimitError extends PermanentError {}

/** Past the time budget or the longest silence: a slow answer may be quicker on a later try. */
export class OutboundTimeoutError extends TransientError {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A `lookup` that answers with the vetted address only: the connection never asks DNS again. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (err: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** Sends one request to the vetted address; resolves once its headers are in. `stop` ends it with an error at any point. */
function send(url: URL, lookup: LookupFunction, opts: OutboundOptions, onStop: (stop: (err: Error) => void) => void) {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = transport.request(url, {
      method: opts.method ?? 'GET',
      lookup,
      agent: false,
      headers: { 'user-agent': 'Overture', accept: '*/*', ...opts.headers },
    });
    let response: http.IncomingMessage | undefined;
    // Once the answer has come, the error must reach its body (destroying the request alone reads as "aborted").
    const stop = (err: Error) => (response ? response.destroy(err) : request.destroy(err));
    onStop(stop);
    if (opts.idleTimeoutMs) {
      const silence = opts.idleTimeoutMs;
      request.setTimeout(silence, () => stop(new OutboundTimeoutError(`no answer to ${opts.who} for ${silence} ms`)));
    }
    request.once('response', (answer) => {
      response = answer;
      resolve(answer);
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Requests `url` within the policy. Throws OutboundRefusedError for a hop the policy refuses (nothing is sent
 * to it), OutboundLimitError past the redirects, OutboundTimeoutError past the budget; a connection that fails
 * throws the network error. A body announced larger than maxBytes fails on its first read, unread.
 */
export async function requestOutbound(url: URL, policy: OutboundPolicy, opts: OutboundOptions): Promise<OutboundResponse> {
  let stop: ((err: Error) => void) | undefined;
  let expired = false;
  const timeout = () => new OutboundTimeoutError(`${opts.who} gave up after ${opts.timeoutMs} ms`);
  const budget = setTimeout(() => {
    expired = true;
    stop?.(timeout());
  }, opts.timeoutMs);
  const track = (next: (err: Error) => void) => {
    stop = next;
    if (expired) next(timeout());
  };
  try {
    let target = url;
    for (let hop = 0; ; hop += 1) {
      const vetted = await vetAddress(target, policy);
      if (!vetted.allowed) throw new OutboundRefusedError(target, vetted.refusal, hop, opts.who);
      const response = await send(target, pinnedLookup(vetted.address, vetted.family), opts, track);
      const status = response.statusCode ?? 0;
      const next = REDIRECTS.has(status) ? nextHop(target, response.headers.location) : undefined;
      const handBack = !next || (opts.redirects === 'same-host' && next.hostname !== target.hostname);
      if (handBack) return answer(target, response, opts, () => clearTimeout(budget));
      // A redirect's body is never read.
      response.destroy();
      if (hop === opts.maxRedirects) throw new OutboundLimitError(`more than ${opts.maxRedirects} redirects`);
      target = next;
    }
  } catch (err) {
    clearTimeout(budget);
    stop?.(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

/** Where a redirect leads, if its Location is a URL. */
function nextHop(from: URL, location: string | undefined): URL | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/** The last hop's answer, its body bounded; the budget's timer ends with the body. */
function answer(url: URL, response: http.IncomingMessage, opts: OutboundOptions, done: () => void): OutboundResponse {
  const announced = Number(response.headers['content-length']);
  if (opts.method !== 'HEAD' && Number.isFinite(announced) && announced > opts.maxBytes) {
    // Not one byte of it is read; the body fails on its first read, for a caller that reads it.
    response.destroy();
    done();
    const tooLarge = new OutboundLimitError(`the answer announces ${announced} bytes, more than the ${opts.maxBytes} ${opts.who} reads`);
    const refused = new Readable({ read: () => refused.destroy(tooLarge) });
    return { status: response.statusCode ?? 0, url, headers: response.headers, body: refused, discard: () => refused.destroy() };
  }
  const tooLarge = () => new OutboundLimitError(`the answer is larger than ${opts.maxBytes} bytes, the most ${opts.who} reads`);
  const body = pipeline(response, byteLimit(opts.maxBytes, tooLarge), () => done());
  return {
    status: response.statusCode ?? 0,
    url,
    headers: response.headers,
    body,
    discard: () => {
      response.destroy();
      body.destroy();
      done();
    },
  };
}

/** The whole body as text (for small documents: the byte limit bounds it). */
export async function readBodyText(response: OutboundResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
