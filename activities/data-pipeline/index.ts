/**
 * The data pipeline's worker part: its activities against the inbox (created if missing, so files can be dropped
 * in at once), the staging folder, the warehouse (opened here) and the team chat the worker shares.
 */
import fs from 'node:fs';
import { defineWorker } from '../kit/process-worker';
import { createPipelineActivities } from './activities';
import { settings } from './settings';
import { SqliteWarehouse } from './sqlite-warehouse';

export const worker = defineWorker({
  connect(systems) {
    const pipeline = settings.of(systems.config);
    fs.mkdirSync(pipeline.inboxDir, { recursive: true });
    fs.mkdirSync(pipeline.stagingDir, { recursive: true });
    const warehouse = new SqliteWarehouse(pipeline.warehouseDbPath);
    const activities = createPipelineActivities({
      inboxDir: pipeline.inboxDir,
      stagingDir: pipeline.stagingDir,
      warehouse,
      chat: systems.chat,
      sourceHosts: pipeline.sourceHosts,
      sourceLimits: pipeline.sourceLimits,
    });
    return { activities, close: () => warehouse.close() };
  },
});
