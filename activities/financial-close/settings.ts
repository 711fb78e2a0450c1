/**
 * The financial close's own settings: where the general ledger lives, the books it starts from, the banks'
 * statement exports, the exchange-rate source, and where statements are published. The defaults run on the
 * example data shipped in examples/financial-close/.
 */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';
import { sharedStoreUrl, urlOrFile } from '../kit/shared-store-url';

/** The example data shipped with the repository. */
const EXAMPLES_DIR = path.join(__dirname, '..', '..', 'examples', 'financial-close');

export const settings = defineSettings(
  {
    ACCOUNTING_DB_PATH: z.string().optional(),
    // The general ledger on PostgreSQL: one set of books for every worker host.
    ACCOUNTING_URL: sharedStoreUrl,
    ACCOUNTING_SEED: z.string().default(path.join(EXAMPLES_DIR, 'ledger.json')),
    BANK_STATEMENTS_DIR: z.string().default(path.join(EXAMPLES_DIR, 'bank')),
    RATES_SOURCE: z.string().default(path.join(EXAMPLES_DIR, 'rates-2026-10.json')),
    STATEMENTS_DIR: z.string().optional(),
  },
  (raw, config) => ({
    /** The general ledger on PostgreSQL, shared by every host; unset: the SQLite file at accountingDbPath. */
    accountingUrl: urlOrFile(
      { url: 'ACCOUNTING_URL', file: 'ACCOUNTING_DB_PATH', store: 'the general ledger' },
      raw.ACCOUNTING_URL,
      raw.ACCOUNTING_DB_PATH,
    ),
    /** The general ledger (SQLite), when ACCOUNTING_URL is unset. */
    accountingDbPath: path.resolve(raw.ACCOUNTING_DB_PATH ?? path.join(config.OVERTURE_DATA_DIR, 'accounting.db')),
    /** The books an empty ledger is loaded with (`none`: start empty). */
    seed: raw.ACCOUNTING_SEED,
    /** Holds `<entity>-<period>.csv` per entity and month. */
    bankStatementsDir: raw.BANK_STATEMENTS_DIR,
    /** The month's rates: a JSON file path or an http(s) URL. */
    ratesSource: raw.RATES_SOURCE,
    /** Statements are written to `<statementsDir>/<period>/`. */
    statementsDir: path.resolve(raw.STATEMENTS_DIR ?? path.join(config.OVERTURE_DATA_DIR, 'statements')),
  }),
);

export type CloseSettings = ReturnType<typeof settings.of>;
