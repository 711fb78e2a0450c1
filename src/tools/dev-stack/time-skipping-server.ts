/**
 * Temporal's time-skipping test server, for the fast test tier: the Java SDK's `io.temporal:temporal-test-server`
 * from Maven Central, run under the installed Java (17 or newer). Its clock moves with the wall clock until a test
 * skips it, so a 72-hour ladder or a 7-day email sequence is tested in milliseconds. It speaks Temporal's gRPC API
 * for what the workflow tests use (runs, signals, queries, updates with validators, timers, child runs, search
 * attributes) but has no list or count visibility: tests that list runs use the dev server.
 *
 * Provisioned like the Temporal CLI: resolved once with Maven into Overture's cache (`npm run test-server:provision`),
 * reused after; nothing is downloaded while tests run. `@temporalio/testing` would download its own copy, which a
 * closed network does not allow.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { findOnPath, overtureCacheDir } from './executables';
import { findFreePort } from './temporal-server';

/** The test server release: the one the Java SDK of the same era ships, checked to run under Java 17. */
export const TEST_SERVER_VERSION = '1.31.0';

const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const run = promisify(execFile);

/** Raised when the test server cannot be provisioned; the message says what is missing. */
export class TestServerUnavailableError extends Error {
  override name = 'TestServerUnavailableError';
}

/** Where the resolved classpath of this release is kept. */
export function testServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(overtureCacheDir(env), `temporal-test-server-${TEST_SERVER_VERSION}`);
}

/** The `java` to run the server with: JAVA_HOME's, else the one on PATH. */
function javaBinary(env: NodeJS.ProcessEnv): string | undefined {
  const fromHome = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : undefined;
  return fromHome && existsSync(fromHome) ? fromHome : findOnPath('java', env);
}

/** The cached classpath, if every jar of it is still there. */
function cachedClasspath(dir: string): string | undefined {
  const file = join(dir, 'classpath.txt');
  if (!existsSync(file)) return undefined;
  const classpath = readFileSync(file, 'utf8').trim();
  return classpath && classpath.split(':').every((jar) => existsSync(jar)) ? classpath : undefined;
}

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.overture</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

/** Returns Java and the test server's classpath, resolving it with Maven into the cache the first time. */
export async function provisionTestServer({
  env = process.env,
  log = () => {},
}: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<{ java: string; classpath: string }> {
  const java = javaBinary(env);
  if (!java)
    throw new TestServerUnavailableError(
      'Java (17 or newer) is needed for the time-skipping test server: install a JDK (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME.',
    );
  const dir = testServerCacheDir(env);
  const cached = cachedClasspath(dir);
  if (cached) return { java, classpath: cached };
  const mvn = findOnPath('mvn', env);
  if (!mvn)
    throw new TestServerUnavailableError(
      `Maven is needed once to fetch io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central into ${dir}: install it (e.g. \`apt-get install maven\`).`,
    );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), POM);
  log(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven into ${dir} (once; about 30 s)`);
  try {
    await run(
      mvn,
      ['-q', '-B', '-f', join(dir, 'pom.xml'), 'dependency:build-classpath', `-Dmdep.outputFile=${join(dir, 'classpath.txt')}`],
      { env, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const output = err as { stdout?: string; stderr?: string };
    throw new TestServerUnavailableError(
      `Maven could not resolve the test server:\n${`${output.stdout ?? ''}${output.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n')}`,
    );
  }
  const classpath = cachedClasspath(dir);
  if (!classpath) throw new TestServerUnavailableError(`Maven ran but left no usable classpath in ${dir}`);
  log('test server ready');
  return { java, classpath };
}

/** A running time-skipping test server. */
export interface TimeSkippingServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/** Waits until the server answers gRPC. */
async function waitUntilReady(address: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the time-skipping test server exited (${child.exitCode}):\n${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`the time-skipping test server did not answer on ${address} within ${timeoutMs / 1000} s:\n${output()}`);
      await sleep(200);
    }
  }
}

/** The indexed type of a search attribute, as the dev server's `--search-attribute Name=Type` spells it. */
const INDEXED_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Starts a test server on a free port (or `port`) with the search attributes registered; resolves once it answers. */
export async function startTimeSkippingServer(opts: {
  java: string;
  classpath: string;
  port?: number;
  searchAttributes: ReadonlyArray<{ name: string; type: string }>;
  readyTimeoutMs?: number;
}): Promise<TimeSkippingServer> {
  const port = opts.port ?? (await findFreePort());
  const address = `127.0.0.1:${port}`;
  // A small heap and the client compiler: it starts in seconds and serves a test file's runs with room to spare.
  const child = spawn(
    opts.java,
    ['-Xms64m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', opts.classpath, MAIN_CLASS, String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const keep = (chunk: Buffer) => (tail = `${tail}${chunk.toString()}`.slice(-4_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitUntilReady(address, child, () => tail, opts.readyTimeoutMs ?? 60_000);
    const connection = await Connection.connect({ address });
    try {
      const searchAttributes = Object.fromEntries(
        opts.searchAttributes.map((a) => [a.name, INDEXED_TYPES[a.type] ?? INDEXED_TYPES.Keyword!]),
      );
      await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, pid: child.pid!, stop };
}
