/**
 * The operator console under load, against a real stack over real HTTP: 300 event streams share one poll (the
 * runs list stays fast), stream caps (an operator's newest replaces their oldest; in total, room is made only for
 * an operator holding fewer, else 503), idle sockets and slow bodies are closed after their timeouts while event
 * streams are not, a 1 MB POST is answered 413, and an address locks after wrong tokens (429, even for the right
 * token) with the failures logged. The console under abuse at scale is console-abuse.test.ts.
 */
import http from 'node:http';
import net from 'node:net';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import type { OvertureConfig } from '../../src/config/platform';
import { addOperator } from '../helpers/operators';
import { startProcess } from '../../src/client';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire } from '../processes/onboarding/helpers';
import { openStream, request } from '../helpers/console-client';

jest.setTimeout(120_000);

/** Personal tokens of the operators of this file (ops.alice's is the bearer of API calls). */
const tokens: Record<string, string> = {};
let TOKEN: string;
let stack: TestStack;
const consoles: RunningConsole[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  for (const name of ['ops.alice', 'ops.bob', 'ops.carol'])
    tokens[name] = addOperator(stack.config.OVERTURE_DATA_DIR, name, 'operator').token;
  TOKEN = tokens['ops.alice']!;
});
afterAll(async () => {
  for (const c of consoles) await c.stop();
  await stack?.stop();
});

async function startConsole(settings: Partial<OvertureConfig>, log?: (line: string) => void): Promise<RunningConsole> {
  const running = await startOperatorConsole({
    client: stack.client,
    config: { ...stack.config, ...settings },
    host: '127.0.0.1',
    port: 0,
    log,
  });
  consoles.push(running);
  return running;
}

const bearer = () => ({ Authorization: `Bearer ${TOKEN}` });

async function timedGet(base: string, path: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, { headers: bearer() });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

async function login(base: string, token: string): Promise<{ status: number; cookie: string; retryAfter: string | null; text: string }> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { status: res.status, cookie, retryAfter: res.headers.get('retry-after'), text: await res.text() };
}

/** A raw connection; resolves with what the server sent and how long until it closed the socket. */
function rawConnection(
  base: string,
  write: (socket: net.Socket) => void,
  giveUpMs: number,
): Promise<{ received: string; closedAfterMs: number | undefined }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect(Number(port), hostname);
    let received = '';
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedAfterMs: undefined });
    }, giveUpMs);
    socket.on('connect', () => write(socket));
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: performance.now() - t0 });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// The runs list pages (50 by default): the load asks for one page of all 200 runs, as a busy operator's list would.
const ALL_RUNS = '/api/runs?pageSize=200';

describe('300 event streams', () => {
  it('share one poll: /api/runs keeps a p50 under 500 ms while they are open, and a 301st replaces the oldest', async () => {
    // A listed namespace as an operator sees it: 200 runs (no worker: they stay open, listed from their attributes).
    for (let i = 0; i < 200; i += 20)
      await Promise.all(Array.from({ length: 20 }, () => startProcess(stack.client, stack.config, 'onboarding', newHire())));
    const base = (
      await startConsole({
        CONSOLE_MAX_CONNECTIONS: 400,
        CONSOLE_MAX_CONNECTIONS_PER_ADDRESS: 400,
        CONSOLE_MAX_STREAMS: 300,
        CONSOLE_MAX_STREAMS_PER_OPERATOR: 300,
      })
    ).url;
    await eventually(
      async () =>
        ((await (await fetch(`${base}${ALL_RUNS}`, { headers: bearer() })).json()) as { runs: unknown[] }).runs.length >= 200 || undefined,
      20_000,
      '200 runs listed',
    );
    const baseline: number[] = [];
    for (let i = 0; i < 5; i += 1) baseline.push((await timedGet(base, ALL_RUNS)).ms);

    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    for (let i = 0; i < 300; i += 50) streams.push(...(await Promise.all(Array.from({ length: 50 }, () => openStream(base, bearer())))));
    try {
      expect(streams.map((s) => s.status)).toEqual(Array(300).fill(200));
      await Promise.all(streams.map((s) => s.frame('runs')));
      // Count the list calls Temporal gets over 3 s of 300 streams: one shared poll a second, not one per stream.
      // The runs list reads visibility a page at a time, through the WorkflowService's ListWorkflowExecutions.
      const service = stack.client.workflowService;
      const list = service.listWorkflowExecutions.bind(service);
      let listCalls = 0;
      service.listWorkflowExecutions = ((...args: Parameters<typeof list>) => {
        listCalls += 1;
        return list(...args);
      }) as typeof service.listWorkflowExecutions;
      try {
        await new Promise((r) => setTimeout(r, 3_000));
      } finally {
        service.listWorkflowExecutions = list;
      }
      const timings: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const answer = await timedGet(base, ALL_RUNS);
        expect(answer.status).toBe(200);
        timings.push(answer.ms);
      }
      const p50 = median(timings);
      console.log(`/api/runs with 300 event streams open: p50 ${p50.toFixed(0)} ms (without streams: ${median(baseline).toFixed(0)} ms)`);
      console.log(`Temporal list calls over 3 s of 300 streams: ${listCalls}`);
      // Under 500 ms on an idle machine (~140 ms here); on a machine busy with other work the same answer without
      // streams is slower too, so the bound is also three times that baseline: the streams' own cost is what is judged.
      expect(p50).toBeLessThan(Math.max(500, 3 * median(baseline)));
      expect(listCalls).toBeGreaterThanOrEqual(2);
      expect(listCalls).toBeLessThanOrEqual(4);
      // Every stream got its frames (about one a second) and none reported a failed poll.
      expect(streams.filter((s) => s.frames('problem') > 0)).toHaveLength(0);
      expect(Math.min(...streams.map((s) => s.frames('runs')))).toBeGreaterThanOrEqual(3);

      // The same operator's 301st replaces their oldest: still 300 open, the oldest told why.
      const newest = await openStream(base, bearer());
      streams.push(newest);
      expect(newest.status).toBe(200);
      await streams[0]!.closed;
      expect(streams[0]!.frames('replaced')).toBe(1);
      expect(streams.filter((s) => !s.ended())).toHaveLength(300);
    } finally {
      for (const s of streams) s.close();
    }
    // Closed streams free their places.
    const again = await eventually_(async () => {
      const s = await openStream(base, bearer());
      if (s.status === 200) return s;
      s.close();
      return undefined;
    });
    await again.frame('runs');
    again.close();
  });
});

