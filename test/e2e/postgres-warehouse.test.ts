/**
 * The pipeline's warehouse on a real PostgreSQL (WAREHOUSE_URL) against the warehouse contract every store keeps
 * (test/helpers/warehouse-contract.ts; SqliteWarehouse runs the same suite). The database does not exist before:
 * opening the warehouse creates and migrates it.
 */
import { PostgresWarehouse } from '../../activities/data-pipeline/postgres-warehouse';
import { describeWarehouseContract } from '../helpers/warehouse-contract';
import { startTestPostgres } from '../helpers/private-postgres';

describeWarehouseContract(
  'PostgresWarehouse (real PostgreSQL)',
  async () => {
    const server = await startTestPostgres();
    const url = server.urlFor('overture_warehouse');
    const warehouse = await PostgresWarehouse.open(url);
    return {
      warehouse,
      openAnother: () => PostgresWarehouse.open(url),
      close: async () => {
        await warehouse.close();
        await server.stop();
      },
    };
  },
  60_000,
);
