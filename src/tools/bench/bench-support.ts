/**
 * What every benchmark shares: a Temporal dev server of its own on a throwaway SQLite file, the statistics it
 * reports, and bounded concurrency.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { provisionTemporalBinary } from '../dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer, type DevServer, type StartDevServerOptions } from '../dev-stack/temporal-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../../workflows/kit/search-attributes';
import { generateKeyRing, writeKeyFile } from '../../temporal/codec/key-ring';
import fs from 'node:fs';

export { quantile, r1 } from './stats';

/** Where the benches write their results: `.data/bench/` at the repository root (ignored by git, like all run data). */
export const RESULTS_DIR = path.resolve(__dirname, '..', '..', '..', '.data', 'bench');

/** Which server settings: Overture's one-machine tuning (the default), or `temporal server start-dev` as shipped. */
export type ServerTuning = NonNullable<StartDevServerOptions['tuning']>;

/**
 * Starts the bench's own dev server (file-backed, like `npm start`) and says which binary and version it runs.
 * `name` keeps the database files of several servers of one bench apart.
 */
export async function startBenchServer(
  dir: string,
  log: (line: string) => void,
  opts: { tuning?: ServerTuning; name?: string } = {},
): Promise<{ server: DevServer; binary: string; version: string; metricsUrl: string }> {
  const binary = await provisionTemporalBinary({ log });
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const name = opts.name ?? 'temporal';
  const metricsPort = await findFreePort();
  const server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    dbFile: path.join(dir, `${name}.db`),
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(dir, `${name}.log`),
    log,
    tuning: opts.tuning,
    metricsPort,
  });
  return { server, binary, version, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * The payload encryption settings of a bench's clients and workers: a key file of its own in `dir` (created once),
 * so the bench measures runs as they are configured everywhere, encrypted.
 */
export function benchCodecEnv(dir: string): { OVERTURE_CODEC_KEY_FILE: string } {
  const file = path.join(dir, 'codec-keys.json');
  if (!fs.existsSync(file)) writeKeyFile(file, generateKeyRing());
  return { OVERTURE_CODEC_KEY_FILE: file };
}

/**
 * Calls `work` for each of `count` indexes with at most `limit` calls in flight, each next one starting as soon
 * as one ends (a closed loop); the results come back in index order. `work` must not throw.
 */
export async function inFlight<T>(count: number, limit: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return results;
}
