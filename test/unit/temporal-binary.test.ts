import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TemporalUnavailableError,
  findTemporalBinary,
  provisionTemporalBinary,
  temporalCacheDir,
} from '../../src/tools/dev-stack/temporal-binary';

function fakeExecutable(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return path;
}

describe('temporal binary discovery', () => {
  let root: string;
  let cacheRoot: string;
  let emptyPathDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'overture-temporal-binary-'));
    cacheRoot = join(root, 'cache');
    emptyPathDir = join(root, 'empty-bin');
    mkdirSync(emptyPathDir);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keys the cache dir by CLI version under OVERTURE_CACHE_DIR', () => {
    expect(temporalCacheDir({ OVERTURE_CACHE_DIR: cacheRoot })).toBe(join(cacheRoot, 'temporal-cli-v1.5.1'));
    expect(temporalCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/overture/temporal-cli-v1.5.1');
  });

  it('prefers TEMPORAL_BINARY over the cache and PATH', () => {
    fakeExecutable(temporalCacheDir({ OVERTURE_CACHE_DIR: cacheRoot }));
    const pathDir = join(root, 'bin');
    fakeExecutable(pathDir);
    const explicit = fakeExecutable(join(root, 'explicit'));
    const env = { OVERTURE_CACHE_DIR: cacheRoot, PATH: pathDir, TEMPORAL_BINARY: explicit };
    expect(findTemporalBinary(env)).toBe(explicit);
  });

  it('throws a clear error when TEMPORAL_BINARY is not executable', () => {
    const env = { OVERTURE_CACHE_DIR: cacheRoot, PATH: emptyPathDir, TEMPORAL_BINARY: join(root, 'missing') };
    expect(() => findTemporalBinary(env)).toThrow(/TEMPORAL_BINARY=.*not an executable/);
  });

  it('finds the cached binary before one on PATH', () => {
    const cached = fakeExecutable(temporalCacheDir({ OVERTURE_CACHE_DIR: cacheRoot }));
    const pathDir = join(root, 'bin');
    fakeExecutable(pathDir);
    expect(findTemporalBinary({ OVERTURE_CACHE_DIR: cacheRoot, PATH: pathDir })).toBe(cached);
  });

  it('finds temporal on PATH when the cache is empty', async () => {
    const pathDir = join(root, 'bin');
    const onPath = fakeExecutable(pathDir);
    const env = { OVERTURE_CACHE_DIR: cacheRoot, PATH: [emptyPathDir, pathDir].join(':') };
    expect(findTemporalBinary(env)).toBe(onPath);
    await expect(provisionTemporalBinary({ env })).resolves.toBe(onPath);
  });

  it('returns undefined when nothing is found', () => {
    expect(findTemporalBinary({ OVERTURE_CACHE_DIR: cacheRoot, PATH: emptyPathDir })).toBeUndefined();
  });

  it('rejects with actionable TemporalUnavailableError without temporal and without go', async () => {
    const env = { OVERTURE_CACHE_DIR: cacheRoot, PATH: emptyPathDir };
    const error = await provisionTemporalBinary({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('docker compose');
    expect(message).toContain('TEMPORAL_BINARY');
    expect(message).toContain('brew install temporal');
  });
});
