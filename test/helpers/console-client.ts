/**
 * A caller of the operator console over real HTTP, for tests of the console under load and abuse: each request on
 * its own socket, optionally from a chosen local address (`from: '127.0.0.7'`: every 127.x address is the
 * loopback interface, and the console sees each as a different client).
 */
import http from 'node:http';

/** Where a request comes from: the local address its socket is bound to (the OS default when omitted). */
export interface From {
  from?: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on a socket of its own; rejects only when no answer came (refused or reset connection). */
export function request(
  base: string,
  path: string,
  opts: From & { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      agent: false,
      ...(opts.from ? { localAddress: opts.from } : {}),
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface SignedIn {
  status: number;
  /** The session and CSRF cookies as a Cookie header ('' when refused). */
  cookie: string;
  retryAfter: string | undefined;
  text: string;
}

/** `POST /login` with an operator's token, from the console's own origin. */
export async function signIn(base: string, token: string, opts: From = {}): Promise<SignedIn> {
  const answer = await request(base, '/login', {
    ...opts,
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
    body: new URLSearchParams({ token }).toString(),
  });
  const setCookie = answer.headers['set-cookie'] ?? [];
  const retryAfter = answer.headers['retry-after'];
  return {
    status: answer.status,
    cookie: setCookie.map((c) => c.split(';')[0]).join('; '),
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    text: answer.text,
  };
}

export interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body so far (a refused stream's JSON answer, or the frames). */
  text: () => string;
  /** Resolves once a frame of this event has arrived. */
  frame: (event: string) => Promise<void>;
  /** Frames of this event so far. */
  frames: (event: string) => number;
  /** Whether the stream has ended (by either side). */
  ended: () => boolean;
  closed: Promise<void>;
  close: () => void;
}

const EVENTS = ['runs', 'run', 'problem', 'replaced'];

/** Opens `GET /api/events` on its own socket; resolves once the status line is in. */
export function openStream(base: string, headers: Record<string, string>, query = '', opts: From = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      new URL(`/api/events${query}`, base),
      { headers, agent: false, ...(opts.from ? { localAddress: opts.from } : {}) },
      (res) => {
        let text = '';
        let ended = false;
        const counts = new Map<string, number>();
        const waiters: Array<{ event: string; done: () => void }> = [];
        res.on('data', (chunk: Buffer) => {
          const added = chunk.toString();
          for (const event of EVENTS) {
            // Frames split across chunks: search from just before the new text.
            const pattern = `event: ${event}\n`;
            const window = text.slice(-(pattern.length - 1)) + added;
            counts.set(event, (counts.get(event) ?? 0) + window.split(pattern).length - 1);
          }
          text += added;
          if (text.length > 400_000) text = text.slice(-200_000);
          for (const w of [...waiters]) if ((counts.get(w.event) ?? 0) > 0) w.done();
        });
        const closed = new Promise<void>((done) =>
          res.on('close', () => {
            ended = true;
            done();
          }),
        );
        res.on('error', () => undefined);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => text,
          frame: (event) =>
            new Promise<void>((done) => {
              if ((counts.get(event) ?? 0) > 0) done();
              else waiters.push({ event, done });
            }),
          frames: (event) => counts.get(event) ?? 0,
          ended: () => ended,
          closed,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}
