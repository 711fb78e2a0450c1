/**
 * The operator console under abuse by someone who reaches it, at the scale of issue 17, against real consoles over
 * real HTTP with the default limits: 110 wrong bearer tokens from 22 loopback addresses, a viewer signing in 1,001
 * times, one viewer's 13 sessions opening 104 event streams, 260 idle sockets from one address and 264 from 22.
 * Through each, an admin signed in beforehand keeps their session, API and event stream, and can still sign in.
 * Every 127.x address is the loopback interface; the console sees each as a client of its own.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { addOperator } from '../helpers/operators';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import { openStream, request, signIn, type Stream } from '../helpers/console-client';

jest.setTimeout(120_000);

let stack: TestStack;
let adminToken: string;
let viewerToken: string;
const consoles: RunningConsole[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  adminToken = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.admin', 'admin').token;
  viewerToken = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.viewer', 'viewer').token;
});
afterAll(async () => {
  for (const c of consoles) await c.stop();
  await stack?.stop();
});

/** A console with the default limits; its log lines go to `lines`. */
async function startConsole(lines: string[] = []): Promise<string> {
  const running = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: (line) => lines.push(line),
  });
  consoles.push(running);
  return running.url;
}

/** The admin, signed in from 127.0.0.1 with an event stream open, as before an attack. */
interface Admin {
  cookie: string;
  stream: Stream;
}

async function adminSignsIn(base: string): Promise<Admin> {
  const signedIn = await signIn(base, adminToken);
  expect(signedIn.status).toBe(303);
  const stream = await openStream(base, { Cookie: signedIn.cookie });
  expect(stream.status).toBe(200);
  await stream.frame('runs');
  return { cookie: signedIn.cookie, stream };
}

/** Resolves once the stream has sent another frame of the runs list (it sends one a second while it lives). */
async function nextRunsFrame(stream: Stream): Promise<void> {
  const seen = stream.frames('runs');
  await eventually(async () => (stream.frames('runs') > seen ? true : undefined), 5_000, 'another runs frame');
}

/** After an attack: the admin's session, API, stream, a new sign-in and a new stream all work. */
async function expectAdminStillWorks(base: string, admin: Admin): Promise<void> {
  const session = await request(base, '/api/session', { headers: { Cookie: admin.cookie } });
  expect(session.status).toBe(200);
  expect(JSON.parse(session.text)).toMatchObject({ operator: 'ops.admin', role: 'admin' });
  expect((await request(base, '/api/runs', { headers: { Cookie: admin.cookie } })).status).toBe(200);
  expect((await request(base, '/api/runs', { headers: { Authorization: `Bearer ${adminToken}` } })).status).toBe(200);
  expect(admin.stream.ended()).toBe(false);
  await nextRunsFrame(admin.stream);
  const again = await signIn(base, adminToken);
  expect(again.status).toBe(303);
  const stream = await openStream(base, { Cookie: again.cookie });
  try {
    expect(stream.status).toBe(200);
    await stream.frame('runs');
  } finally {
    stream.close();
  }
}

const wrongToken = () => `ovt_${randomBytes(32).toString('base64url')}`;

