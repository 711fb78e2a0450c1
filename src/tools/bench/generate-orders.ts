/**
 * Writes example order files for the data pipeline: deterministic, N rows with an exact share of bad rows.
 *
 *   npx tsx src/tools/bench/generate-orders.ts --date 2026-11-01 --rows 100000 --bad 0.01 --out .data/inbox
 *   npx tsx src/tools/bench/generate-orders.ts --from 2026-11-01 --to 2026-11-07 --rows 5000 --out .data/inbox
 *
 * Each day's file is `<out>/orders-<date>.csv`, the name a scheduled or backfilled run reads.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeOrderFile } from '../../../activities/data-pipeline/order-generator';
import { daysBetween, inboxFileFor } from '../../../workflows/data-pipeline/batch';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      rows: { type: 'string', default: '1000' },
      bad: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: path.join('.data', 'inbox') },
    },
  });
  const days = values.date ? [values.date] : values.from && values.to ? daysBetween(values.from, values.to) : [];
  if (!days.length) throw new Error('give --date YYYY-MM-DD, or --from and --to');
  const rows = Number(values.rows);
  const badRatio = Number(values.bad);
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`--rows must be a whole number, got "${values.rows}"`);
  if (!(badRatio >= 0 && badRatio <= 1)) throw new Error(`--bad must be between 0 and 1, got "${values.bad}"`);
  mkdirSync(values.out, { recursive: true });
  for (const date of days) {
    const file = path.join(values.out, inboxFileFor('orders', date));
    const counts = await writeOrderFile(file, { date, rows, badRatio, seed: Number(values.seed) });
    console.log(`${file}: ${counts.rows} rows, ${counts.good} good, ${counts.bad} bad`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
