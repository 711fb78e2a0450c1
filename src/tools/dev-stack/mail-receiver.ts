/**
 * A local SMTP server that stands in for a real mail relay: it accepts every message, keeps it in
 * memory (and optionally as .eml files), and can be told to refuse recipients so tests can
 * exercise permanent (5xx) and transient (4xx) delivery failures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import path from 'node:path';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { simpleParser } from 'mailparser';

/** One message as the receiver saw it: envelope recipients plus the parsed content. */
export interface ReceivedMail {
  id: string;
  messageId?: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  receivedAt: string;
  raw: string;
}

/** Options for {@link startMailReceiver}. */
export interface MailReceiverOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** When set, each message is also written there as `<id>.eml`. */
  mailDir?: string;
  log?: (line: string) => void;
}

/** Handle on a running mail receiver. */
export interface MailReceiver {
  port: number;
  url: string;
  /** The listening socket server (for supervision: `npm start` listens again if it closes unasked). */
  server: Server;
  messages(): ReceivedMail[];
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  rejectRecipients(pattern: RegExp | undefined, code: number): void;
  /** Holds each new connection this long before greeting it (a slow relay): nothing is accepted meanwhile. */
  delayGreeting(ms: number): void;
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** Error carrying the SMTP reply code smtp-server should send back. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the SMTP receiver and resolves once it is listening. */
export async function startMailReceiver(opts: MailReceiverOptions = {}): Promise<MailReceiver> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const mails: ReceivedMail[] = [];
  const waiters = new Set<(m: ReceivedMail) => void>();
  let rejection: { pattern: RegExp; code: number } | undefined;
  let greetingDelayMs = 0;
  let seq = 0;

  if (opts.mailDir) await mkdir(opts.mailDir, { recursive: true });

  const accept = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> => {
    const rawBuf = await readAll(stream);
    if (stream.sizeExceeded) throw smtpError(552, 'Message exceeds fixed maximum message size');
    const parsed = await simpleParser(rawBuf);
    const receivedAt = new Date();
    // A time prefix keeps ids unique across restarts that reuse the same mailDir.
    const id = `${receivedAt.getTime()}-${++seq}`;
    const mailFrom = session.envelope.mailFrom;
    const mail: ReceivedMail = {
      id,
      messageId: parsed.messageId,
      from: mailFrom ? mailFrom.address : (parsed.from?.value[0]?.address ?? ''),
      to: session.envelope.rcptTo.map((r) => r.address),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : undefined,
      receivedAt: receivedAt.toISOString(),
      raw: rawBuf.toString('utf8'),
    };
    // Persist before acknowledging DATA, so "accepted" always means "on disk" when mailDir is set.
    if (opts.mailDir) await writeFile(path.join(opts.mailDir, `${id}.eml`), rawBuf);
    mails.push(mail);
    const n = mail.to.length;
    log(`mail received (id ${id}, ${n} recipient${n === 1 ? '' : 's'})`);
    for (const notify of [...waiters]) notify(mail);
  };

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    // Clients configured with credentials must still get through in plain text: accept any login.
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) => cb(null, { user: auth.username ?? 'dev' }),
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    // smtp-server's own logger would print addresses; our log line is the only output.
    logger: false,
    onConnect(_session: SMTPServerSession, cb: (err?: Error | null) => void) {
      if (greetingDelayMs > 0) setTimeout(() => cb(), greetingDelayMs);
      else cb();
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) {
      if (rejection) {
        rejection.pattern.lastIndex = 0; // a /g or /y pattern would otherwise alternate results
        if (rejection.pattern.test(address.address)) {
          const { code } = rejection;
          return cb(smtpError(code, code >= 500 ? 'Mailbox unavailable' : 'Mailbox temporarily unavailable, try again later'));
        }
      }
      cb();
    },
    onData(stream, session, cb) {
      accept(stream, session).then(
        () => cb(),
        (err: unknown) => {
          stream.resume(); // drain so the connection can carry on with the next command
          const e = err as Error & { responseCode?: number };
          cb(e.responseCode ? e : smtpError(451, 'Local error in processing'));
        },
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Later socket errors must not crash the host process; they only concern one client.
  server.on('error', (err) => log(`mail receiver error: ${err.message}`));

  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url: `smtp://${host}:${port}`,
    server: server.server,
    messages: () => [...mails],
    clear: () => {
      mails.length = 0;
    },
    rejectRecipients: (pattern, code) => {
      rejection = pattern ? { pattern, code } : undefined;
    },
    delayGreeting: (ms) => {
      greetingDelayMs = ms;
    },
    waitFor: (predicate, timeoutMs = 5_000) => {
      const existing = mails.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const onMail = (m: ReceivedMail) => {
          if (!predicate(m)) return;
          clearTimeout(timer);
          waiters.delete(onMail);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(onMail);
          reject(new Error(`mail receiver: no matching message within ${timeoutMs} ms (${mails.length} received)`));
        }, timeoutMs);
        waiters.add(onMail);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() otherwise waits up to 30 s for idle clients (e.g. pooled transports) to quit.
        for (const conn of server.connections) conn.close();
      }),
  };
}
