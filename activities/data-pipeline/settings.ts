/** The data pipeline's own settings: where source files are dropped, where runs stage their files, the warehouse. */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';

export const settings = defineSettings(
  { PIPELINE_INBOX_DIR: z.string().optional(), PIPELINE_STAGING_DIR: z.string().optional(), WAREHOUSE_DB_PATH: z.string().optional() },
  (raw, config) => ({
    /** Where source files for the data pipeline are dropped; an inbox file must resolve inside it. */
    inboxDir: path.resolve(raw.PIPELINE_INBOX_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'inbox')),
    /** The pipeline's working files: one folder per run (source copy, partitions, rejects). */
    stagingDir: path.resolve(raw.PIPELINE_STAGING_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'pipeline')),
    /** The warehouse (SQLite). */
    warehouseDbPath: path.resolve(raw.WAREHOUSE_DB_PATH ?? path.join(config.OVERTURE_DATA_DIR, 'warehouse.db')),
  }),
);

export type PipelineSettings = ReturnType<typeof settings.of>;
