/**
 * The warehouse the pipeline's settings chose: PostgreSQL at WAREHOUSE_URL (migrated on open, shared by every worker
 * host), else this host's SQLite file. The PostgreSQL warehouse (and `pg`) is required only when the URL asks for it;
 * `require`, as src/stores/open.ts explains.
 */
import type * as PostgresWarehouseModule from './postgres-warehouse';
import type { PipelineSettings } from './settings';
import { SqliteWarehouse } from './sqlite-warehouse';
import type { Warehouse } from './warehouse-store';

/** Opens the configured warehouse: PostgreSQL at WAREHOUSE_URL, else the SQLite file. */
export async function openWarehouse(
  pipeline: Pick<PipelineSettings, 'warehouseUrl' | 'warehouseDbPath'>,
  log?: (line: string) => void,
): Promise<Warehouse> {
  if (!pipeline.warehouseUrl) return new SqliteWarehouse(pipeline.warehouseDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresWarehouse } = require('./postgres-warehouse') as typeof PostgresWarehouseModule;
  return PostgresWarehouse.open(pipeline.warehouseUrl, { log });
}
