import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeliveryLedger } from '../../src/delivery-ledger';

describe('DeliveryLedger (real SQLite file)', () => {
  let dir: string;
  let file: string;
  let ledger: DeliveryLedger;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'overture-ledger-'));
    file = path.join(dir, 'data', 'overture.db');
    ledger = new DeliveryLedger(file);
  });

  afterAll(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends once per key: the second call returns the first receipt without sending', async () => {
    const send = jest.fn(async () => '<first@overture.local>');
    const second = jest.fn(async () => '<second@overture.local>');

    const a = await ledger.deliverOnce('wf-1/run-1/sendWelcomeEmail', 'email', send);
    const b = await ledger.deliverOnce('wf-1/run-1/sendWelcomeEmail', 'email', second);

    expect(a).toEqual({ receipt: '<first@overture.local>', alreadyDelivered: false });
    expect(b).toEqual({ receipt: '<first@overture.local>', alreadyDelivered: true });
    expect(send).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    expect(ledger.count('email', 'wf-1/run-1/')).toBe(1);
  });

  it('delivers one key once per channel: a notice goes by email and by webhook', async () => {
    const byWebhook = jest.fn(async () => 'webhook-receipt');
    const byEmail = jest.fn(async () => '<notice@overture.local>');

    await ledger.deliverOnce('wf-9/run-1/notice/createWorkspace#1:notice', 'webhook', byWebhook);
    const email = await ledger.deliverOnce('wf-9/run-1/notice/createWorkspace#1:notice', 'email', byEmail);

    expect(email).toEqual({ receipt: '<notice@overture.local>', alreadyDelivered: false });
    expect(byEmail).toHaveBeenCalledTimes(1);
    expect(ledger.count('email', 'wf-9/')).toBe(1);
    expect(ledger.count('webhook', 'wf-9/')).toBe(1);
  });

  it('counts by literal key prefix: _ and % in employee ids are not wildcards', async () => {
    await ledger.deliverOnce('onboarding-E_1/run/notifyTeam', 'webhook', async () => 'r');
    await ledger.deliverOnce('onboarding-EX1/run/notifyTeam', 'webhook', async () => 'r');
    expect(ledger.count('webhook', 'onboarding-E_1/')).toBe(1);
  });

  it('keeps different keys apart', async () => {
    const send = jest.fn(async () => 'receipt');

    await ledger.deliverOnce('wf-2/run-1/notifyTeam', 'webhook', send);
    await ledger.deliverOnce('wf-2/run-2/notifyTeam', 'webhook', send);

    expect(send).toHaveBeenCalledTimes(2);
    expect(ledger.count('webhook', 'wf-2/')).toBe(2);
    expect(ledger.count('email', 'wf-2/')).toBe(0);
  });

  it('records nothing when send throws, so the next call sends', async () => {
    const key = 'wf-3/run-1/sendWelcomeEmail';
    const failing = jest.fn(async (): Promise<string> => {
      throw new Error('connection refused');
    });

    await expect(ledger.deliverOnce(key, 'email', failing)).rejects.toThrow('connection refused');
    expect(ledger.count('email', key)).toBe(0);

    const retry = jest.fn(async () => '<retry@overture.local>');
    await expect(ledger.deliverOnce(key, 'email', retry)).resolves.toEqual({ receipt: '<retry@overture.local>', alreadyDelivered: false });
    expect(retry).toHaveBeenCalledTimes(1);
    expect(ledger.count('email', key)).toBe(1);
  });

  it('survives reopening the file (a restarted worker still knows what was sent)', async () => {
    const key = 'wf-4/run-1/notifyTeam';
    await ledger.deliverOnce(key, 'webhook', async () => 'hook-receipt');

    const reopened = new DeliveryLedger(file);
    try {
      const send = jest.fn(async () => 'other-receipt');
      await expect(reopened.deliverOnce(key, 'webhook', send)).resolves.toEqual({ receipt: 'hook-receipt', alreadyDelivered: true });
      expect(send).not.toHaveBeenCalled();
      expect(reopened.count('webhook', key)).toBe(1);
    } finally {
      reopened.close();
    }
  });

  it('survives closing every connection and opening the file afresh', async () => {
    const key = 'wf-5/run-1/sendWelcomeEmail';
    await ledger.deliverOnce(key, 'email', async () => 'mail-receipt');
    ledger.close();

    ledger = new DeliveryLedger(file);
    const send = jest.fn(async () => 'again');
    await expect(ledger.deliverOnce(key, 'email', send)).resolves.toEqual({ receipt: 'mail-receipt', alreadyDelivered: true });
    expect(send).not.toHaveBeenCalled();
  });
});
