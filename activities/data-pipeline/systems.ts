/**
 * The data pipeline's systems for a worker, from configuration: the inbox folder (created if missing, so files
 * can be dropped in at once), the staging folder, the SQLite warehouse, and the team webhook (through the
 * delivery ledger the worker shares).
 */
import fs from 'node:fs';
import { createPipelineActivities } from './';
import type { OvertureConfig } from '../../src/config';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import type { SystemGuard } from '../kit/system-guard';
import { SqliteWarehouse } from './sqlite-warehouse';

/** Opens the warehouse and binds the pipeline's activities; `close` releases the warehouse. */
export function connectPipelineSystems(config: OvertureConfig, shared: { ledger: DeliveryLedger; guard?: SystemGuard }) {
  fs.mkdirSync(config.pipelineInboxDir, { recursive: true });
  fs.mkdirSync(config.pipelineStagingDir, { recursive: true });
  const warehouse = new SqliteWarehouse(config.warehouseDbPath);
  const activities = createPipelineActivities({
    inboxDir: config.pipelineInboxDir,
    stagingDir: config.pipelineStagingDir,
    warehouse,
    chat: { webhookUrl: config.webhookUrl, ledger: shared.ledger, guard: shared.guard },
  });
  return { warehouse, activities, close: () => warehouse.close() };
}
