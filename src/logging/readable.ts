/**
 * The readable form of a log line, for a person at a terminal: `12:04:05.123 INFO  [worker] message key=value`.
 * Small on purpose (no pretty-printer dependency): the JSON line pino wrote, reshaped; control characters escaped.
 */
import { printable } from '../../workflows/kit/safe-text';

/** Fields shown in the head of the line, or left to the JSON form (the SDK's routine attributes would drown a terminal). */
const HEAD = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'err']);
const JSON_ONLY = new Set(['namespace', 'taskQueue', 'activityId', 'isLocal', 'sdkComponent']);
/** A run's fields come first, in this order. */
const RUN_FIELDS = ['process', 'step', 'runId', 'workflowId'];

/** A field as text: strings as they are, the rest as JSON. */
const text = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** A field's value, quoted when it has spaces, quotes or `=` (so `key=value` pairs stay apart). */
function shown(value: unknown): string {
  const raw = text(value);
  return /[\s"=]/.test(raw) ? JSON.stringify(raw) : raw;
}

/** One JSON log entry as a readable line (no newline at its end). */
export function readableLine(entry: Record<string, unknown>): string {
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const level = text(entry.level ?? 'info')
    .toUpperCase()
    .padEnd(5);
  const component = entry.component ? `[${text(entry.component)}] ` : '';
  const err = entry.err as { message?: string } | undefined;
  const rest = Object.keys(entry).filter((key) => !HEAD.has(key) && !JSON_ONLY.has(key) && !RUN_FIELDS.includes(key));
  const fields = [...RUN_FIELDS, ...rest].filter((key) => entry[key] !== undefined).map((key) => `${key}=${shown(entry[key])}`);
  const message = [text(entry.msg ?? ''), err?.message ? `(${err.message})` : '', ...fields].filter(Boolean).join(' ');
  return `${time} ${level} ${component}${printable(message)}`;
}

/** A pino destination that writes each line in its readable form to `out`. */
export function readableStream(out: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(`${readableLine(entry)}\n`);
    },
  };
}
