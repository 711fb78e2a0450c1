/**
 * The data pipeline's own settings: where source files are dropped, where runs stage their files, the warehouse,
 * the hosts each dataset's URL sources may be on, and the bounds on a source.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';
import { sharedStoreUrl, urlOrFile } from '../kit/shared-store-url';
import { DATASET_NAMES } from './datasets';
import { parseSourceHosts } from './source-hosts';
import { SOURCE_LIMITS } from './source-limits';

const bound = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** `dataset=host[:port]` entries, comma-separated; none by default: no URL source is fetched until one is allowed. */
const sourceHosts = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const entries = text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    try {
      return parseSourceHosts(entries, DATASET_NAMES);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const settings = defineSettings(
  {
    PIPELINE_INBOX_DIR: z.string().optional(),
    PIPELINE_STAGING_DIR: z.string().optional(),
    WAREHOUSE_DB_PATH: z.string().optional(),
    // The warehouse on PostgreSQL: one warehouse for every worker host.
    WAREHOUSE_URL: sharedStoreUrl,
    PIPELINE_SOURCE_HOSTS: sourceHosts,
    PIPELINE_SOURCE_MAX_BYTES: bound(1, Number.MAX_SAFE_INTEGER, SOURCE_LIMITS.maxBytes),
    PIPELINE_SOURCE_TIMEOUT_MS: bound(1_000, 29 * 60_000, SOURCE_LIMITS.downloadTimeoutMs),
    PIPELINE_MAX_LINE_BYTES: bound(256, 64 * 1024 * 1024, SOURCE_LIMITS.maxLineBytes),
    PIPELINE_MAX_COLUMNS: bound(1, 100_000, SOURCE_LIMITS.maxColumns),
  },
  (raw, config) => ({
    /** Where source files for the data pipeline are dropped; an inbox file must resolve inside it. */
    inboxDir: path.resolve(raw.PIPELINE_INBOX_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'inbox')),
    /** The pipeline's working files: one folder per run (source copy, partitions, rejects). */
    stagingDir: path.resolve(raw.PIPELINE_STAGING_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'pipeline')),
    /** The warehouse on PostgreSQL, shared by every host; unset: the SQLite file at warehouseDbPath. */
    warehouseUrl: urlOrFile(
      { url: 'WAREHOUSE_URL', file: 'WAREHOUSE_DB_PATH', store: 'the warehouse' },
      raw.WAREHOUSE_URL,
      raw.WAREHOUSE_DB_PATH,
    ),
    /** The warehouse (SQLite), when WAREHOUSE_URL is unset. */
    warehouseDbPath: path.resolve(raw.WAREHOUSE_DB_PATH ?? path.join(config.OVERTURE_DATA_DIR, 'warehouse.db')),
    /** The hosts (`host` or `host:port`) each dataset's URL sources may be on. */
    sourceHosts: raw.PIPELINE_SOURCE_HOSTS,
    /** Bounds on a source file or download. */
    sourceLimits: {
      ...SOURCE_LIMITS,
      maxBytes: raw.PIPELINE_SOURCE_MAX_BYTES,
      downloadTimeoutMs: raw.PIPELINE_SOURCE_TIMEOUT_MS,
      maxLineBytes: raw.PIPELINE_MAX_LINE_BYTES,
      maxColumns: raw.PIPELINE_MAX_COLUMNS,
    },
  }),
);

export type PipelineSettings = ReturnType<typeof settings.of>;
