/**
 * What loadConfig says about an environment expected to be invalid, for the configuration tests.
 */
import { ConfigError, loadConfig } from '../../src/config';

/** Runs loadConfig on an environment expected to be invalid and returns the ConfigError. */
export function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`expected a ConfigError, got ${String(err)}`);
  }
  throw new Error('expected loadConfig to reject the environment');
}

/** The message of the ConfigError loadConfig throws for this environment. */
export function problemOf(env: NodeJS.ProcessEnv): string {
  return configErrorOf(env).message;
}
