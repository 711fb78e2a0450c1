/**
 * Who may send events: each source has a shared secret and the event types it may send. From EVENT_SOURCES,
 * or else from `${OVERTURE_DATA_DIR}/event-sources.json`, which is created on first use with one source,
 * `local`, allowed every registered event type, under a fresh random secret only this user can read.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, eventSourcesSchema, type EventSources, type OvertureConfig } from '../../config/platform';

/** Every registered event type, in a source's `types`. */
export const ANY_TYPE = '*';

export interface LoadedSources {
  sources: EventSources;
  /** Where they came from, for messages: `EVENT_SOURCES` or the file's path. */
  origin: string;
}

/** The configured event sources; creates the embedded secrets file when EVENT_SOURCES is unset and there is none. */
export function loadEventSources(config: OvertureConfig): LoadedSources {
  if (config.EVENT_SOURCES) return { sources: config.EVENT_SOURCES, origin: 'EVENT_SOURCES' };
  const file = config.eventSourcesFile;
  createDefaultSourcesFile(file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`invalid event sources file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = eventSourcesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new ConfigError(`invalid event sources file ${file}:\n${problems.join('\n')}`);
  }
  return { sources: parsed.data, origin: file };
}

/** Writes the default sources file unless it exists: exclusive create, so two processes starting together agree on one secret. */
function createDefaultSourcesFile(file: string): void {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sources: EventSources = { local: { secret: randomBytes(32).toString('hex'), types: [ANY_TYPE] } };
  try {
    fs.writeFileSync(file, JSON.stringify(sources, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Whether the source may send events of this type. */
export function mayEmit(sources: EventSources, source: string, type: string): boolean {
  const types = sources[source]?.types ?? [];
  return types.includes(ANY_TYPE) || types.includes(type);
}

/** The secret of a source, or undefined for a source not configured. */
export function secretOf(sources: EventSources, source: string): string | undefined {
  return Object.hasOwn(sources, source) ? sources[source]!.secret : undefined;
}
