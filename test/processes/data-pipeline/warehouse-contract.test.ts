/**
 * The SQLite warehouse on a real database file against the warehouse contract every store keeps
 * (test/helpers/warehouse-contract.ts; the PostgreSQL warehouse runs the same suite in test/e2e).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteWarehouse } from '../../../activities/data-pipeline/sqlite-warehouse';
import { describeWarehouseContract } from '../../helpers/warehouse-contract';

describeWarehouseContract('SqliteWarehouse', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-warehouse-'));
  const file = path.join(dir, 'warehouse.db');
  const warehouse = new SqliteWarehouse(file);
  return {
    warehouse,
    openAnother: async () => new SqliteWarehouse(file),
    close: async () => {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
