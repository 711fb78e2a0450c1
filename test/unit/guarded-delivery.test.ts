/**
 * A guarded delivery reports the system healthy only after the ledger holds the message's receipt: between the
 * relay's answer and the receipt a SIGKILL makes the retry send again, so the health record (a shared database
 * that can be busy) must not be waited on there. Real SQLite ledger and health store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deliverGuarded, SystemGuard } from '../../activities/kit/system-guard';
import { SqliteDeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { TransientError } from '../../activities/kit/errors';
import { SystemHealthStore } from '../../src/stores/system-health/sqlite-health';

let dir: string;
let ledger: SqliteDeliveryLedger;
let store: SystemHealthStore;
/** How many receipts of the key the ledger held at each success report. */
let receiptsAtSuccess: number[];

const KEY = 'onboarding-E1/run/sendWelcomeEmail';
const delivery = { key: KEY, channel: 'email' as const, options: {} };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guarded-'));
  ledger = new SqliteDeliveryLedger(path.join(dir, 'ledger.db'));
  store = new SystemHealthStore(path.join(dir, 'systems.db'));
  receiptsAtSuccess = [];
  const recordSuccess = store.recordSuccess.bind(store);
  store.recordSuccess = (system, now) => {
    receiptsAtSuccess.push(ledger.count('email', KEY));
    return recordSuccess(system, now);
  };
});
afterEach(() => {
  ledger.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const guard = () => new SystemGuard({ store, alertAfterMs: 60_000, alertBy: {}, log: () => undefined });

it('writes the receipt before it reports the system healthy, and reports nothing for a message already delivered', async () => {
  const sent = await deliverGuarded(ledger, guard(), 'email', delivery, async () => '<m1@overture.local>');
  expect(sent).toEqual({ receipt: '<m1@overture.local>', alreadyDelivered: false });
  expect(receiptsAtSuccess).toEqual([1]);

  const again = await deliverGuarded(ledger, guard(), 'email', delivery, async () => '<m2@overture.local>');
  expect(again).toEqual({ receipt: '<m1@overture.local>', alreadyDelivered: true });
  expect(receiptsAtSuccess).toEqual([1]);
});

it('reports a transient failure to the health store and no success, and leaves the key free for the retry', async () => {
  await expect(
    deliverGuarded(ledger, guard(), 'email', delivery, () => Promise.reject(new TransientError('relay unreachable'))),
  ).rejects.toThrow('relay unreachable');
  expect(store.currentOutage('email')?.failures).toBe(1);
  expect(receiptsAtSuccess).toEqual([]);
  expect(ledger.claimOf(KEY, 'email')).toBeUndefined();
});
