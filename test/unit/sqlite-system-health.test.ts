/** The systems' health contract (test/helpers/system-health-contract.ts) on SQLite: two connections to one systems.db. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SystemHealthStore } from '../../src/stores/system-health/sqlite-health';
import { describeSystemHealthContract } from '../helpers/system-health-contract';

describeSystemHealthContract('SystemHealthStore (SQLite): two connections on one file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'systems-contract-'));
  const file = path.join(dir, 'systems.db');
  const a = new SystemHealthStore(file);
  const b = new SystemHealthStore(file);
  return {
    a,
    b,
    async close() {
      a.close();
      b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
