/**
 * Overture's configuration, as every part loads it: the platform's variables (./platform.ts) and every installed
 * process's own settings (activities/<name>/settings.ts), all checked at once, so a bad value stops a part before
 * it starts anything.
 */
import { checkProcessSettings } from '../registry';
import { loadPlatformConfig, type OvertureConfig } from './platform';

export { ConfigError, configSchema, eventSourcesSchema, type EventSources, type OvertureConfig, type RawConfig } from './platform';

/** Reads and validates the configuration from an environment (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OvertureConfig {
  const config = loadPlatformConfig(env);
  checkProcessSettings(config);
  return config;
}
