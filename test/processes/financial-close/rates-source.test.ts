/**
 * The exchange-rates URL through the outbound address policy, against real loopback servers: the configured
 * origin is fetched (it is on loopback: configuration allows it, not its address), a redirect to any other
 * origin is refused before it is contacted, and a document past the size bound is not read whole.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchPublishedRates } from '../../../activities/financial-close/rates-source';

const RATES = JSON.stringify({ period: '2026-10', publishedAt: '2026-11-01T06:00:00Z', base: 'EUR', rates: { USD: 1.08 } });

async function serve(listener: http.RequestListener): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let internal: Awaited<ReturnType<typeof serve>>;
let publisher: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  internal = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(RATES));
  publisher = await serve((req, res) => {
    if (req.url === '/rates.json') res.writeHead(200).end(RATES);
    else if (req.url === '/moved') res.writeHead(301, { location: '/rates.json' }).end();
    else if (req.url === '/elsewhere') res.writeHead(302, { location: `${internal.origin}/admin/rates.json` }).end();
    else if (req.url === '/huge') res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, ' '));
    else res.writeHead(404).end();
  });
});
afterAll(async () => {
  await publisher.close();
  await internal.close();
});

describe('the rates source', () => {
  it('fetches the configured URL, on loopback, and follows a redirect on its own origin', async () => {
    expect(await fetchPublishedRates(`${publisher.origin}/rates.json`, '2026-10')).toMatchObject({ base: 'EUR', rates: { USD: 1.08 } });
    expect(await fetchPublishedRates(`${publisher.origin}/moved`, '2026-10')).toMatchObject({ period: '2026-10' });
  });

  it('refuses a redirect to another origin before contacting it', async () => {
    await expect(fetchPublishedRates(`${publisher.origin}/elsewhere`, '2026-10')).rejects.toThrow(
      `exchange rates ${publisher.origin}/elsewhere: refused a redirect to ${new URL(internal.origin).host}: host not on the allow-list`,
    );
    expect(internal.requests).toEqual([]);
  });

  it('does not read a document past 1 MiB', async () => {
    await expect(fetchPublishedRates(`${publisher.origin}/huge`, '2026-10')).rejects.toThrow(
      `exchange rates ${publisher.origin}/huge: the answer is larger than 1048576 bytes, the most the financial close reads`,
    );
  });
});
