/**
 * Starts the one Temporal dev server of a test run, from the same binary `npm start` uses,
 * and bundles the workflows once so each test file does not pay for webpack.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { provisionTemporalBinary } from '../../src/tools/dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { bundleWorkflows } from '../../src/registry/workflow-bundle';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';
import { generateKeyRing, writeKeyFile } from '../../src/temporal/codec/key-ring';

declare global {
  var __overtureDevServer: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const binary = await provisionTemporalBinary({ log: (line) => console.log(`[temporal] ${line}`) });
  const port = await findFreePort();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-test-'));
  const server = await startTemporalDevServer({
    binary,
    port,
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(workDir, 'temporal.log'),
  });
  globalThis.__overtureDevServer = server;
  // The failure converter of src/codec (messages into encrypted payloads) is part of the bundle, as the worker's own.
  const bundle = await bundleWorkflows({ failureConverterPath: FAILURE_CONVERTER_PATH, logger: quietLogger });
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  // Test workers are separate processes of the same jest run: they inherit these.
  process.env.OVERTURE_TEST_TEMPORAL_ADDRESS = server.address;
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
