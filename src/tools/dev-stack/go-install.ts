/**
 * `go install` of pinned Go packages into a directory (GOBIN), as static binaries: how the Temporal CLI and the
 * full Temporal server are provisioned. It prints progress while Go is otherwise silent for minutes, and a
 * failure carries the end of Go's output.
 */
import { spawn, spawnSync } from 'node:child_process';

const PROGRESS_EVERY = 25;
const ERROR_TAIL_LINES = 20;

export interface GoInstallRequest {
  /** The `go` binary. */
  go: string;
  /** Where the binaries go (a scratch directory the caller moves them from). */
  gobin: string;
  env: NodeJS.ProcessEnv;
  /** `module/path/cmd/x@version` of each package to build, or `./cmd/x` inside `cwd`. */
  packages: string[];
  /** Where Go runs: a module's own directory when it must be built as the main module (its go.mod has `exclude`). */
  cwd?: string;
  /** More linker flags, e.g. `-X pkg.Version=v1` to stamp the version a release build would. */
  ldflags?: string;
  log: (line: string) => void;
  /** The caller's error for a failure, from its message (e.g. with how else to get the binary). */
  fail: (message: string) => Error;
}

/** Runs `go install` and resolves with how many packages were compiled and how long it took. */
export function goInstall(request: GoInstallRequest): Promise<{ packages: number; seconds: number }> {
  const { go, gobin, env, log, fail } = request;
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  // CGO_ENABLED=0 gives static binaries (the CLI's pure-Go SQLite); -v prints each package as it compiles, the
  // only progress signal of a build that is otherwise silent.
  const ldflags = ['-s -w', request.ldflags].filter(Boolean).join(' ');
  const args = ['install', '-v', '-trimpath', '-ldflags', ldflags, ...request.packages];
  const child = spawn(go, args, {
    cwd: request.cwd,
    env: { ...env, CGO_ENABLED: '0', GOBIN: gobin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const tail: string[] = [];
  let packages = 0;
  let downloads = 0;
  const onLine = (line: string) => {
    if (!line.trim()) return;
    tail.push(line);
    if (tail.length > ERROR_TAIL_LINES) tail.shift();
    if (line.startsWith('go: downloading')) downloads++;
    else if (!line.startsWith('go:')) packages++;
    else return;
    if ((packages + downloads) % PROGRESS_EVERY === 0)
      log(`  ... ${packages} packages compiled, ${downloads} modules downloaded (${seconds()} s)`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream.on('end', () => onLine(partial));
  }
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(fail(`Could not run ${go}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ packages, seconds: seconds() });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(fail(`\`go ${args.join(' ')}\` ${how}. Last output:\n${tail.join('\n')}`));
    });
  });
}

/**
 * `go mod download -json module@version` from the module proxy; returns the module's directory in the (read-only)
 * module cache, for a module that must be built from its own directory or whose files are needed as data.
 */
export function downloadGoModule(request: {
  go: string;
  module: string;
  version: string;
  env: NodeJS.ProcessEnv;
  /** Where Go runs (outside any module, so no go.mod of ours is consulted). */
  cwd?: string;
  fail: (message: string) => Error;
}): string {
  const { go, module, version, env, cwd, fail } = request;
  const out = spawnSync(go, ['mod', 'download', '-json', `${module}@${version}`], {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(out.stdout) as typeof info;
  } catch {
    // Reported below with Go's own stderr.
  }
  if (out.status !== 0 || !info.Dir) throw fail(`\`go mod download ${module}@${version}\` failed: ${info.Error ?? out.stderr.trim()}`);
  return info.Dir;
}
