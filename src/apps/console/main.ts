/**
 * `npm run console`: the operator console alone, against the Temporal server at TEMPORAL_ADDRESS
 * (e.g. next to `npm run worker`, or a stack started elsewhere). `npm start` starts the same console
 * through {@link startConsoleFromConfig}.
 *
 * Operators sign in with their personal tokens (`overture operators add`); `npm start` makes the first one.
 */
import type { Server } from 'node:net';
import { connectClient } from '../../client';
import type { OvertureConfig } from '../../config/platform';
import { startOperatorConsole } from './server';
import { runAlone } from '../run-alone';
import { adminTokenPath } from '../cli/identity';

/** A running operator console, as {@link StartOperatorConsole} returns it. */
export interface OperatorConsole {
  url: string;
  /** Its HTTP server, if it should listen again after closing unasked. */
  server?: Server;
  stop(): Promise<void>;
}

/** Starts the operator console once Temporal and the worker are up (`npm start` injects it, so tests can run the stack without it). */
export type StartOperatorConsole = (config: OvertureConfig, log: (line: string) => void) => Promise<OperatorConsole>;

/** Connects a client and starts the console on CONSOLE_HOST:CONSOLE_PORT; prints its URL and how to sign in. */
export const startConsoleFromConfig: StartOperatorConsole = async (config, log): Promise<OperatorConsole> => {
  const client = await connectClient(config);
  let running;
  try {
    running = await startOperatorConsole({ client, config, log });
  } catch (err) {
    await client.connection.close();
    throw err;
  }
  log(`operator console: ${running.url}`);
  log(`sign in at ${running.url}/login with your operator token (the first admin's is in ${adminTokenPath(config.OVERTURE_DATA_DIR)})`);
  const started = running;
  return {
    url: started.url,
    server: started.server,
    async stop() {
      await started.stop();
      await client.connection.close();
    },
  };
};

if (require.main === module) {
  runAlone('console', 'console', startConsoleFromConfig, (config, log) =>
    log(
      `connected to Temporal at ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}). Press Ctrl-C to stop.`,
    ),
  );
}
