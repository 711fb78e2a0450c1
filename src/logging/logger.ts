/**
 * Overture's logs (pino): JSON lines in production, readable lines for a person at a terminal, with levels. One
 * root logger per process, configured from LOG_LEVEL and LOG_FORMAT once the configuration is loaded; each part
 * (worker, console, events, the dev stack's servers) logs through a child that names it in `component`.
 *
 * Personal data stays out as everywhere else: email addresses and URL credentials are masked in every message and
 * string field (the same masking step failures get, activities/kit/step-attempt.ts), and known sensitive keys are
 * redacted whatever their value.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactPersonalData } from '../../activities/kit/step-attempt';
import { readableStream } from './readable';
import { loggingSettingsFrom, type LogFormat, type LoggingSettings } from './settings';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, at the top level or one level down (`*.email`). */
const SENSITIVE_KEYS = [
  'email',
  'managerEmail',
  'fullName',
  'password',
  'token',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
  'set-cookie',
];
const REDACT_PATHS = [...SENSITIVE_KEYS, ...SENSITIVE_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie'];

/** Whether lines are JSON or readable: LOG_FORMAT when it says, JSON under NODE_ENV=production, else readable for a person. */
export function resolveFormat(format: LogFormat, env: NodeJS.ProcessEnv, forPerson: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  if (env.NODE_ENV === 'production') return 'json';
  return forPerson ? 'pretty' : 'json';
}

export interface LoggerOptions {
  /** Where lines go (default stdout). */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** The environment NODE_ENV is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A person reads this output even when it is not a terminal (`npm start`): `auto` then means readable. */
  readable?: boolean;
}

function maskedError(err: unknown): unknown {
  const shown = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack'] as const) if (typeof shown[key] === 'string') shown[key] = redactPersonalData(shown[key]);
  return shown;
}

/** A logger with Overture's format, level, masking and redaction. */
export function createLogger(settings: LoggingSettings, opts: LoggerOptions = {}): Logger {
  const out = opts.out ?? process.stdout;
  const format = resolveFormat(settings.LOG_FORMAT, opts.env ?? process.env, opts.readable === true || out.isTTY === true);
  const destination: DestinationStream =
    format === 'pretty' ? readableStream(out) : out === process.stdout ? pino.destination({ dest: 1, sync: true }) : out;
  return pino(
    {
      level: settings.LOG_LEVEL,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // String fields may quote an input (an error's text, an address): masked like the message.
        log: (fields) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redactPersonalData(v) : v])),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactPersonalData(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: { err: maskedError, error: maskedError },
      redact: { paths: REDACT_PATHS, censor: '<redacted>' },
    },
    destination,
  );
}

let root: Logger | undefined;

/** The process's logger: the configured one, or one from the environment as it is until the configuration loads. */
export function rootLogger(): Logger {
  return (root ??= createLogger(loggingSettingsFrom(process.env)));
}

/** Makes the process's logger from the loaded configuration; entry points call it once, first thing after loading. */
export function configureLogging(settings: LoggingSettings, opts: LoggerOptions = {}): Logger {
  root = createLogger(settings, opts);
  return root;
}

/**
 * A `log(line)` callback, as the console, the gateway and the dev stack's servers take one, writing to `logger`
 * under `component`. A line that starts with "warning" is a warning, one that starts with "error" or
 * "internal error" an error; the rest is information.
 */
export function lineLogger(component: string, logger: Logger = rootLogger()): (line: string) => void {
  const child = logger.child({ component });
  return (line) => {
    if (/^warning\b/i.test(line)) child.warn(line);
    else if (/^(internal )?error\b/i.test(line)) child.error(line);
    else child.info(line);
  };
}
