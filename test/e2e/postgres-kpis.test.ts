/**
 * The KPI projection on a real PostgreSQL (KPIS_URL): the contract every projection keeps (idempotent upserts that
 * never go back, the same KPIs as SQLite from the same SQL), and KPIS_URL choosing it, migrated once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openKpiStore } from '../../src/stores/kpis/open';
import { PostgresKpiStore } from '../../src/stores/kpis/postgres-kpis';
import { SqliteKpiStore } from '../../src/stores/kpis/sqlite-kpis';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { describeKpiStoreContract } from '../helpers/kpi-store-contract';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 60_000);
afterAll(async () => pg?.stop());

describeKpiStoreContract('PostgresKpiStore', async () => PostgresKpiStore.open(pg.urlFor('overture_kpis')), 60_000);

it('opens PostgreSQL at KPIS_URL, migrated once by two workers at once, and unset keeps kpis.db', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpis-url-'));
  const url = pg.urlFor('overture_kpis_opened');
  const stores = await Promise.all([
    openKpiStore(loadConfig({ OVERTURE_DATA_DIR: dir, KPIS_URL: url })),
    openKpiStore(loadConfig({ OVERTURE_DATA_DIR: dir, KPIS_URL: url })),
  ]);
  await Promise.all(stores.map((s) => s.close()));
  expect(stores[0]).toBeInstanceOf(PostgresKpiStore);
  const applied = await pg.query<{ name: string }>('overture_kpis_opened', 'SELECT name FROM overture_migrations');
  expect(applied.map((r) => r.name)).toEqual(['001_kpi_projection.sql']);
  const local = await openKpiStore(loadConfig({ OVERTURE_DATA_DIR: dir }));
  await local.close();
  expect(local).toBeInstanceOf(SqliteKpiStore);
  expect(fs.existsSync(path.join(dir, 'kpis.db'))).toBe(true);
}, 60_000);