async function eventually_<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stream caps and timeouts', () => {
  let base: string;
  beforeAll(async () => {
    base = (
      await startConsole({
        CONSOLE_MAX_STREAMS: 3,
        CONSOLE_MAX_STREAMS_PER_OPERATOR: 2,
        CONSOLE_HEADERS_TIMEOUT_MS: 1_000,
        CONSOLE_REQUEST_TIMEOUT_MS: 1_500,
        CONSOLE_IDLE_TIMEOUT_MS: 1_000,
      })
    ).url;
  });

  it("replaces an operator's oldest stream past 2, and past 3 in total makes room only for an operator holding fewer (else 503)", async () => {
    const alice = (await login(base, tokens['ops.alice']!)).cookie;
    const bob = (await login(base, tokens['ops.bob']!)).cookie;
    const carol = (await login(base, tokens['ops.carol']!)).cookie;
    expect(alice).toContain('overture_session=');
    const open = [await openStream(base, { Cookie: alice }, '?run=onboarding-NO-SUCH-RUN'), await openStream(base, { Cookie: alice })];
    try {
      expect(open.map((s) => s.status)).toEqual([200, 200]);
      // The watched run that does not exist is reported on its stream.
      await open[0]!.frame('problem');
      expect(open[0]!.text()).toContain('"error":"run not found"');
      // Alice's third (another tab, say) replaces her oldest, which is told why and ended.
      open.push(await openStream(base, { Cookie: alice }));
      expect(open[2]!.status).toBe(200);
      await open[0]!.closed;
      expect(open[0]!.text()).toContain(
        'event: replaced\ndata: {"reason":"Closed: you opened more than 2 live streams (other tabs?); this was your oldest."}',
      );
      open.push(await openStream(base, { Cookie: bob }));
      expect(open[3]!.status).toBe(200);
      // Full (3): Carol, holding none, gets the oldest place of Alice, who holds the most.
      open.push(await openStream(base, { Cookie: carol }));
      expect(open[4]!.status).toBe(200);
      await open[1]!.closed;
      expect(open[1]!.frames('replaced')).toBe(1);
      // Now each holds one: Carol's second would take a place from someone holding no more than her, so 503.
      const refused = await openStream(base, { Cookie: carol });
      await refused.closed;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text())).toEqual({ error: 'the console already serves 3 event streams, its limit; try again later' });
      expect(open.filter((s) => !s.ended())).toEqual([open[2], open[3], open[4]]);
    } finally {
      for (const s of open) s.close();
    }
    const freed = await eventually_(async () => {
      const s = await openStream(base, { Cookie: carol });
      if (s.status === 200) return s;
      s.close();
      return undefined;
    });
    freed.close();
  });

  it('keeps an event stream open past the idle and request timeouts', async () => {
    const stream = await openStream(base, bearer());
    try {
      expect(stream.status).toBe(200);
      await stream.frame('runs');
      let ended = false;
      void stream.closed.then(() => (ended = true));
      await new Promise((r) => setTimeout(r, 3_500));
      expect(ended).toBe(false);
      expect(stream.frames('runs')).toBeGreaterThanOrEqual(3);
    } finally {
      stream.close();
    }
  });

  it('closes a connection that sends nothing after the idle timeout', async () => {
    const { closedAfterMs } = await rawConnection(base, () => undefined, 6_000);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs!).toBeLessThan(3_500);
  });

  it('closes a kept-alive connection idle after its answer', async () => {
    const { received, closedAfterMs } = await rawConnection(
      base,
      (s) => s.write(`GET /api/session HTTP/1.1\r\nHost: console\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: keep-alive\r\n\r\n`),
      6_000,
    );
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs!).toBeLessThan(3_500);
  });

  it('answers 408 and closes a body sent slowly past the request timeout', async () => {
    let drip: NodeJS.Timeout | undefined;
    const { received, closedAfterMs } = await rawConnection(
      base,
      (s) => {
        s.write(
          `POST /login HTTP/1.1\r\nHost: console\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ntoken=`,
        );
        // A byte every 200 ms: never idle, never done.
        drip = setInterval(() => s.writable && s.write('x'), 200);
      },
      10_000,
    );
    clearInterval(drip);
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(1_400);
    expect(closedAfterMs!).toBeLessThan(4_000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers a 1 MB POST with 413 and a JSON message, not a reset', async () => {
    const csrf = ((await (await fetch(`${base}/api/session`, { headers: bearer() })).json()) as { csrfToken: string }).csrfToken;
    const body = JSON.stringify({ process: 'onboarding', input: { pad: 'x'.repeat(1024 * 1024) } });
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(new URL('/api/runs', base), {
        method: 'POST',
        agent: false,
        headers: { ...bearer(), 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({ error: 'request body too large: at most 65536 bytes' });
    // The sign-in form the same.
    const form = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `token=${'x'.repeat(1024 * 1024)}`,
    });
    expect(form.status).toBe(413);
  });
});

