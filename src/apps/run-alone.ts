/**
 * Running one part of the stack on its own (`npm run console`, `npm run events`): load the configuration,
 * start the part, serve until SIGINT or SIGTERM, stop it. Exit codes: 0 stopped, 1 could not start, 2 bad configuration.
 */
import { ConfigError, loadConfig, type OvertureConfig } from '../config';
import { configureLogging, lineLogger } from '../logging/logger';

/** Runs a part alone until a stop signal; `what` names it in messages, `tag` is its log lines' `component` (src/logging). */
export function runAlone(
  what: string,
  tag: string,
  start: (config: OvertureConfig, log: (line: string) => void) => Promise<{ stop(): Promise<void> }>,
  onStarted?: (config: OvertureConfig, log: (line: string) => void) => void,
): void {
  const main = async (): Promise<number> => {
    let config: OvertureConfig;
    try {
      config = loadConfig();
    } catch (e) {
      console.error(e instanceof ConfigError ? e.message : String(e));
      return 2;
    }
    // JSON lines or readable ones, at LOG_LEVEL (src/logging); escaping is the logger's.
    const log = lineLogger(tag, configureLogging(config));
    const running = await start(config, log);
    onStarted?.(config, log);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await running.stop();
    log('stopped');
    return 0;
  };
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`the ${what} could not start: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(e instanceof ConfigError ? 2 : 1);
    },
  );
}
