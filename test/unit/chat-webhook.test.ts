/**
 * The team webhook is posted to as configured: a redirect is not followed (the post and its idempotency key would
 * go wherever the answer points), and a hook's answer body is not read.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postToTeamOnce } from '../../activities/kit/chat';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: http.Server) => new Promise((resolve) => server.close(resolve));

it('does not follow a redirect: the post fails permanently and the other server hears nothing', async () => {
  let elsewhereRequests = 0;
  const elsewhere = await listen((_req, res) => {
    elsewhereRequests += 1;
    res.end('ok');
  });
  const hook = await listen((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/internal` }).end());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-webhook-'));
  const ledger = new SqliteDeliveryLedger(path.join(dir, 'ledger.db'));
  try {
    const failure = await postToTeamOnce({ webhookUrl: `${hook.url}/hooks/team`, ledger }, 'redirected', 'hello').then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure?.name).toBe('PermanentError');
    expect(failure?.message).toMatch(/HTTP 307 \(a redirect, not followed\)/);
    expect(elsewhereRequests).toBe(0);
  } finally {
    ledger.close();
    await close(hook.server);
    await close(elsewhere.server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
