/**
 * `npm run db:migrate`: brings the shared stores' databases (LEDGER_URL, DIRECTORY_URL, SYSTEMS_URL, OPERATORS_URL,
 * APPROVAL_LINKS_URL, EVENT_RECEIPTS_URL, KPIS_URL, and the processes' ACCOUNTING_URL and WAREHOUSE_URL) to the schema of this
 * version, creating a missing database, before workers start (they migrate on start too; this lets a deploy do it
 * first and fail early). Nothing to do for the SQLite stores, which create their tables themselves.
 */
import { ConfigError, loadConfig } from '../../config';
import { migrate, type MigrationSet } from './migrate';
import { redactUrl } from '../../config/redact-url';
import { settings as closeSettings } from '../../../activities/financial-close/settings';
import { settings as pipelineSettings } from '../../../activities/data-pipeline/settings';

async function main(): Promise<void> {
  const config = loadConfig();
  const targets: Array<[MigrationSet, string | undefined]> = [
    ['ledger', config.LEDGER_URL],
    ['directory', config.DIRECTORY_URL],
    ['systems', config.SYSTEMS_URL],
    ['operators', config.OPERATORS_URL],
    ['approval-links', config.APPROVAL_LINKS_URL],
    ['event-receipts', config.EVENT_RECEIPTS_URL],
    ['kpis', config.KPIS_URL],
    // The processes' own shared stores, from their settings: the close's books, the pipeline's warehouse.
    ['books', closeSettings.of(config).accountingUrl],
    ['warehouse', pipelineSettings.of(config).warehouseUrl],
  ];
  const configured = targets.filter((t): t is [MigrationSet, string] => t[1] !== undefined);
  if (configured.length === 0) {
    throw new ConfigError(
      'none of LEDGER_URL, DIRECTORY_URL, SYSTEMS_URL, OPERATORS_URL, APPROVAL_LINKS_URL, EVENT_RECEIPTS_URL, KPIS_URL, ACCOUNTING_URL, WAREHOUSE_URL is set: every store is a SQLite file, which needs no migration',
    );
  }
  const log = (line: string) => console.log(line);
  for (const [set, url] of configured) {
    const applied = await migrate(url, set, { log });
    console.log(`${set} (${redactUrl(url)}): ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