describe('the console under abuse', () => {
  it('110 wrong bearer tokens from 22 loopback addresses lock those addresses, not the admin nor a 23rd address', async () => {
    const lines: string[] = [];
    const base = await startConsole(lines);
    const admin = await adminSignsIn(base);
    try {
      const attackers = Array.from({ length: 22 }, (_, i) => `127.0.0.${i + 2}`);
      const statuses: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        const answers = await Promise.all(
          attackers.map((from) => request(base, '/api/runs', { from, headers: { Authorization: `Bearer ${wrongToken()}` } })),
        );
        statuses.push(...answers.map((a) => a.status));
      }
      expect(statuses).toHaveLength(110);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      // Each attacking address is locked: a 6th guess gets 429 unchecked.
      for (const from of attackers) {
        const locked = await request(base, '/api/runs', { from, headers: { Authorization: `Bearer ${wrongToken()}` } });
        expect(locked.status).toBe(429);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      }
      await expectAdminStillWorks(base, admin);
      expect(lines).toContain('locked sign-ins from 127.0.0.2 for 60 s after 5 wrong tokens within a minute');
      expect(lines.filter((l) => l.startsWith('locked every sign-in'))).toEqual([]);
      // A 23rd address, never seen: the admin's token works there, by bearer and by the sign-in form.
      expect((await request(base, '/api/runs', { from: '127.0.0.24', headers: { Authorization: `Bearer ${adminToken}` } })).status).toBe(
        200,
      );
      expect((await signIn(base, adminToken, { from: '127.0.0.24' })).status).toBe(303);
      // Even from a locked address, a token already proven on this console passes; guesses there still do not.
      expect((await request(base, '/api/runs', { from: '127.0.0.2', headers: { Authorization: `Bearer ${adminToken}` } })).status).toBe(
        200,
      );
      expect((await request(base, '/api/runs', { from: '127.0.0.2', headers: { Authorization: `Bearer ${wrongToken()}` } })).status).toBe(
        429,
      );
    } finally {
      admin.stream.close();
    }
  });

  it("a viewer signing in 1,001 times ends only the viewer's own oldest sessions, never the admin's", async () => {
    const base = await startConsole();
    const admin = await adminSignsIn(base);
    try {
      const cookies: string[] = [];
      for (let i = 0; i < 1_001; i += 25) {
        const batch = await Promise.all(Array.from({ length: Math.min(25, 1_001 - i) }, () => signIn(base, viewerToken)));
        expect(batch.map((b) => b.status)).toEqual(batch.map(() => 303));
        cookies.push(...batch.map((b) => b.cookie));
      }
      expect(cookies).toHaveLength(1_001);
      await expectAdminStillWorks(base, admin);
      // The viewer's newest session works; its first was ended to make room for its own later ones.
      expect((await request(base, '/api/session', { headers: { Cookie: cookies[cookies.length - 1]! } })).status).toBe(200);
      expect((await request(base, '/api/session', { headers: { Cookie: cookies[0]! } })).status).toBe(401);
    } finally {
      admin.stream.close();
    }
  });

  it("one viewer's 13 sessions opening 104 event streams hold at most the viewer's share; the admin streams on", async () => {
    const base = await startConsole();
    const admin = await adminSignsIn(base);
    const viewerStreams: Stream[] = [];
    try {
      for (let session = 0; session < 13; session += 1) {
        const { cookie } = await signIn(base, viewerToken, { from: '127.0.0.30' });
        for (let i = 0; i < 8; i += 1) viewerStreams.push(await openStream(base, { Cookie: cookie }, '', { from: '127.0.0.30' }));
      }
      expect(viewerStreams).toHaveLength(104);
      // The newest replace the oldest of the same operator; each replaced one is told so, then ended.
      await eventually(
        async () => (viewerStreams.filter((s) => !s.ended()).length <= 8 ? true : undefined),
        5_000,
        'viewer streams replaced',
      );
      const live = viewerStreams.filter((s) => !s.ended());
      expect(live.length).toBeGreaterThan(0);
      expect(viewerStreams[0]!.frames('replaced')).toBe(1);
      await expectAdminStillWorks(base, admin);
    } finally {
      admin.stream.close();
      for (const s of viewerStreams) s.close();
    }
  });

  /** Opens `count` sockets from `from` that send nothing; resolves once each is connected or already closed. */
  async function idleSockets(base: string, from: string, count: number): Promise<{ sockets: net.Socket[]; closed: () => number }> {
    const { hostname, port } = new URL(base);
    let closed = 0;
    const sockets = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect({ host: hostname, port: Number(port), localAddress: from });
            socket.on('error', () => undefined);
            socket.on('connect', () => resolve(socket));
            socket.on('close', () => {
              closed += 1;
              resolve(socket);
            });
          }),
      ),
    );
    return { sockets, closed: () => closed };
  }

  it('260 idle sockets from one address: the excess is closed at once and another address is served', async () => {
    const base = await startConsole();
    const admin = await adminSignsIn(base);
    const idle = await idleSockets(base, '127.0.0.50', 260);
    try {
      await expectAdminStillWorks(base, admin);
      // Past its share (32 by default) an address's sockets were closed at once, long before any timeout.
      expect(idle.closed()).toBeGreaterThanOrEqual(260 - 32);
    } finally {
      admin.stream.close();
      for (const s of idle.sockets) s.destroy();
    }
  });

  it('264 idle sockets from 22 addresses (12 each, past the 256 in total): a 23rd address is served', async () => {
    const base = await startConsole();
    const admin = await adminSignsIn(base);
    const idle = await Promise.all(Array.from({ length: 22 }, (_, i) => idleSockets(base, `127.0.0.${i + 60}`, 12)));
    try {
      await expectAdminStillWorks(base, admin);
      expect((await request(base, '/api/runs', { from: '127.0.0.90', headers: { Authorization: `Bearer ${adminToken}` } })).status).toBe(
        200,
      );
    } finally {
      admin.stream.close();
      for (const { sockets } of idle) for (const s of sockets) s.destroy();
    }
  });
});
