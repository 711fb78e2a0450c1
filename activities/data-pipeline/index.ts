/**
 * The data pipeline's worker part: its activities against the inbox (created if missing, so files can be dropped
 * in at once), the staging folder, the warehouse (opened here: SQLite, or PostgreSQL at WAREHOUSE_URL) and the team
 * chat the worker shares.
 */
import fs from 'node:fs';
import { defineWorker } from '../kit/process-worker';
import { createPipelineActivities } from './activities';
import { settings } from './settings';
import { openWarehouse } from './open-warehouse';

export const worker = defineWorker({
  async connect(systems) {
    const pipeline = settings.of(systems.config);
    fs.mkdirSync(pipeline.inboxDir, { recursive: true });
    fs.mkdirSync(pipeline.stagingDir, { recursive: true });
    // PostgreSQL at WAREHOUSE_URL (one warehouse for every host), else this host's SQLite file.
    const warehouse = await openWarehouse(pipeline);
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
