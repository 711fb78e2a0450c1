/**
 * An unreliable chat service in front of the stack's webhook receiver: it answers a share of posts 503 without
 * passing them on (an outage as the sender sees it), and passes the rest to the receiver, whose answer it returns.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running flaky front. */
export interface FlakyWebhook {
  url: string;
  /** Posts answered 503 and not passed on. */
  refused(): number;
  stop(): Promise<void>;
}

/** Starts the front on a free port: `share` (0-1) of posts are refused, chosen by `random` (seeded by the caller). */
export async function startFlakyWebhook(target: string, share: number, random: () => number): Promise<FlakyWebhook> {
  let refused = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (random() < share) {
        refused += 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('service_unavailable');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      fetch(target, { method: req.method, headers, body: Buffer.concat(chunks) })
        .then(async (answer) => res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(await answer.text()))
        .catch(() => res.writeHead(502).end('bad_gateway'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/team`,
    refused: () => refused,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
