/**
 * The logging settings (docs: Operating, "Logs"): LOG_LEVEL filters, LOG_FORMAT chooses JSON lines or readable ones.
 * Validated with the rest of the configuration (src/config/platform.ts spreads these fields into its schema).
 */
import { z } from 'zod';

/** The levels, from the most verbose; `silent` logs nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `auto`: JSON lines unless a person reads the output (a terminal, or `npm start`), and always JSON with NODE_ENV=production. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Blank is unset (compose passes `${LOG_LEVEL:-}` through); case does not matter (`INFO` is `info`). */
const normalised = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v);

/** The zod fields that src/config/platform.ts spreads into its schema. */
export const LOGGING_SETTINGS = {
  LOG_LEVEL: z.preprocess(normalised, z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info')),
  LOG_FORMAT: z.preprocess(normalised, z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('auto')),
};

/** What the logger needs of a configuration. */
export interface LoggingSettings {
  LOG_LEVEL: LogLevelName;
  LOG_FORMAT: LogFormat;
}

/** The settings of an environment not validated yet (before the configuration loads): an unknown value is its default. */
export function loggingSettingsFrom(env: NodeJS.ProcessEnv): LoggingSettings {
  const level = LOGGING_SETTINGS.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  const format = LOGGING_SETTINGS.LOG_FORMAT.safeParse(env.LOG_FORMAT);
  return { LOG_LEVEL: level.success ? level.data : 'info', LOG_FORMAT: format.success ? format.data : 'auto' };
}
