/**
 * What every benchmark shares: a Temporal dev server of its own on a throwaway SQLite file, and the
 * statistics it reports (nearest-rank quantiles, one decimal).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { provisionTemporalBinary } from '../src/dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer, type DevServer } from '../src/dev-stack/temporal-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/kit/search-attributes';

/** The q-quantile (0..1) of the values, nearest-rank method. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Rounds to one decimal for display and JSON. */
export const r1 = (n: number) => Math.round(n * 10) / 10;

/** Starts the bench's own dev server (file-backed, like `npm start`) and says which binary and version it runs. */
export async function startBenchServer(dir: string, log: (line: string) => void): Promise<{ server: DevServer; binary: string; version: string }> {
  const binary = await provisionTemporalBinary({ log });
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    dbFile: path.join(dir, 'temporal.db'),
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(dir, 'temporal.log'),
    log,
  });
  return { server, binary, version };
}
