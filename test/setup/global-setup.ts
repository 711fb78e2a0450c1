/**
 * The servers of a test run, started once: the Temporal dev server (real timers and visibility) for every tier, and
 * for the fast tier one time-skipping test server per jest worker (a worker's files run one after another, so a
 * skip of time in one file never reaches the runs of another). The workflows are bundled once, so each test file
 * does not pay for webpack; one payload key ring encrypts everything the run's clients and workers send.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '@jest/types';
import { provisionTemporalBinary } from '../../src/tools/dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import { provisionTestServer, startTimeSkippingServer, type TimeSkippingServer } from '../../src/tools/dev-stack/time-skipping-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { bundleWorkflows } from '../../src/registry/workflow-bundle';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';
import { generateKeyRing, writeKeyFile } from '../../src/temporal/codec/key-ring';

declare global {
  var __overtureServers: Array<DevServer | TimeSkippingServer> | undefined;
}

export default async function globalSetup(globalConfig: Config.GlobalConfig, projectConfig: Config.ProjectConfig): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-test-'));
  const timeSkipping = projectConfig.globals.timeSkippingServers === true;
  const [binary, testServer] = await Promise.all([
    provisionTemporalBinary({ log: (line) => console.log(`[temporal] ${line}`) }),
    timeSkipping ? provisionTestServer({ log: (line) => console.log(`[test server] ${line}`) }) : undefined,
  ]);
  const servers: Array<DevServer | TimeSkippingServer> = [];
  globalThis.__overtureServers = servers;
  const devServer = startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(workDir, 'temporal.log'),
  });
  const workers = globalConfig.maxWorkers > 0 ? globalConfig.maxWorkers : 1;
  const skipping = testServer
    ? Array.from({ length: workers }, () => startTimeSkippingServer({ ...testServer, searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS }))
    : [];
  const started = await Promise.allSettled([devServer, ...skipping]);
  for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const dev = await devServer;
  // The failure converter of src/temporal/codec (messages into encrypted payloads) is part of the bundle, as the worker's own.
  const bundle = await bundleWorkflows({ failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietLogger });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  // Test workers are separate processes of the same jest run: they inherit these.
  process.env.OVERTURE_TEST_TEMPORAL_ADDRESS = dev.address;
  process.env.OVERTURE_TEST_SKIPPING_ADDRESSES = servers
    .filter((s) => s !== dev)
    .map((s) => s.address)
    .join(',');
  process.env.OVERTURE_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.OVERTURE_TEST_TEMPORAL_BINARY = binary;
  process.env.OVERTURE_TEST_DIR = workDir;
  // One payload encryption key ring for the whole run: every test stack, CLI and worker process encrypts with it.
  const keyFile = path.join(workDir, 'codec-keys.json');
  writeKeyFile(keyFile, generateKeyRing());
  process.env.OVERTURE_TEST_CODEC_KEY_FILE = keyFile;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
