/**
 * The window KPIs cover: `--since 7d` (minutes, hours, days or weeks before now) or a date or time (ISO 8601),
 * up to now.
 */

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The default window: the last seven days. */
export const DEFAULT_SINCE = '7d';

/** A window's bounds, in milliseconds since the epoch (`until` excluded). */
export interface KpiWindow {
  since: number;
  until: number;
}

/** Reads `--since`: `30m`, `24h`, `7d`, `2w`, or an ISO date/time; throws a message for people on anything else. */
export function parseSince(text: string | undefined, now = Date.now()): KpiWindow {
  const given = (text ?? DEFAULT_SINCE).trim();
  const relative = /^(\d+)\s*([mhdw])$/i.exec(given);
  if (relative) return { since: now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!, until: now };
  const at = /^\d{4}-\d{2}-\d{2}/.test(given) ? Date.parse(given) : NaN;
  if (Number.isNaN(at)) throw new Error(`--since must be like 7d, 24h, 30m, 2w or a date (2026-12-01), not ${JSON.stringify(given)}`);
  if (at > now) throw new Error(`--since ${given} is in the future`);
  return { since: at, until: now };
}
