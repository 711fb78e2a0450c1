/**
 * A local HTTP endpoint that behaves like a Slack incoming webhook: POST JSON with a string `text`
 * to any path under /hooks/ and get `ok`. It records what it receives and can be told to fail, so
 * tests and people running the stack can see (and break) team notifications without Slack.
 */
import { appendFile } from 'node:fs/promises';
import http from 'node:http';
import { listen } from './listen';

/** One accepted webhook POST. */
export interface ReceivedWebhook {
  id: number;
  path: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  receivedAt: string;
}

/** Options for {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When set, one JSON line per received message is appended there. */
  logFile?: string;
  log?: (line: string) => void;
}

/** Handle on a running webhook receiver. */
export interface WebhookReceiver {
  port: number;
  /** The default hook URL, `<baseUrl>/hooks/team`. */
  url: string;
  baseUrl: string;
  /** The HTTP server (for supervision: `npm start` listens again if it closes unasked). */
  server: http.Server;
  received(): ReceivedWebhook[];
  waitFor(predicate: (w: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  respondWith(status: number | undefined): void;
  clear(): void;
  stop(): Promise<void>;
}

// Slack caps message payloads well below this; anything bigger is a bug or abuse.
const MAX_BODY_BYTES = 1024 * 1024;

class TooLarge extends Error {}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parsePayload(raw: string): unknown {
  try {
    const body: unknown = JSON.parse(raw);
    const text = (body as { text?: unknown } | null)?.text;
    return typeof text === 'string' ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the webhook receiver and resolves once it is listening. */
export async function startWebhookReceiver(opts: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const hooks: ReceivedWebhook[] = [];
  const waiters = new Set<(w: ReceivedWebhook) => void>();
  let forcedStatus: number | undefined;
  let seq = 0;

  const reply = (res: http.ServerResponse, status: number, body: string, type = 'text/plain') => {
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!urlPath.startsWith('/hooks/')) return reply(res, 404, 'no_service');
    if (req.method === 'GET' && urlPath === '/hooks/') {
      return reply(res, 200, JSON.stringify(hooks, null, 2), 'application/json');
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return reply(res, 405, 'method_not_allowed');
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof TooLarge) {
        res.setHeader('connection', 'close'); // don't read the rest of an oversized upload
        return reply(res, 413, 'payload_too_large');
      }
      throw err;
    }
    // Checked after reading the body so keep-alive connections stay usable.
    if (forcedStatus !== undefined) return reply(res, forcedStatus, forcedStatus === 429 ? 'rate_limited' : 'forced_failure');
    const body = parsePayload(raw);
    if (body === undefined) return reply(res, 400, 'invalid_payload');

    const hook: ReceivedWebhook = { id: ++seq, path: urlPath, body, headers: { ...req.headers }, receivedAt: new Date().toISOString() };
    if (opts.logFile) await appendFile(opts.logFile, `${JSON.stringify(hook)}\n`);
    hooks.push(hook);
    log(`webhook received on ${urlPath} (#${hook.id})`);
    reply(res, 200, 'ok');
    for (const notify of [...waiters]) notify(hook);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`webhook receiver error: ${(err as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'internal_error');
      else res.destroy();
    });
  });

  await listen(server, opts.port ?? 0, host);

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://${host}:${port}`;

  return {
    port,
    url: `${baseUrl}/hooks/team`,
    baseUrl,
    server,
    received: () => [...hooks],
    clear: () => {
      hooks.length = 0;
    },
    respondWith: (status) => {
      forcedStatus = status;
    },
    waitFor: (predicate, timeoutMs = 5_000) => {
      const existing = hooks.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise<ReceivedWebhook>((resolve, reject) => {
        const onHook = (w: ReceivedWebhook) => {
          if (!predicate(w)) return;
          clearTimeout(timer);
          waiters.delete(onHook);
          resolve(w);
        };
        const timer = setTimeout(() => {
          waiters.delete(onHook);
          reject(new Error(`webhook receiver: no matching webhook within ${timeoutMs} ms (${hooks.length} received)`));
        }, timeoutMs);
        waiters.add(onHook);
      });
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
