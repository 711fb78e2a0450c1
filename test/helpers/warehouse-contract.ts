/**
 * What every Warehouse promises, as one suite run against each real store (SQLite file, PostgreSQL): a batch loaded
 * once (also by two connections at the same moment, as two hosts would), rows keyed by batch, a load undone only by
 * the run that made it, and the loadBatch activity retried after a lost reply loading once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { datasetNamed } from '../../activities/data-pipeline/datasets';
import { createWarehouseActivities } from '../../activities/data-pipeline/warehouse';
import type { Warehouse } from '../../activities/data-pipeline/warehouse-store';
import { activityEnvFor } from './activity-env';

const orders = datasetNamed('orders');
const row = (id: string, customer = 'C1'): string[] => [id, customer, '2026-11-01', '2026-11', '1299', 'EUR', 'DE'];

/** One warehouse under test. */
export interface WarehouseUnderTest {
  warehouse: Warehouse;
  /** A second instance on the same warehouse (another process or host). */
  openAnother(): Promise<Warehouse>;
  close(): Promise<void>;
}

/** Declares the warehouse contract's tests; `open` is called once for the suite, each test uses batch ids of its own. */
export function describeWarehouseContract(name: string, open: () => Promise<WarehouseUnderTest>, setupTimeoutMs = 5_000): void {
  describe(name, () => {
    let store: WarehouseUnderTest;
    let warehouse: Warehouse;
    let dir: string;
    const prefix = `orders/${Date.now().toString(36)}`;

    beforeAll(async () => {
      store = await open();
      warehouse = store.warehouse;
      dir = mkdtempSync(path.join(os.tmpdir(), 'warehouse-contract-'));
    }, setupTimeoutMs);

    afterAll(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('loads a batch once: a second load, by the same run or another, keeps one copy and reads no rows', async () => {
      const batchId = `${prefix}/once`;
      const rows = [row('A1'), row('A2'), row('A3')];
      const first = await warehouse.loadBatch(orders, { batchId, batchDate: '2026-11-01', loadId: 'run-a/load' }, () => rows);
      expect(first).toEqual({ rowsInBatch: 3, inserted: 3 });
      let readAgain = false;
      const second = await warehouse.loadBatch(orders, { batchId, loadId: 'run-b/load' }, () => {
        readAgain = true;
        return rows;
      });
      expect(second).toMatchObject({
        rowsInBatch: 3,
        inserted: 0,
        alreadyLoaded: { loadId: 'run-a/load', rows: 3, batchDate: '2026-11-01' },
      });
      expect(readAgain).toBe(false);
      expect(await warehouse.rowCount(orders, batchId)).toBe(3);
    });

    it('loads once when two connections (two hosts) load the same batch at the same moment', async () => {
      const other = await store.openAnother();
      try {
        const batchId = `${prefix}/race`;
        const rows = Array.from({ length: 1_200 }, (_, i) => row(`R${i}`));
        const outcomes = await Promise.all([
          warehouse.loadBatch(orders, { batchId, loadId: 'host-a/load' }, () => rows),
          other.loadBatch(orders, { batchId, loadId: 'host-b/load' }, () => rows),
        ]);
        expect(outcomes.map((o) => o.inserted).sort((a, b) => a - b)).toEqual([0, 1_200]);
        expect(outcomes.map((o) => o.rowsInBatch)).toEqual([1_200, 1_200]);
        expect(outcomes.filter((o) => o.alreadyLoaded)).toHaveLength(1);
        expect(await warehouse.rowCount(orders, batchId)).toBe(1_200);
        expect((await warehouse.loadedBatch(batchId))?.rows).toBe(1_200);
      } finally {
        await other.close();
      }
    });

    it('keys rows by batch: the same order id in another batch is another row, a repeat within a batch is one', async () => {
      await warehouse.loadBatch(orders, { batchId: `${prefix}/a`, loadId: 'l1' }, () => [row('X'), row('X')]);
      await warehouse.loadBatch(orders, { batchId: `${prefix}/b`, loadId: 'l2' }, () => [row('X')]);
      expect(await warehouse.rowCount(orders, `${prefix}/a`)).toBe(1);
      expect(await warehouse.rowCount(orders, `${prefix}/b`)).toBe(1);
    });

    it('undoes only its own load, and counts empty key columns', async () => {
      const batchId = `${prefix}/c`;
      await warehouse.loadBatch(orders, { batchId, loadId: 'run-a/load' }, () => [row('A1'), row('A2', ' ')]);
      expect(await warehouse.emptyKeyCount(orders, batchId)).toBe(1);
      expect(await warehouse.unloadBatch(orders, batchId, 'run-b/load')).toEqual({ removed: 0 });
      expect(await warehouse.rowCount(orders, batchId)).toBe(2);
      expect(await warehouse.unloadBatch(orders, batchId, 'run-a/load')).toEqual({ removed: 2 });
      expect(await warehouse.loadedBatch(batchId)).toBeUndefined();
      expect(await warehouse.rowCount(orders, batchId)).toBe(0);
    });

    it('loadBatch, the activity, run twice for one batch (a retry after a lost reply) loads it once', async () => {
      const staging = path.join(dir, 'staging');
      mkdirSync(staging, { recursive: true });
      const file = path.join(staging, 'part-0000.csv');
      writeFileSync(
        file,
        `${orders.table.columns.map((c) => c.name).join(',')}\n${[row('A1'), row('A2')].map((r) => r.join(',')).join('\n')}\n`,
      );
      const { loadBatch } = createWarehouseActivities({ warehouse, stagingDir: staging });
      const input = { dataset: 'orders', batchId: `${prefix}/d`, files: [file] };
      const first = await activityEnvFor('pipeline-orders-d', 1).runActivity(loadBatch, input);
      const retried = await activityEnvFor('pipeline-orders-d', 2).runActivity(loadBatch, input);
      expect(first.output).toEqual({ rowsInBatch: 2, inserted: 2, alreadyLoadedBy: '' });
      expect(retried.output).toEqual({ rowsInBatch: 2, inserted: 0, alreadyLoadedBy: 'pipeline-orders-d/run-1/load' });
      expect(await warehouse.rowCount(orders, `${prefix}/d`)).toBe(2);
    });
  });
}