describe('sign-in lockout', () => {
  it('locks an address after 5 wrong tokens: 429 with Retry-After, even for the right token; the failures are logged without the token', async () => {
    const lines: string[] = [];
    const base = (await startConsole({ CONSOLE_SIGNIN_FAILURES_PER_MINUTE: 5 }, (line) => lines.push(line))).url;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await login(base, `wrong-guess-${i}-abcdefghijklmnop`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);

    const locked = await login(base, TOKEN);
    expect(locked.status).toBe(429);
    expect(locked.cookie).toBe('');
    expect(Number(locked.retryAfter)).toBeGreaterThan(50);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(60);
    expect(locked.text).toContain('Too many wrong tokens');
    const api = await fetch(`${base}/api/runs`, { headers: bearer() });
    expect(api.status).toBe(429);
    expect(api.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await api.json()) as { error: string }).error).toMatch(
      /^too many wrong tokens from your address: sign-in is locked, try again in \d+ s$/,
    );

    const refusals = lines.filter((l) => l.startsWith('refused a sign-in from '));
    expect(refusals).toHaveLength(5);
    // The form takes no name any more (the operator is the token's): a refusal names the address only.
    expect(refusals[0]).toBe('refused a sign-in from 127.0.0.1: wrong token');
    expect(lines).toContain('locked sign-ins from 127.0.0.1 for 60 s after 5 wrong tokens within a minute');
    expect(lines.join('\n')).not.toContain('wrong-guess-');
  });

  it('past the limit of wrong tokens from all addresses, locks an address at its first wrong token, never one that has not failed', async () => {
    const lines: string[] = [];
    const base = (
      await startConsole({ CONSOLE_SIGNIN_FAILURES_PER_MINUTE: 1_000, CONSOLE_SIGNIN_GLOBAL_FAILURES_PER_MINUTE: 8 }, (line) =>
        lines.push(line),
      )
    ).url;
    const guess = (from: string, i: number) => request(base, '/api/runs', { from, headers: { Authorization: `Bearer guess-${i}` } });
    for (let i = 0; i < 8; i += 1) expect((await guess('127.0.0.1', i)).status).toBe(401);
    expect((await guess('127.0.0.1', 8)).status).toBe(429);
    // Another address that has not failed: the right token works, and one wrong token locks it.
    expect((await request(base, '/api/runs', { from: '127.0.0.2', headers: bearer() })).status).toBe(200);
    expect((await guess('127.0.0.3', 9)).status).toBe(401);
    expect((await guess('127.0.0.3', 10)).status).toBe(429);
    expect(lines).toContain(
      '8 wrong tokens within a minute from all addresses: each address is locked at its first (addresses without one are not)',
    );
    expect(lines).toContain(
      'locked sign-ins from 127.0.0.3 for 60 s after 1 wrong token within a minute, while many come from all addresses',
    );
  });
});
