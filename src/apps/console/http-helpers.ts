/** What every console module needs to answer a request: the security headers, JSON replies, and body parsing. */
import type http from 'node:http';
import { importMapHashSource } from './import-map';
import { notJsonProblem, prototypeKeyProblems } from '../../../workflows/kit/input';

const MAX_BODY_BYTES = 64 * 1024;
/**
 * A body past the limit is still read (and dropped) up to this many bytes, so the client gets its 413 instead of
 * a connection reset; a larger one is answered at once and its connection closed.
 */
const MAX_DISCARD_BYTES = 8 * 1024 * 1024;

/** Sent on every response, pages and API alike; the only inline script allowed is the app's import map, by hash. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; script-src 'self' ${importMapHashSource()}; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // not no-referrer: with it, browsers send `Origin: null` on form posts and the Origin check would refuse them
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

type Headers = Record<string, string | string[]>;

/** An error with the HTTP status and JSON body to answer with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Headers of the answer (Retry-After, Connection: close). */
    readonly headers: Headers = {},
  ) {
    super(message);
  }
}

/** Answers with a complete body and the security headers. */
export function send(res: http.ServerResponse, status: number, body: string, type: string, headers: Headers = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Answers with a JSON value. */
export function json(res: http.ServerResponse, status: number, value: unknown, headers: Headers = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
}

/** The 413 for a body past {@link MAX_BODY_BYTES}; its connection is closed after the answer. */
const tooLarge = () => new HttpError(413, `request body too large: at most ${MAX_BODY_BYTES} bytes`, {}, { Connection: 'close' });

/**
 * The request body as text; rejects with 413 past 64 KiB. A larger body is read to its end and dropped (up to
 * {@link MAX_DISCARD_BYTES}), so the 413 reaches the client instead of a reset; the request timeout bounds how long.
 */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_DISCARD_BYTES) {
      // Not worth reading: answer now; the connection closes after the answer (see sendError).
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      if (refused) return;
      refused = true;
      req.off('data', onData);
      reject(tooLarge());
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DISCARD_BYTES) return refuse();
      if (size > MAX_BODY_BYTES) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => (size > MAX_BODY_BYTES ? refuse() : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The request body as a JSON object ({} when empty); rejects with 400 otherwise. */
export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the body (personal data): say only where it breaks.
    throw new HttpError(400, 'the request body must be JSON', { problems: [`(input): must be JSON, and it is ${notJsonProblem(text)}`] });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'the request body must be a JSON object', { problems: ['(input): must be a JSON object'] });
  }
  // Every route at once (inputs, decisions' outputs, answers): the same check the CLI and the event gateway make.
  const prototypeKeys = prototypeKeyProblems(value);
  if (prototypeKeys.length) throw new HttpError(400, 'the request body names a field that is not allowed', { problems: prototypeKeys });
  return value as Record<string, unknown>;
}
