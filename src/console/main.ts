/**
 * `npm run console`: the operator console alone, against the Temporal server at TEMPORAL_ADDRESS
 * (e.g. next to `npm run worker`, or a stack started elsewhere). `npm start` starts the same console
 * through {@link startConsoleFromConfig}.
 *
 * The console never runs without a token: CONSOLE_TOKEN, or a random one generated now and printed once.
 */
import { randomBytes } from 'node:crypto';
import { connectClient } from '../client';
import type { OvertureConfig } from '../config';
import type { OperatorConsole, StartOperatorConsole } from '../start';
import { startOperatorConsole } from './server';
import { runAlone } from '../run-alone';

/** The operator token: CONSOLE_TOKEN, or a fresh random one (generated: true) to print. */
export function consoleToken(config: OvertureConfig): { token: string; generated: boolean } {
  const configured = config.CONSOLE_TOKEN?.trim();
  if (configured) return { token: configured, generated: false };
  return { token: randomBytes(24).toString('base64url'), generated: true };
}

/** Connects a client and starts the console on CONSOLE_HOST:CONSOLE_PORT; prints its URL and how to sign in. */
export const startConsoleFromConfig: StartOperatorConsole = async (config, log): Promise<OperatorConsole> => {
  const client = await connectClient(config);
  const { token, generated } = consoleToken(config);
  let running;
  try {
    running = await startOperatorConsole({ client, config, token, log });
  } catch (err) {
    await client.connection.close();
    throw err;
  }
  log(`operator console: ${running.url}`);
  if (generated) {
    log(`operator token (generated, CONSOLE_TOKEN is unset): ${token}`);
    log(`sign in: ${running.url}/login#token=${token}`);
  } else {
    log(`operator token: the value of CONSOLE_TOKEN; sign in at ${running.url}/login`);
  }
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
    log(`connected to Temporal at ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}). Press Ctrl-C to stop.`),
  );
}
