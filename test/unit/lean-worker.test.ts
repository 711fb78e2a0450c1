/**
 * A worker loads only what its configuration turns on: on the SQLite default without tracing, neither `pg` nor
 * OpenTelemetry is loaded (each costs every worker start-up ~0.2 s and ~16-20 MB it would never use). Checked in a
 * fresh Node process, from its module cache, after it has opened its systems and observability as a worker does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/processes';

const run = promisify(execFile);

/** A child that opens the worker's systems and observability with `env`, then says which packages it has loaded. */
const childScript = (env: Record<string, string>) => `
  const req = (m) => require(${JSON.stringify(ROOT)} + '/' + m);
  const { connectSystems } = req('workers/overture-worker');
  const { workerObservability } = req('src/temporal/observability/worker');
  const { loadConfig } = req('src/config');
  (async () => {
    const config = loadConfig(${JSON.stringify(env)});
    const systems = await connectSystems(config);
    const observed = workerObservability(config);
    const loaded = Object.keys(require.cache);
    console.log(JSON.stringify({
      pg: loaded.some((f) => /node_modules[\\\\/]pg[\\\\/]/.test(f)),
      openTelemetry: loaded.some((f) => /node_modules[\\\\/]@opentelemetry[\\\\/]/.test(f)),
    }));
    await observed.shutdown();
    await systems.close();
  })();
`;

async function loadedBy(env: Record<string, string>): Promise<{ pg: boolean; openTelemetry: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-lean-'));
  try {
    const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', '-e', childScript({ OVERTURE_DATA_DIR: dir, ...env })], {
      cwd: ROOT,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { pg: boolean; openTelemetry: boolean };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('a worker on the SQLite default without tracing loads neither pg nor OpenTelemetry', async () => {
  expect(await loadedBy({})).toEqual({ pg: false, openTelemetry: false });
});

it('a worker with tracing configured loads OpenTelemetry (and still not pg)', async () => {
  expect(await loadedBy({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({ pg: false, openTelemetry: true });
});
