import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';

describe('webhook receiver', () => {
  let receiver: WebhookReceiver;
  let tmpDir: string;
  let logFile: string;
  const lines: string[] = [];

  beforeAll(async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'overture-hooks-'));
    logFile = path.join(tmpDir, 'webhooks.jsonl');
    receiver = await startWebhookReceiver({ port: 0, logFile, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await receiver.stop();
    await rm(tmpDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.clear();
    receiver.respondWith(undefined);
    lines.length = 0;
  });

  const post = (body: string, url = receiver.url) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('exposes the team hook url on a random port', () => {
    expect(receiver.port).toBeGreaterThan(0);
    expect(receiver.baseUrl).toBe(`http://127.0.0.1:${receiver.port}`);
    expect(receiver.url).toBe(`${receiver.baseUrl}/hooks/team`);
  });

  it('accepts a Slack-style payload, answers ok and records it', async () => {
    const payload = { text: 'Ada Lovelace starts Monday', blocks: [] };
    const res = await post(JSON.stringify(payload));

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const hook = await receiver.waitFor((w) => w.path === '/hooks/team');
    expect(hook.body).toEqual(payload);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(lines).toEqual([`webhook received on /hooks/team (#${hook.id})`]);

    const logged = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number });
    expect(logged.at(-1)?.id).toBe(hook.id);
  });

  it.each([['not json'], [JSON.stringify({ blocks: [] })], [JSON.stringify({ text: 42 })], ['null']])(
    'rejects invalid payload %s with 400 and does not record it',
    async (body) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe('invalid_payload');
      expect(receiver.received()).toHaveLength(0);
    },
  );

  it('answers 404 outside /hooks/ and 405 for other methods', async () => {
    expect((await post('{"text":"x"}', `${receiver.baseUrl}/elsewhere`)).status).toBe(404);
    expect((await fetch(receiver.url, { method: 'PUT', body: '{"text":"x"}' })).status).toBe(405);
    expect(receiver.received()).toHaveLength(0);
  });

  it('lists received webhooks on GET /hooks/', async () => {
    await post(JSON.stringify({ text: 'one' }));
    const res = await fetch(`${receiver.baseUrl}/hooks/`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as Array<{ body: unknown }>).map((w) => w.body)).toEqual([{ text: 'one' }]);
  });

  it('respondWith forces a status without recording, and undefined restores 200', async () => {
    receiver.respondWith(500);
    expect((await post(JSON.stringify({ text: 'fails' }))).status).toBe(500);
    receiver.respondWith(429);
    expect((await post(JSON.stringify({ text: 'limited' }))).status).toBe(429);
    expect(receiver.received()).toHaveLength(0);

    receiver.respondWith(undefined);
    expect((await post(JSON.stringify({ text: 'works' }))).status).toBe(200);
    expect(receiver.received().map((w) => w.body)).toEqual([{ text: 'works' }]);
  });

  it('waitFor times out with a clear error', async () => {
    await expect(receiver.waitFor(() => false, 50)).rejects.toThrow(/no matching webhook within 50 ms/);
  });
});
