/**
 * The configured KPI projection: PostgreSQL at KPIS_URL (migrated first), else this host's kpis.db in the data
 * directory. PostgreSQL's module (and `pg`) is loaded only when KPIS_URL asks for it (see src/stores/open.ts).
 */
import type { OvertureConfig } from '../../config/platform';
import { redactUrl } from '../../config/redact-url';
import type * as PostgresKpisModule from './postgres-kpis';
import { SqliteKpiStore } from './sqlite-kpis';
import type { KpiStore } from './store';

type KpiConfig = Pick<OvertureConfig, 'KPIS_URL' | 'kpisDbPath'>;

/** Opens the configured projection. */
export async function openKpiStore(config: KpiConfig, log?: (line: string) => void): Promise<KpiStore> {
  if (!config.KPIS_URL) return new SqliteKpiStore(config.kpisDbPath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresKpiStore } = require('./postgres-kpis') as typeof PostgresKpisModule;
  return PostgresKpiStore.open(config.KPIS_URL, { log });
}

/** Where the projection is, for start-up lines (password redacted). */
export function describeKpiStore(config: KpiConfig): string {
  return config.KPIS_URL ? `PostgreSQL ${redactUrl(config.KPIS_URL)}` : `SQLite ${config.kpisDbPath}`;
}
