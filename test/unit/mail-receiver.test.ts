import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { startMailReceiver, type MailReceiver } from '../../src/tools/dev-stack/mail-receiver';

describe('mail receiver', () => {
  let receiver: MailReceiver;
  let mailDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    mailDir = await mkdtemp(path.join(os.tmpdir(), 'overture-mail-'));
    receiver = await startMailReceiver({ port: 0, mailDir, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await receiver.stop();
    await rm(mailDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    receiver.clear();
    receiver.rejectRecipients(undefined, 550);
    lines.length = 0;
  });

  const send = (to: string, subject = 'Welcome to Overture') =>
    createTransport({ url: receiver.url, ignoreTLS: true }).sendMail({
      from: 'Onboarding <onboarding@overture.local>',
      to,
      subject,
      text: 'Hello Ada, your first day starts Monday.',
      html: '<p>Hello Ada, your first day starts <b>Monday</b>.</p>',
    });

  it('listens on a random port and exposes an smtp:// url', () => {
    expect(receiver.port).toBeGreaterThan(0);
    expect(receiver.url).toBe(`smtp://127.0.0.1:${receiver.port}`);
  });

  it('receives and parses a real message', async () => {
    const info = await send('ada@example.com');
    const mail = await receiver.waitFor((m) => m.to.includes('ada@example.com'));

    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.from).toBe('onboarding@overture.local');
    expect(mail.subject).toBe('Welcome to Overture');
    expect(mail.text.trim()).toBe('Hello Ada, your first day starts Monday.');
    expect(mail.html).toContain('<b>Monday</b>');
    expect(mail.messageId).toBe(info.messageId);
    expect(mail.raw).toContain('Subject: Welcome to Overture');
    expect(receiver.messages()).toHaveLength(1);
  });

  it('logs one line per message without personal data', async () => {
    await send('ada@example.com', 'Secret subject');
    await receiver.waitFor(() => true);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mail received \(id \S+, 1 recipient\)$/);
    expect(lines[0]).not.toMatch(/ada|example|Secret/);
  });

  it('writes each message to mailDir as <id>.eml', async () => {
    await send('grace@example.com');
    const mail = await receiver.waitFor((m) => m.to.includes('grace@example.com'));

    expect(await readdir(mailDir)).toContain(`${mail.id}.eml`);
    expect(await readFile(path.join(mailDir, `${mail.id}.eml`), 'utf8')).toBe(mail.raw);
  });

  it('rejects matching recipients permanently with 550', async () => {
    receiver.rejectRecipients(/bad@/, 550);

    await expect(send('bad@example.com')).rejects.toMatchObject({ responseCode: 550 });
    expect(receiver.messages()).toHaveLength(0);
  });

  it('rejects matching recipients transiently with 451', async () => {
    receiver.rejectRecipients(/bad@/, 451);

    await expect(send('bad@example.com')).rejects.toMatchObject({ responseCode: 451 });
    await send('good@example.com');
    expect(receiver.messages().map((m) => m.to)).toEqual([['good@example.com']]);
  });

  it('accepts everyone again once rejection is cleared', async () => {
    receiver.rejectRecipients(/bad@/, 550);
    receiver.rejectRecipients(undefined, 550);

    await send('bad@example.com');
    expect(receiver.messages()).toHaveLength(1);
  });

  it('waitFor times out with a clear error', async () => {
    await expect(receiver.waitFor(() => false, 50)).rejects.toThrow(/no matching message within 50 ms/);
  });
});
