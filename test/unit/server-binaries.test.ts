/**
 * Provisioning of the full Temporal server: the version-keyed cache, what counts as complete, and the build driven
 * through a stand-in `go` on PATH (a shell script), so success and failure are checked without the network.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TEMPORAL_SERVER_VERSION,
  TemporalServerUnavailableError,
  findServerBinaries,
  provisionServerBinaries,
  temporalServerCacheDir,
} from '../../src/tools/cluster/server-binaries';

let root: string;
let cacheRoot: string;
let binDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'overture-server-binaries-'));
  cacheRoot = join(root, 'cache');
  binDir = join(root, 'bin');
  mkdirSync(binDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A `go` that answers `go env GOMODCACHE` with a module cache holding the schema, and fakes `go install`. */
function fakeGo(install: string) {
  const modCache = join(root, 'gomod');
  const schema = join(modCache, `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  for (const db of ['temporal', 'visibility']) {
    mkdirSync(join(schema, db, 'versioned', 'v1.0'), { recursive: true });
    writeFileSync(join(schema, db, 'versioned', 'v1.0', 'schema.sql'), 'CREATE TABLE t (id INT);\n');
  }
  const script = `#!/bin/sh
if [ "$1" = env ]; then echo "${modCache}"; exit 0; fi
echo "$* CGO_ENABLED=$CGO_ENABLED" > "${join(root, 'go-args')}"
${install}
`;
  writeFileSync(join(binDir, 'go'), script);
  chmodSync(join(binDir, 'go'), 0o755);
}

const env = () => ({ OVERTURE_CACHE_DIR: cacheRoot, PATH: `${binDir}:/usr/bin:/bin` });

it('keys the cache dir by server version under OVERTURE_CACHE_DIR or XDG_CACHE_HOME', () => {
  expect(temporalServerCacheDir({ OVERTURE_CACHE_DIR: cacheRoot })).toBe(join(cacheRoot, 'temporal-server-v1.29.1'));
  expect(temporalServerCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/overture/temporal-server-v1.29.1');
});

it('builds both binaries with go install, copies the schema from the module cache and then finds the cache complete', async () => {
  fakeGo(`for b in server sql; do printf '#!/bin/sh\\n' > "$GOBIN/$b"; chmod +x "$GOBIN/$b"; done
for i in $(seq 1 30); do echo "go.temporal.io/server/pkg$i" >&2; done`);
  const progress: string[] = [];
  const binaries = await provisionServerBinaries({ env: env(), log: (line) => progress.push(line) });
  const dir = temporalServerCacheDir(env());
  expect(binaries).toEqual({
    dir,
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    historySchemaDir: join(dir, 'schema/postgresql/v12/temporal/versioned'),
    visibilitySchemaDir: join(dir, 'schema/postgresql/v12/visibility/versioned'),
  });
  expect(existsSync(join(binaries.historySchemaDir, 'v1.0', 'schema.sql'))).toBe(true);
  expect(readFileSync(join(root, 'go-args'), 'utf8').trim()).toBe(
    'install -v -trimpath -ldflags -s -w go.temporal.io/server/cmd/server@v1.29.1 go.temporal.io/server/cmd/tools/sql@v1.29.1 CGO_ENABLED=0',
  );
  expect(progress.join('\n')).toMatch(/25 packages compiled/);
  expect(progress.join('\n')).toMatch(/Built Temporal server v1\.29\.1 in \d+ s \(30 packages compiled\)/);
  // No scratch directory is left behind, and the next call uses the cache without Go.
  expect(readdirSync(dir).sort()).toEqual(['schema', 'temporal-server', 'temporal-sql-tool']);
  rmSync(join(binDir, 'go'));
  expect(findServerBinaries(env())).toEqual(binaries);
  await expect(provisionServerBinaries({ env: env() })).resolves.toEqual(binaries);
});

it('does not trust a cache with the binaries but without the schema', () => {
  const dir = temporalServerCacheDir(env());
  mkdirSync(dir, { recursive: true });
  for (const file of ['temporal-server', 'temporal-sql-tool']) {
    writeFileSync(join(dir, file), '#!/bin/sh\n');
    chmodSync(join(dir, file), 0o755);
  }
  expect(findServerBinaries(env())).toBeUndefined();
});

it('reports a failed build with the end of its output, and leaves no cache that would later be trusted', async () => {
  fakeGo(`echo "go: go.temporal.io/server@${TEMPORAL_SERVER_VERSION}: reading proxy: 403 Forbidden" >&2; exit 1`);
  const error = await provisionServerBinaries({ env: env() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TemporalServerUnavailableError);
  expect((error as Error).message).toMatch(/exited with code 1\. Last output:\n[\s\S]*403 Forbidden/);
  expect(findServerBinaries(env())).toBeUndefined();
  expect(readdirSync(temporalServerCacheDir(env()))).toEqual([]);
});

it('says what to do when the server is not cached and Go is not installed', async () => {
  const error = await provisionServerBinaries({ env: { OVERTURE_CACHE_DIR: cacheRoot, PATH: binDir } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TemporalServerUnavailableError);
  expect((error as Error).message).toContain('`go` is not on PATH');
  expect((error as Error).message).toContain('npm run cluster:provision');
  expect((error as Error).message).toContain('docker compose up');
});
