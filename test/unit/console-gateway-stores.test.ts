/**
 * The SQLite operators, used approval links and event receipts against the contract every store keeps
 * (../helpers/console-gateway-stores-contract.ts), with two connections to one file standing for two processes;
 * test/e2e/postgres-console-gateway-stores.test.ts runs the same cases on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperatorStore } from '../../src/stores/operators/store';
import { UsedLinks } from '../../src/stores/approval-links/used-links';
import { EventReceipts } from '../../src/stores/event-receipts/sqlite-receipts';
import {
  describeEventReceiptsContract,
  describeOperatorsContract,
  describeUsedLinksContract,
  TEST_CLAIM_LEASE_MS,
  type TwoHosts,
} from '../helpers/console-gateway-stores-contract';

/** Two stores on one fresh file, closed (and the file removed) together. */
function onOneFile<T extends { close(): void }>(file: string, make: (file: string) => T): Promise<TwoHosts<T>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-gateway-stores-'));
  const [a, b] = [make(path.join(dir, file)), make(path.join(dir, file))];
  return Promise.resolve({
    a,
    b,
    close: async () => {
      a.close();
      b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

describeOperatorsContract('OperatorStore: two connections to one SQLite file', () =>
  onOneFile('operators.db', (f) => new OperatorStore(f)),
);
describeUsedLinksContract('UsedLinks: two connections to one SQLite file', () => onOneFile('approval-links.db', (f) => new UsedLinks(f)));
describeEventReceiptsContract('EventReceipts: two connections to one SQLite file', () =>
  onOneFile('events.db', (f) => new EventReceipts(f, TEST_CLAIM_LEASE_MS)),
);
